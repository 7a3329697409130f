// What the GC recorded about itself beyond its layout: the last
// out-of-memory event of a heap, and the statistics of a runtime built with
// GC_CONFIG_DRIVEN (data points, compaction reasons, expansion and other
// mechanisms) that SOS's dumpgcdata prints.
#pragma once

#include <array>
#include <cstdint>

namespace clrdump::runtime {

// The GC's oom_history entry, with its reason codes as the runtime stores
// them (ClrMD's OutOfMemoryReason and GetMemoryFailureReason numbering).
struct GcOomInfo {
  int32_t reason = 0;          // 0: none
  int32_t memory_failure = 0;  // 0: none
  bool large_object_heap = false;
  uint64_t alloc_size = 0;
  uint64_t available_pagefile_mb = 0;
  uint64_t gc_index = 0;
  uint64_t size = 0;
};

struct GcInterestingInfo {
  std::array<uint64_t, 9> data_points{};
  std::array<uint64_t, 11> compact_reasons{};
  std::array<uint64_t, 6> expand_mechanisms{};
  std::array<uint64_t, 2> bit_mechanisms{};
};

using GcGlobalMechanisms = std::array<uint64_t, 6>;

}  // namespace clrdump::runtime
