// Objects, MethodTables, FieldDescs and MethodDescs for the inspection
// commands, through ISOSDacInterface and its versions 6, 8, 14 and 15.
// SOS treats anything but S_OK from these requests as a failure; so do we.
#include <algorithm>
#include <cstring>

#include "runtime/dac/dac_runtime.h"
#include "runtime/dac/sos_types.h"

namespace clrdump::runtime::dac {

Result<ObjectDetails> DacRuntime::GetObjectDetails(uint64_t address) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpObjectData d{};
  if (HRESULT hr = sos_->GetObjectData(address, &d); hr != kS_OK) {
    return DacError("GetObjectData", hr);
  }
  ObjectDetails o;
  o.method_table = d.MethodTable;
  o.kind = d.ObjectType <= 4 ? static_cast<ObjectKind>(d.ObjectType) : ObjectKind::kOther;
  o.size = d.Size;
  o.element_type_handle = d.ElementTypeHandle;
  o.element_type = d.ElementType;
  o.rank = d.dwRank;
  o.component_count = d.dwNumComponents;
  o.component_size = d.dwComponentSize;
  o.array_data = d.ArrayDataPtr;
  o.array_bounds = d.ArrayBoundsPtr;
  o.array_lower_bounds = d.ArrayLowerBoundsPtr;
  o.rcw = d.RCW;
  o.ccw = d.CCW;
  return o;
}

Result<MethodTableFields> DacRuntime::GetMethodTableFields(uint64_t method_table) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpMethodTableFieldData d{};
  if (HRESULT hr = sos_->GetMethodTableFieldData(method_table, &d); hr != kS_OK) {
    return DacError("GetMethodTableFieldData", hr);
  }
  return MethodTableFields{d.wNumInstanceFields, d.wNumStaticFields,     d.wNumThreadStaticFields,
                           d.FirstField,         d.wContextStaticOffset, d.wContextStaticsSize};
}

Result<FieldDescInfo> DacRuntime::GetFieldDesc(uint64_t field_desc) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpFieldDescData d{};
  if (HRESULT hr = sos_->GetFieldDescData(field_desc, &d); hr != kS_OK) {
    return DacError("GetFieldDescData", hr);
  }
  FieldDescInfo f;
  f.type = d.Type;
  f.sig_type = d.sigType;
  f.type_method_table = d.MTOfType;
  f.type_module = d.ModuleOfType;
  f.type_token = d.TokenOfType;
  f.token = d.mb;
  f.enclosing_method_table = d.MTOfEnclosingClass;
  f.offset = d.dwOffset;
  f.is_thread_local = d.bIsThreadLocal != 0;
  f.is_context_local = d.bIsContextLocal != 0;
  f.is_static = d.bIsStatic != 0;
  f.next = d.NextField;
  return f;
}

Result<uint64_t> DacRuntime::GetMethodTableForEEClass(uint64_t ee_class) {
  std::lock_guard<std::mutex> lock(mutex_);
  CLRDATA_ADDRESS mt = 0;
  if (HRESULT hr = sos_->GetMethodTableForEEClass(ee_class, &mt); hr < 0) {
    return DacError("GetMethodTableForEEClass", hr);
  }
  return mt;
}

Result<StaticBases> DacRuntime::GetStaticBases(uint64_t method_table) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface14> sos14;
  if (process_->QueryInterface(&kIID_ISOSDacInterface14, sos14.out_void()) < 0 || !sos14) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface14");
  }
  CLRDATA_ADDRESS non_gc = 0, gc = 0;
  if (HRESULT hr = sos14->GetStaticBaseAddress(method_table, &non_gc, &gc); hr < 0) {
    return DacError("GetStaticBaseAddress", hr);
  }
  return StaticBases{non_gc, gc};
}

Result<StaticBases> DacRuntime::GetThreadStaticBases(uint64_t method_table, uint64_t thread) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface14> sos14;
  if (process_->QueryInterface(&kIID_ISOSDacInterface14, sos14.out_void()) < 0 || !sos14) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface14");
  }
  CLRDATA_ADDRESS non_gc = 0, gc = 0;
  if (HRESULT hr = sos14->GetThreadStaticBaseAddress(method_table, thread, &non_gc, &gc); hr < 0) {
    return DacError("GetThreadStaticBaseAddress", hr);
  }
  return StaticBases{non_gc, gc};
}

Result<uint32_t> DacRuntime::GetMethodTableInitFlags(uint64_t method_table) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface14> sos14;
  if (process_->QueryInterface(&kIID_ISOSDacInterface14, sos14.out_void()) < 0 || !sos14) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface14");
  }
  uint32_t flags = 0;
  if (HRESULT hr = sos14->GetMethodTableInitializationFlags(method_table, &flags); hr < 0) {
    return DacError("GetMethodTableInitializationFlags", hr);
  }
  return flags;
}

Result<uint64_t> DacRuntime::GetAssemblyLoadContext(uint64_t method_table) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface8> sos8;
  if (process_->QueryInterface(&kIID_ISOSDacInterface8, sos8.out_void()) < 0 || !sos8) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface8");
  }
  CLRDATA_ADDRESS alc = 0;
  if (HRESULT hr = sos8->GetAssemblyLoadContext(method_table, &alc); hr < 0) {
    return DacError("GetAssemblyLoadContext", hr);
  }
  return alc;
}

Result<uint64_t> DacRuntime::GetLoaderAllocatorHandle(uint64_t method_table) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface6> sos6;
  if (process_->QueryInterface(&kIID_ISOSDacInterface6, sos6.out_void()) < 0 || !sos6) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface6");
  }
  DacpMethodTableCollectibleData d{};
  if (HRESULT hr = sos6->GetMethodTableCollectibleData(method_table, &d); hr < 0) {
    return DacError("GetMethodTableCollectibleData", hr);
  }
  return d.LoaderAllocatorObjectHandle;
}

Result<std::vector<MethodSlot>> DacRuntime::GetMethodTableSlots(uint64_t method_table) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface15> sos15;
  if (process_->QueryInterface(&kIID_ISOSDacInterface15, sos15.out_void()) < 0 || !sos15) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface15");
  }
  ComPtr<ISOSMethodEnum> methods;
  if (HRESULT hr = sos15->GetMethodTableSlotEnumerator(method_table, methods.out()); hr < 0) {
    return DacError("GetMethodTableSlotEnumerator", hr);
  }
  // A MethodTable has at most 65535 slots; the bound also stops a
  // corrupt enumerator that never ends.
  std::vector<MethodSlot> slots;
  for (size_t i = 0; i < 0x10000; ++i) {
    SOSMethodData d{};
    unsigned int fetched = 0;
    if (methods->Next(1, &d, &fetched) < 0 || fetched == 0) break;
    slots.push_back(
        {d.MethodDesc, d.Entrypoint, d.DefiningMethodTable, d.DefiningModule, d.Token, d.Slot});
  }
  return slots;
}

Result<CodeHeader> DacRuntime::GetCodeHeader(uint64_t ip) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpCodeHeaderData d{};
  if (HRESULT hr = sos_->GetCodeHeaderData(ip, &d); hr != kS_OK) {
    return DacError("GetCodeHeaderData", hr);
  }
  const JitKind jit = d.JITType == 1   ? JitKind::kJit
                      : d.JITType == 2 ? JitKind::kPreJit
                                       : JitKind::kUnknown;
  return CodeHeader{d.GCInfo, jit, d.MethodDescPtr, d.MethodStart, d.MethodSize};
}

Result<MethodDescDetails> DacRuntime::GetMethodDescDetails(uint64_t method_desc) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpMethodDescData d{};
  if (HRESULT hr = sos_->GetMethodDescData(method_desc, 0, &d, 0, nullptr, nullptr); hr != kS_OK) {
    return DacError("GetMethodDescData", hr);
  }
  MethodDescDetails m;
  m.has_native_code = d.bHasNativeCode != 0;
  m.dynamic = d.bIsDynamic != 0;
  m.slot = d.wSlotNumber;
  m.native_code = d.NativeCodeAddr;
  m.method_desc = d.MethodDescPtr;
  m.method_table = d.MethodTablePtr;
  m.module = d.ModulePtr;
  m.token = d.MDToken;
  m.gc_info = d.GCInfo;
  // The current ReJIT data starts with its id.
  std::memcpy(&m.rejit_current_id, d.rejitDataCurrent, sizeof m.rejit_current_id);
  return m;
}

Result<uint64_t> DacRuntime::GetThreadFromThinLockId(uint32_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  CLRDATA_ADDRESS thread = 0;
  if (HRESULT hr = sos_->GetThreadFromThinlockID(id, &thread); hr != kS_OK) {
    return DacError("GetThreadFromThinlockID", hr);
  }
  return thread;
}

Result<ReJitInfo> DacRuntime::GetReJitInfo(uint64_t method_desc, int32_t rejit_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface7> sos7;
  if (process_->QueryInterface(&kIID_ISOSDacInterface7, sos7.out_void()) < 0 || !sos7) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface7");
  }
  DacpReJitData2 d{};
  if (HRESULT hr = sos7->GetReJITInformation(method_desc, rejit_id, &d); hr < 0) {
    return DacError("GetReJITInformation", hr);
  }
  return ReJitInfo{d.il, d.ilCodeVersionNodePtr};
}

Result<int32_t> DacRuntime::GetPendingReJitId(uint64_t method_desc) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface7> sos7;
  if (process_->QueryInterface(&kIID_ISOSDacInterface7, sos7.out_void()) < 0 || !sos7) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface7");
  }
  int id = 0;
  if (HRESULT hr = sos7->GetPendingReJITID(method_desc, &id); hr != kS_OK) {
    return MakeError(ErrorCode::kNotFound, "no pending ReJIT");
  }
  return id;
}

Result<std::vector<TieredVersion>> DacRuntime::GetTieredVersions(uint64_t method_desc,
                                                                 int32_t rejit_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface5> sos5;
  if (process_->QueryInterface(&kIID_ISOSDacInterface5, sos5.out_void()) < 0 || !sos5) {
    return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface5");
  }
  // SOS asks for at most ten versions.
  constexpr int kMaxVersions = 10;
  DacpTieredVersionData d[kMaxVersions]{};
  int fetched = 0;
  if (HRESULT hr = sos5->GetTieredVersions(method_desc, rejit_id, d, kMaxVersions, &fetched);
      hr < 0) {
    return DacError("GetTieredVersions", hr);
  }
  std::vector<TieredVersion> versions;
  for (int i = 0; i < std::clamp(fetched, 0, kMaxVersions); ++i) {
    versions.push_back({d[i].NativeCodeAddr, d[i].OptimizationTier, d[i].NativeCodeVersionNodePtr});
  }
  return versions;
}

}  // namespace clrdump::runtime::dac
