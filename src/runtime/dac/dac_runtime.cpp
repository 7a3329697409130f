// The Runtime model served by the runtime's own DAC (libmscordaccore.so).
#include <dlfcn.h>

#include <array>
#include <mutex>

#include <fmt/format.h>

#include "base/strings.h"
#include "runtime/dac/com.h"
#include "runtime/dac/sos.h"
#include "runtime/dac/xclrdata.h"
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
    std::string name =
        ReadDacString([&](unsigned int count, dac::WCHAR* buffer, unsigned int* needed) {
          return sos_->GetMethodTableName(method_table, count, buffer, needed);
        });
    if (name.empty()) {
      return MakeError(ErrorCode::kNotFound,
                       fmt::format("no type name for MethodTable {:#x}", method_table));
    }
    return name;
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

  Result<std::vector<StackFrame>> WalkStack(uint32_t os_thread_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    dac::IXCLRDataTask* task = nullptr;
    if (HRESULT hr = process_->GetTaskByOSThreadID(os_thread_id, &task); hr < 0 || !task) {
      return MakeError(ErrorCode::kNotFound,
                       fmt::format("thread {:#x} is not a managed thread", os_thread_id));
    }
    dac::IXCLRDataStackWalk* walk = nullptr;
    HRESULT hr = task->CreateStackWalk(dac::kStackWalkAllFrames, &walk);
    task->Release();
    if (hr < 0 || !walk) return DacError("CreateStackWalk", hr);
    std::vector<StackFrame> frames;
    // A corrupt stack must not loop forever.
    constexpr size_t kMaxFrames = 100000;
    while (frames.size() < kMaxFrames) {
      auto frame = CurrentFrame(*walk);
      if (!frame) break;
      frames.push_back(std::move(*frame));
      if (walk->Next() != dac::kS_OK) break;
    }
    walk->Release();
    return frames;
  }

 private:
  // The frame at the walk's position; nullopt when the walk has ended.
  std::optional<StackFrame> CurrentFrame(dac::IXCLRDataStackWalk& walk) {
    std::array<uint8_t, dac::kContextSize> context{};
    dac::ULONG32 size = 0;
    constexpr dac::ULONG32 kContextAll = 0x10001F;
    if (walk.GetContext(kContextAll, dac::kContextSize, &size, context.data()) != dac::kS_OK) {
      return std::nullopt;
    }
    StackFrame f;
    f.registers = dac::ContextRegisters(context.data());
    f.ip = f.registers.rip;
    f.sp = f.registers.rsp;
    uint64_t frame_address = 0;
    if (walk.Request(dac::kStackWalkRequestFrameData, 0, nullptr, sizeof frame_address,
                     reinterpret_cast<uint8_t*>(&frame_address)) == dac::kS_OK) {
      f.frame_address = frame_address;
    }
    if (f.frame_address != 0) {
      f.frame_name = FrameName(f.frame_address);
      dac::CLRDATA_ADDRESS md = 0;
      if (sos_->GetMethodDescPtrFromFrame(f.frame_address, &md) >= 0) f.method_desc = md;
    } else {
      dac::CLRDATA_ADDRESS md = 0;
      if (sos_->GetMethodDescPtrFromIP(f.ip, &md) >= 0) f.method_desc = md;
    }
    if (f.frame_address == 0) AddSourceFacts(walk, f);
    if (f.method_desc != 0) {
      f.method_name = MethodDescName(f.method_desc);
      dac::DacpMethodDescData data{};
      if (sos_->GetMethodDescData(f.method_desc, f.ip, &data, 0, nullptr, nullptr) >= 0) {
        f.native_code = data.NativeCodeAddr;
      }
    }
    return f;
  }

  // Token, module file and IL offsets of a method frame, when the DAC has them.
  void AddSourceFacts(dac::IXCLRDataStackWalk& walk, StackFrame& f) {
    dac::IXCLRDataFrame* frame = nullptr;
    if (walk.GetFrame(&frame) < 0 || !frame) return;
    dac::IXCLRDataMethodInstance* method = nullptr;
    const HRESULT hr = frame->GetMethodInstance(&method);
    frame->Release();
    if (hr < 0 || !method) return;
    f.il_offset = IlOffset(*method, f.ip);
    f.il_offset_before = IlOffset(*method, f.ip - 1);
    dac::IXCLRDataModule* module = nullptr;
    uint32_t token = 0;
    if (method->GetTokenAndScope(&token, &module) >= 0 && module) {
      f.method_token = token;
      f.module_path = ModuleFileName(*module);
      module->Release();
    }
    method->Release();
  }

  // GetFileName dereferences its buffer even when asked for the size only,
  // so it always gets a real one.
  static std::string ModuleFileName(dac::IXCLRDataModule& module) {
    std::u16string name(1024, u'\0');
    for (int attempt = 0; attempt < 2; ++attempt) {
      dac::ULONG32 needed = 0;
      const auto size = static_cast<dac::ULONG32>(name.size());
      if (module.GetFileName(size, &needed, name.data()) < 0) return {};
      if (needed <= size) {
        name.resize(std::char_traits<char16_t>::length(name.c_str()));
        return Utf16ToUtf8(name);
      }
      if (needed > kMaxName) return {};
      name.assign(needed, u'\0');
    }
    return {};
  }

  static std::optional<uint32_t> IlOffset(dac::IXCLRDataMethodInstance& method, uint64_t ip) {
    dac::ULONG32 needed = 0;
    dac::ULONG32 offset = 0;
    if (method.GetILOffsetsByAddress(ip, 1, &needed, &offset) < 0 || needed == 0) {
      return std::nullopt;
    }
    return offset;
  }

  // GetFrameName takes the Frame's identifier: its first pointer.
  std::string FrameName(uint64_t frame_address) {
    uint64_t identifier = 0;
    dac::ULONG32 done = 0;
    if (target_.ReadVirtual(frame_address, reinterpret_cast<uint8_t*>(&identifier),
                            sizeof identifier, &done) != dac::kS_OK ||
        done != sizeof identifier) {
      return {};
    }
    return ReadDacString([&](unsigned int count, dac::WCHAR* buffer, unsigned int* needed) {
      return sos_->GetFrameName(identifier, count, buffer, needed);
    });
  }

  std::string MethodDescName(uint64_t md) {
    return ReadDacString([&](unsigned int count, dac::WCHAR* buffer, unsigned int* needed) {
      return sos_->GetMethodDescName(md, count, buffer, needed);
    });
  }

  // The DAC's (count, buffer, needed) string protocol; "" on failure.
  template <typename Call>
  static std::string ReadDacString(Call call) {
    unsigned int needed = 0;
    if (call(0, nullptr, &needed) < 0 || needed == 0 || needed > kMaxName) return {};
    std::u16string text(needed, u'\0');
    if (call(needed, text.data(), &needed) < 0) return {};
    text.resize(std::char_traits<char16_t>::length(text.c_str()));
    return Utf16ToUtf8(text);
  }

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
