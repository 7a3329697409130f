// The DAC's records of the GC's out-of-memory events and of its
// GC_CONFIG_DRIVEN statistics, with ISOSDacInterface3 that serves the
// latter. Layouts as dacprivate.h declares them (x64).
#pragma once

#include <cstddef>

#include "runtime/dac/sos.h"

namespace clrdump::runtime::dac {

struct DacpOomData {
  int32_t reason;
  uint64_t alloc_size;
  uint64_t available_pagefile_mb;
  uint64_t gc_index;
  int32_t fgm;
  uint64_t size;
  int32_t loh_p;
};
static_assert(sizeof(DacpOomData) == 0x38);
static_assert(offsetof(DacpOomData, fgm) == 0x20);
static_assert(offsetof(DacpOomData, loh_p) == 0x30);

inline constexpr size_t kGcDataPoints = 9;
inline constexpr size_t kGcCompactReasons = 11;
inline constexpr size_t kGcExpandMechanisms = 6;
inline constexpr size_t kGcMechanismBits = 2;
inline constexpr size_t kGcGlobalMechanisms = 6;

struct DacpGCInterestingInfoData {
  uint64_t interesting_data_points[kGcDataPoints];
  uint64_t compact_reasons[kGcCompactReasons];
  uint64_t expand_mechanisms[kGcExpandMechanisms];
  uint64_t bit_mechanisms[kGcMechanismBits];
  uint64_t global_mechanisms[kGcGlobalMechanisms];
};
static_assert(sizeof(DacpGCInterestingInfoData) == 34 * 8);

inline constexpr Guid kIID_ISOSDacInterface3 = {0xB08C5CDC, 0xFD8A, 0x49C5,
                                                {0xAB, 0x38, 0x5F, 0xEE, 0xF3, 0x52, 0x35, 0xB4}};

class ISOSDacInterface3 : public IUnknown {
 public:
  virtual HRESULT GetGCInterestingInfoData(CLRDATA_ADDRESS heap,
                                           DacpGCInterestingInfoData* data) = 0;  // slot 3
  virtual HRESULT GetGCInterestingInfoStaticData(DacpGCInterestingInfoData* data) = 0;  // slot 4
  virtual HRESULT GetGCGlobalMechanisms(uint64_t* mechanisms) = 0;  // slot 5
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ISOSDacInterface3() = default;
};

}  // namespace clrdump::runtime::dac
