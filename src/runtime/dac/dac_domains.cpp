// AppDomains, assemblies and modules through ISOSDacInterface(7) and
// IXCLRDataModule.
#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "runtime/dac/dac_runtime.h"

namespace clrdump::runtime::dac {
namespace {

// Longest list accepted from the DAC; a larger count means corrupt data.
constexpr int64_t kMaxListLength = 1 << 20;
// First buffer for names, in UTF-16 units: the DAC writes into the buffer
// even when only asked for the size, so it is never asked without one.
constexpr unsigned int kFirstNameBuffer = 1024;
constexpr unsigned int kMaxNameLength = 1 << 20;

enum class Accept { kOnlyOk, kAnySuccess };

// A name through the DAC's (count, buffer, needed) protocol, into a real
// buffer that grows once when the name does not fit.
template <typename Call>
Result<std::string> ReadName(const char* what, Accept accept, Call call) {
  std::u16string text(kFirstNameBuffer, u'\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    unsigned int needed = 0;
    const auto size = static_cast<unsigned int>(text.size());
    const HRESULT hr = call(size, text.data(), &needed);
    if (hr < 0 || (accept == Accept::kOnlyOk && hr != kS_OK && needed <= size)) {
      return DacError(what, hr);
    }
    if (needed <= size) {
      text.resize(std::char_traits<char16_t>::length(text.c_str()));
      return Utf16ToUtf8(text);
    }
    if (needed > kMaxNameLength) break;
    text.assign(needed, u'\0');
  }
  return MakeError(ErrorCode::kMalformedInput, fmt::format("{}: name too long", what));
}

Result<size_t> CheckedLength(const char* what, int64_t count) {
  if (count < 0 || count > kMaxListLength) {
    return MakeError(ErrorCode::kMalformedInput,
                     fmt::format("{} reports {} entries", what, count));
  }
  return static_cast<size_t>(count);
}

// Fills a list the DAC's (count, values, needed) way. With `count` 0 the
// DAC is asked for the size first and whatever it then fills is kept, as
// ClrMD does; a given count must be answered with S_OK, as SOS requires.
template <typename Int, typename Call>
Result<std::vector<uint64_t>> ReadList(const char* what, int64_t count, Call call) {
  const bool sized_by_dac = count <= 0;
  if (sized_by_dac) {
    Int needed = 0;
    if (HRESULT hr = call(0, nullptr, &needed); hr < 0) return DacError(what, hr);
    count = needed;
  }
  auto length = CheckedLength(what, count);
  if (!length) return length.error();
  std::vector<uint64_t> values(*length, 0);
  if (values.empty()) return values;
  Int needed = 0;
  const HRESULT hr = call(static_cast<Int>(values.size()), values.data(), &needed);
  if (!sized_by_dac && hr != kS_OK) return DacError(what, hr);
  return values;
}

void CollectTypeMapEntry(unsigned int index, CLRDATA_ADDRESS method_table, void* token) {
  static_cast<std::vector<TypeMapEntry>*>(token)->push_back({index, method_table});
}


}  // namespace

Result<AppDomainStore> DacRuntime::GetAppDomainStore() {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpAppDomainStoreData d{};
  if (HRESULT hr = sos_->GetAppDomainStoreData(&d); hr != kS_OK) {
    return DacError("GetAppDomainStoreData", hr);
  }
  return AppDomainStore{d.sharedDomain, d.systemDomain, d.DomainCount};
}

Result<std::vector<uint64_t>> DacRuntime::GetAppDomainList(int32_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto length = CheckedLength("GetAppDomainList", count);
  if (!length) return length.error();
  std::vector<uint64_t> domains(*length, 0);
  if (domains.empty()) return domains;
  const auto size = static_cast<unsigned int>(domains.size());
  if (HRESULT hr = sos_->GetAppDomainList(size, domains.data(), nullptr); hr != kS_OK) {
    return DacError("GetAppDomainList", hr);
  }
  return domains;
}

Result<AppDomainInfo> DacRuntime::GetAppDomain(uint64_t address) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpAppDomainData d{};
  if (HRESULT hr = sos_->GetAppDomainData(address, &d); hr != kS_OK) {
    return DacError("GetAppDomainData", hr);
  }
  return AppDomainInfo{d.AppDomainPtr, d.AppSecDesc,  d.pLowFrequencyHeap,   d.pHighFrequencyHeap,
                       d.pStubHeap,    d.dwId,        d.AssemblyCount,       d.FailedAssemblyCount,
                       d.appDomainStage};
}

Result<std::string> DacRuntime::GetAppDomainName(uint64_t domain) {
  std::lock_guard<std::mutex> lock(mutex_);
  return ReadName("GetAppDomainName", Accept::kOnlyOk,
                  [&](unsigned int count, WCHAR* name, unsigned int* needed) {
                    return sos_->GetAppDomainName(domain, count, name, needed);
                  });
}

Result<std::vector<uint64_t>> DacRuntime::GetAssemblyList(uint64_t domain, int32_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  return ReadList<int>("GetAssemblyList", count,
                       [&](int n, CLRDATA_ADDRESS* values, int* needed) {
                         return sos_->GetAssemblyList(domain, n, values, needed);
                       });
}

Result<AssemblyInfo> DacRuntime::GetAssembly(uint64_t domain, uint64_t assembly) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpAssemblyData d{};
  if (HRESULT hr = sos_->GetAssemblyData(domain, assembly, &d); hr != kS_OK) {
    return DacError("GetAssemblyData", hr);
  }
  return AssemblyInfo{d.AssemblyPtr,     d.ClassLoader,  d.ParentDomain, d.BaseDomainPtr,
                      d.AssemblySecDesc, d.isDynamic != 0, d.ModuleCount};
}

Result<std::string> DacRuntime::GetAssemblyName(uint64_t assembly) {
  std::lock_guard<std::mutex> lock(mutex_);
  return ReadName("GetAssemblyName", Accept::kOnlyOk,
                  [&](unsigned int count, WCHAR* name, unsigned int* needed) {
                    return sos_->GetAssemblyName(assembly, count, name, needed);
                  });
}

Result<std::vector<uint64_t>> DacRuntime::GetAssemblyModuleList(uint64_t assembly,
                                                                uint32_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  return ReadList<unsigned int>(
      "GetAssemblyModuleList", count,
      [&](unsigned int n, CLRDATA_ADDRESS* modules, unsigned int* needed) {
        return sos_->GetAssemblyModuleList(assembly, n, modules, needed);
      });
}

Result<ManagedModule> DacRuntime::GetManagedModule(uint64_t address) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpModuleData raw{};
  if (HRESULT hr = sos_->GetModuleData(address, &raw); hr != kS_OK) {
    return DacError("GetModuleData", hr);
  }
  const auto d = std::bit_cast<DacpModuleDataFields>(raw);
  return ManagedModule{d.Address,
                       d.PEAssembly,
                       d.ilBase,
                       d.metadataStart,
                       d.metadataSize,
                       d.Assembly,
                       d.bIsReflection != 0,
                       d.bIsPEFile != 0,
                       d.dwTransientFlags,
                       d.TypeDefToMethodTableMap,
                       d.TypeRefToMethodTableMap,
                       d.MethodDefToDescMap,
                       d.FieldDefToDescMap,
                       d.MemberRefToDescMap,
                       d.FileReferencesMap,
                       d.ManifestModuleReferencesMap,
                       d.LoaderAllocator,
                       d.ThunkHeap};
}

Result<ModuleImageInfo> DacRuntime::GetModuleImage(uint64_t module) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<IXCLRDataModule> data_module;
  if (HRESULT hr = sos_->GetModule(module, data_module.out()); hr < 0 || !data_module) {
    return DacError("GetModule", hr);
  }
  DacpGetModuleData d{};
  if (HRESULT hr = data_module->Request(kDacDataModuleRequestGetModuleData, 0, nullptr,
                                        sizeof d, reinterpret_cast<BYTE*>(&d));
      hr < 0) {
    return DacError("IXCLRDataModule::Request(GET_MODULEDATA)", hr);
  }
  return ModuleImageInfo{d.IsDynamic != 0, d.IsInMemory != 0, d.IsFileLayout != 0,
                         d.LoadedPEAddress, d.LoadedPESize};
}

Result<std::string> DacRuntime::GetModuleFileName(uint64_t module) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<IXCLRDataModule> data_module;
  if (HRESULT hr = sos_->GetModule(module, data_module.out()); hr < 0 || !data_module) {
    return DacError("GetModule", hr);
  }
  // GetFileName faults on a null buffer, so it is always given one.
  std::u16string name(kFirstNameBuffer, u'\0');
  ULONG32 needed = 0;
  const HRESULT hr =
      data_module->GetFileName(static_cast<ULONG32>(name.size()), &needed, name.data());
  if (hr < 0) return DacError("IXCLRDataModule::GetFileName", hr);
  if (needed == 0) {
    return MakeError(ErrorCode::kNotFound, fmt::format("module {:#x} has no file name", module));
  }
  name.resize(std::char_traits<char16_t>::length(name.c_str()));
  return Utf16ToUtf8(name);
}

Result<uint64_t> DacRuntime::GetPEFileBase(uint64_t pe_file) {
  std::lock_guard<std::mutex> lock(mutex_);
  CLRDATA_ADDRESS base = 0;
  if (HRESULT hr = sos_->GetPEFileBase(pe_file, &base); hr < 0) {
    return DacError("GetPEFileBase", hr);
  }
  return base;
}

Result<std::string> DacRuntime::GetPEFileName(uint64_t pe_file) {
  std::lock_guard<std::mutex> lock(mutex_);
  return ReadName("GetPEFileName", Accept::kAnySuccess,
                  [&](unsigned int count, WCHAR* name, unsigned int* needed) {
                    return sos_->GetPEFileName(pe_file, count, name, needed);
                  });
}

Result<std::vector<TypeMapEntry>> DacRuntime::GetModuleTypeMap(uint64_t module, bool type_refs) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<TypeMapEntry> entries;
  const int kind = type_refs ? kModuleMapTypeRefToMethodTable : kModuleMapTypeDefToMethodTable;
  // A walk that stops at unreadable memory fails, but what it reported
  // before stands, as SOS prints entries from the callback.
  const HRESULT hr = sos_->TraverseModuleMap(kind, module, CollectTypeMapEntry, &entries);
  if (hr < 0 && entries.empty()) return DacError("TraverseModuleMap", hr);
  return entries;
}

Result<std::vector<uint64_t>> DacRuntime::GetMethodsWithProfilerModifiedIL(uint64_t module,
                                                                           uint32_t max) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface7> sos7;
  if (process_->QueryInterface(&kIID_ISOSDacInterface7, sos7.out_void()) < 0 || !sos7) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface7");
  }
  std::vector<uint64_t> methods(max, 0);
  int fetched = 0;
  if (HRESULT hr = sos7->GetMethodsWithProfilerModifiedIL(module, methods.data(),
                                                          static_cast<int>(max), &fetched);
      hr < 0) {
    return DacError("GetMethodsWithProfilerModifiedIL", hr);
  }
  methods.resize(std::clamp<size_t>(static_cast<size_t>(std::max(fetched, 0)), 0, max));
  return methods;
}

Result<ProfilerIlKind> DacRuntime::GetProfilerModifiedIL(uint64_t method_desc) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface7> sos7;
  if (process_->QueryInterface(&kIID_ISOSDacInterface7, sos7.out_void()) < 0 || !sos7) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface7");
  }
  DacpProfilerILData d{};
  if (HRESULT hr = sos7->GetProfilerModifiedILInformation(method_desc, &d); hr < 0) {
    return DacError("GetProfilerModifiedILInformation", hr);
  }
  switch (d.type) {
    case 0: return ProfilerIlKind::kUnmodified;
    case 1: return ProfilerIlKind::kIlModified;
    case 2: return ProfilerIlKind::kRejitModified;
    default: return ProfilerIlKind::kOther;
  }
}

Result<std::string> DacRuntime::GetMethodDescName(uint64_t method_desc) {
  std::lock_guard<std::mutex> lock(mutex_);
  return ReadName("GetMethodDescName", Accept::kOnlyOk,
                  [&](unsigned int count, WCHAR* name, unsigned int* needed) {
                    return sos_->GetMethodDescName(method_desc, count, name, needed);
                  });
}

std::vector<uint64_t> DacRuntime::EnumerateModules() {
  std::vector<uint64_t> domains, modules;
  if (auto store = GetAppDomainStore()) {
    if (store->shared_domain) domains.push_back(store->shared_domain);
    if (store->system_domain) domains.push_back(store->system_domain);
    if (auto list = GetAppDomainList(store->domain_count)) {
      domains.insert(domains.end(), list->begin(), list->end());
    }
  }
  for (uint64_t domain : domains) {
    auto assemblies = GetAssemblyList(domain, 0);
    for (uint64_t assembly : assemblies ? *assemblies : std::vector<uint64_t>{}) {
      auto list = GetAssemblyModuleList(assembly, 0);
      for (uint64_t module : list ? *list : std::vector<uint64_t>{}) {
        if (std::ranges::find(modules, module) == modules.end()) modules.push_back(module);
      }
    }
  }
  return modules;
}

}  // namespace clrdump::runtime::dac
