// The GC's out-of-memory records and GC_CONFIG_DRIVEN statistics, read
// through ISOSDacInterface (OOM) and ISOSDacInterface3 (statistics).
#include <algorithm>

#include "runtime/dac/dac_runtime.h"
#include "runtime/dac/sos_gc_info.h"

namespace clrdump::runtime::dac {
namespace {

template <size_t N>
void CopyCounts(std::array<uint64_t, N>& to, const uint64_t (&from)[N]) {
  std::copy(std::begin(from), std::end(from), to.begin());
}

}  // namespace

Result<GcOomInfo> DacRuntime::GetGcOomInfo(uint64_t heap) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpOomData d{};
  HRESULT hr = heap ? sos_->GetOOMData(heap, &d) : sos_->GetOOMStaticData(&d);
  if (hr < 0) return DacError(heap ? "GetOOMData" : "GetOOMStaticData", hr);
  GcOomInfo info;
  info.reason = d.reason;
  info.memory_failure = d.fgm;
  info.large_object_heap = d.loh_p != 0;
  info.alloc_size = d.alloc_size;
  info.available_pagefile_mb = d.available_pagefile_mb;
  info.gc_index = d.gc_index;
  info.size = d.size;
  return info;
}

// Interface 3 is asked for at each use, as SOS does: these commands are
// rare and the DAC may not offer it.
Result<GcInterestingInfo> DacRuntime::GetGcInterestingInfo(uint64_t heap) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface3> sos3;
  HRESULT hr = process_->QueryInterface(&kIID_ISOSDacInterface3, sos3.out_void());
  if (hr < 0 || !sos3) return DacError("QueryInterface(ISOSDacInterface3)", hr);
  DacpGCInterestingInfoData d{};
  hr = heap ? sos3->GetGCInterestingInfoData(heap, &d) : sos3->GetGCInterestingInfoStaticData(&d);
  // SOS accepts only S_OK here, not other success codes.
  if (hr != kS_OK) {
    return DacError(heap ? "GetGCInterestingInfoData" : "GetGCInterestingInfoStaticData", hr);
  }
  GcInterestingInfo info;
  CopyCounts(info.data_points, d.interesting_data_points);
  CopyCounts(info.compact_reasons, d.compact_reasons);
  CopyCounts(info.expand_mechanisms, d.expand_mechanisms);
  CopyCounts(info.bit_mechanisms, d.bit_mechanisms);
  return info;
}

Result<GcGlobalMechanisms> DacRuntime::GetGcGlobalMechanisms() {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSDacInterface3> sos3;
  HRESULT hr = process_->QueryInterface(&kIID_ISOSDacInterface3, sos3.out_void());
  if (hr < 0 || !sos3) return DacError("QueryInterface(ISOSDacInterface3)", hr);
  DacpGCInterestingInfoData d{};
  if (hr = sos3->GetGCGlobalMechanisms(d.global_mechanisms); hr < 0) {
    return DacError("GetGCGlobalMechanisms", hr);
  }
  GcGlobalMechanisms mechanisms;
  CopyCounts(mechanisms, d.global_mechanisms);
  return mechanisms;
}

}  // namespace clrdump::runtime::dac
