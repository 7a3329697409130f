#include "runtime/dac/dac_runtime.h"

#include <dlfcn.h>

#include <fmt/format.h>

namespace clrdump::runtime {
namespace dac {
namespace {

using CreateInstanceFn = HRESULT (*)(const Guid*, ICLRDataTarget*, void**);
using DllMainFn = int (*)(void*, uint32_t, void*);

}  // namespace

Error DacError(const char* call, HRESULT hr) {
  Error error = MakeError(ErrorCode::kUnsupported, fmt::format("{} failed, HRESULT {:#010x}",
                                                               call, static_cast<uint32_t>(hr)));
  error.status = static_cast<uint32_t>(hr);
  return error;
}

Status DacRuntime::Load() {
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
  HRESULT hr = create(&kIID_IXCLRDataProcess, &target_, &process);
  if (hr < 0 || !process) return DacError("CLRDataCreateInstance", hr);
  process_ = static_cast<IXCLRDataProcess*>(process);
  void* sos = nullptr;
  hr = process_->QueryInterface(&kIID_ISOSDacInterface, &sos);
  if (hr < 0 || !sos) return DacError("QueryInterface(ISOSDacInterface)", hr);
  sos_ = static_cast<ISOSDacInterface*>(sos);
  void* sos2 = nullptr;
  if (process_->QueryInterface(&kIID_ISOSDacInterface2, &sos2) >= 0) {
    sos2_ = static_cast<ISOSDacInterface2*>(sos2);
  }
  void* sos16 = nullptr;
  if (process_->QueryInterface(&kIID_ISOSDacInterface16, &sos16) >= 0) {
    sos16_ = static_cast<ISOSDacInterface16*>(sos16);
  }
  void* sos8 = nullptr;
  if (process_->QueryInterface(&kIID_ISOSDacInterface8, &sos8) >= 0) {
    sos8_ = static_cast<ISOSDacInterface8*>(sos8);
  }
  void* sos13 = nullptr;
  if (process_->QueryInterface(&kIID_ISOSDacInterface13, &sos13) >= 0) {
    sos13_ = static_cast<ISOSDacInterface13*>(sos13);
  }
  void* sos12 = nullptr;
  if (process_->QueryInterface(&kIID_ISOSDacInterface12, &sos12) >= 0) {
    sos12_ = static_cast<ISOSDacInterface12*>(sos12);
  }
  return Ok{};
}

Result<ThreadStore> DacRuntime::GetThreadStore() {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpThreadStoreData d{};
  if (HRESULT hr = sos_->GetThreadStoreData(&d); hr < 0) return DacError("GetThreadStoreData", hr);
  return ThreadStore{d.threadCount,  d.unstartedThreadCount, d.backgroundThreadCount,
                     d.pendingThreadCount, d.deadThreadCount, d.firstThread,
                     d.finalizerThread, d.gcThread, d.fHostConfig};
}

Result<ManagedThread> DacRuntime::GetThread(uint64_t address) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpThreadData d{};
  if (HRESULT hr = sos_->GetThreadData(address, &d); hr < 0) return DacError("GetThreadData", hr);
  return ManagedThread{address,  d.corThreadId,      d.osThreadId,
                       static_cast<uint32_t>(d.state), d.preemptiveGCDisabled != 0,
                       d.allocContextPtr, d.allocContextLimit, d.domain, d.pFrame, d.lockCount,
                       d.firstNestedException, d.teb, d.lastThrownObjectHandle, d.nextThread};
}

Result<uint64_t> DacRuntime::GetDomainFromContext(uint64_t context) {
  std::lock_guard<std::mutex> lock(mutex_);
  CLRDATA_ADDRESS domain = 0;
  if (HRESULT hr = sos_->GetDomainFromContext(context, &domain); hr < 0) {
    return DacError("GetDomainFromContext", hr);
  }
  return domain;
}

Result<std::string> DacRuntime::GetMethodTableName(uint64_t method_table) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string name =
      ReadDacString([&](unsigned int count, WCHAR* buffer, unsigned int* needed) {
        return sos_->GetMethodTableName(method_table, count, buffer, needed);
      });
  if (name.empty()) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("no type name for MethodTable {:#x}", method_table));
  }
  return name;
}

Result<GcHeapInfo> DacRuntime::GetGcHeapInfo() {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpGcHeapData d{};
  if (HRESULT hr = sos_->GetGCHeapData(&d); hr < 0) return DacError("GetGCHeapData", hr);
  return GcHeapInfo{d.bServerMode != 0, d.bGcStructuresValid != 0, d.HeapCount,
                    d.g_max_generation};
}

std::optional<int> DacRuntime::GetGcDynamicAdaptationMode() {
  std::lock_guard<std::mutex> lock(mutex_);
  int mode = 0;
  if (!sos16_ || sos16_->GetGCDynamicAdaptationMode(&mode) != kS_OK) return std::nullopt;
  return mode;
}

}  // namespace dac

Result<std::unique_ptr<Runtime>> OpenRuntime(const dump::ElfCore& core,
                                             const dump::ProcessMemory& memory,
                                             const RuntimeLocation& location) {
  auto runtime = std::make_unique<dac::DacRuntime>(core, memory, location);
  if (auto loaded = runtime->Load(); !loaded) return loaded.error();
  return std::unique_ptr<Runtime>(std::move(runtime));
}

}  // namespace clrdump::runtime
