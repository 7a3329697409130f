// The Runtime model served by the runtime's own DAC (libmscordaccore.so).
#include <dlfcn.h>

#include <mutex>

#include <fmt/format.h>

#include "base/strings.h"
#include "runtime/dac/com.h"
#include "runtime/dac/data_target.h"
#include "runtime/runtime.h"

namespace clrdump::runtime {
namespace {

using dac::HRESULT;

using CreateInstanceFn = HRESULT (*)(const dac::Guid*, dac::ICLRDataTarget*, void**);
using DllMainFn = int (*)(void*, uint32_t, void*);

Error DacError(const char* call, HRESULT hr) {
  return MakeError(ErrorCode::kUnsupported,
                   fmt::format("{} failed, HRESULT {:#010x}", call, static_cast<uint32_t>(hr)));
}

class DacRuntime final : public Runtime {
 public:
  DacRuntime(const dump::ElfCore& core, const dump::ProcessMemory& memory,
             RuntimeLocation location)
      : location_(std::move(location)), target_(core, memory, location_.coreclr.base) {}

  Status Load() {
    // RTLD_LOCAL keeps the DAC's unprefixed exports from interposing; the
    // library is never closed (its PAL's thread-exit hooks would crash).
    void* handle = ::dlopen(location_.dac_path.c_str(), RTLD_LAZY | RTLD_LOCAL);
    if (!handle) {
      return MakeError(ErrorCode::kUnsupported,
                       fmt::format("cannot load the DAC {}: {}", location_.dac_path, ::dlerror()));
    }
    if (auto dll_main = reinterpret_cast<DllMainFn>(::dlsym(handle, "DllMain"))) {
      dll_main(handle, 1 /* DLL_PROCESS_ATTACH */, nullptr);
    }
    auto create = reinterpret_cast<CreateInstanceFn>(::dlsym(handle, "CLRDataCreateInstance"));
    if (!create) {
      return MakeError(ErrorCode::kUnsupported,
                       location_.dac_path + " does not export CLRDataCreateInstance");
    }
    void* process = nullptr;
    HRESULT hr = create(&dac::kIID_IXCLRDataProcess, &target_, &process);
    if (hr < 0 || !process) return DacError("CLRDataCreateInstance", hr);
    process_ = static_cast<dac::IXCLRDataProcess*>(process);
    void* sos = nullptr;
    hr = process_->QueryInterface(&dac::kIID_ISOSDacInterface, &sos);
    if (hr < 0 || !sos) return DacError("QueryInterface(ISOSDacInterface)", hr);
    sos_ = static_cast<dac::ISOSDacInterface*>(sos);
    void* sos16 = nullptr;
    if (process_->QueryInterface(&dac::kIID_ISOSDacInterface16, &sos16) >= 0) {
      sos16_ = static_cast<dac::ISOSDacInterface16*>(sos16);
    }
    return Ok{};
  }

  const RuntimeLocation& location() const override { return location_; }

  Result<ThreadStore> GetThreadStore() override {
    std::lock_guard<std::mutex> lock(mutex_);
    dac::DacpThreadStoreData d{};
    if (HRESULT hr = sos_->GetThreadStoreData(&d); hr < 0) return DacError("GetThreadStoreData", hr);
    return ThreadStore{d.threadCount,  d.unstartedThreadCount, d.backgroundThreadCount,
                       d.pendingThreadCount, d.deadThreadCount, d.firstThread,
                       d.finalizerThread, d.gcThread, d.fHostConfig};
  }

  Result<ManagedThread> GetThread(uint64_t address) override {
    std::lock_guard<std::mutex> lock(mutex_);
    dac::DacpThreadData d{};
    if (HRESULT hr = sos_->GetThreadData(address, &d); hr < 0) return DacError("GetThreadData", hr);
    return ManagedThread{address,  d.corThreadId,      d.osThreadId,
                         static_cast<uint32_t>(d.state), d.preemptiveGCDisabled != 0,
                         d.allocContextPtr, d.allocContextLimit, d.domain, d.pFrame, d.lockCount,
                         d.firstNestedException, d.teb, d.lastThrownObjectHandle, d.nextThread};
  }

  Result<uint64_t> GetDomainFromContext(uint64_t context) override {
    std::lock_guard<std::mutex> lock(mutex_);
    dac::CLRDATA_ADDRESS domain = 0;
    if (HRESULT hr = sos_->GetDomainFromContext(context, &domain); hr < 0) {
      return DacError("GetDomainFromContext", hr);
    }
    return domain;
  }

  Result<std::string> GetMethodTableName(uint64_t method_table) override {
    std::lock_guard<std::mutex> lock(mutex_);
    unsigned int needed = 0;
    HRESULT hr = sos_->GetMethodTableName(method_table, 0, nullptr, &needed);
    if (hr < 0 || needed == 0 || needed > kMaxName) return DacError("GetMethodTableName", hr);
    std::u16string name(needed, u'\0');
    hr = sos_->GetMethodTableName(method_table, needed, name.data(), &needed);
    if (hr < 0) return DacError("GetMethodTableName", hr);
    name.resize(std::char_traits<char16_t>::length(name.c_str()));
    return Utf16ToUtf8(name);
  }

  Result<GcHeapInfo> GetGcHeapInfo() override {
    std::lock_guard<std::mutex> lock(mutex_);
    dac::DacpGcHeapData d{};
    if (HRESULT hr = sos_->GetGCHeapData(&d); hr < 0) return DacError("GetGCHeapData", hr);
    return GcHeapInfo{d.bServerMode != 0, d.bGcStructuresValid != 0, d.HeapCount,
                      d.g_max_generation};
  }

  std::optional<int> GetGcDynamicAdaptationMode() override {
    std::lock_guard<std::mutex> lock(mutex_);
    int mode = 0;
    if (!sos16_ || sos16_->GetGCDynamicAdaptationMode(&mode) != dac::kS_OK) return std::nullopt;
    return mode;
  }

 private:
  // Longest type name accepted from the DAC, in UTF-16 units.
  static constexpr unsigned int kMaxName = 1 << 20;

  RuntimeLocation location_;
  dac::DataTarget target_;
  // The DAC is not thread-safe: every call goes through this lock.
  std::mutex mutex_;
  dac::IXCLRDataProcess* process_ = nullptr;
  dac::ISOSDacInterface* sos_ = nullptr;
  dac::ISOSDacInterface16* sos16_ = nullptr;  // .NET 10+
};

}  // namespace

Result<std::unique_ptr<Runtime>> OpenRuntime(const dump::ElfCore& core,
                                             const dump::ProcessMemory& memory,
                                             const RuntimeLocation& location) {
  auto runtime = std::make_unique<DacRuntime>(core, memory, location);
  if (auto loaded = runtime->Load(); !loaded) return loaded.error();
  return std::unique_ptr<Runtime>(std::move(runtime));
}

}  // namespace clrdump::runtime
