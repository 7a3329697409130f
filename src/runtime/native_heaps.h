// The runtime's own (non-GC) memory as ClrMD models it: loader heaps of
// LoaderAllocators, JIT code heaps and module thunk heaps, each a list of
// blocks. dotnet-dump's `eeheap` prints ClrMD's kind names and sorts by
// the kinds' order, so both are kept here as ClrMD has them.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "runtime/gc_model.h"

namespace clrdump::runtime {

// ClrMD's NativeHeapKind, in its order.
enum class NativeHeapKind : uint8_t {
  kUnknown,
  kIndirectionCellHeap,
  kLookupHeap,
  kResolveHeap,
  kDispatchHeap,
  kCacheEntryHeap,
  kVtableHeap,
  kLoaderCodeHeap,
  kHostCodeHeap,
  kStubHeap,
  kHighFrequencyHeap,
  kLowFrequencyHeap,
  kExecutableHeap,
  kFixupPrecodeHeap,
  kNewStubPrecodeHeap,
  kThunkHeap,
};

inline std::string_view NativeHeapKindName(NativeHeapKind kind) {
  static constexpr std::array<std::string_view, 16> kNames = {
      "Unknown",         "IndirectionCellHeap", "LookupHeap",        "ResolveHeap",
      "DispatchHeap",    "CacheEntryHeap",      "VtableHeap",        "LoaderCodeHeap",
      "HostCodeHeap",    "StubHeap",            "HighFrequencyHeap", "LowFrequencyHeap",
      "ExecutableHeap",  "FixupPrecodeHeap",    "NewStubPrecodeHeap", "ThunkHeap"};
  return kNames[static_cast<size_t>(kind)];
}

// ClrMD's ClrNativeHeapState: whether a block is the one the heap
// allocates from now (eeheap counts unused pages of the others as wasted).
enum class NativeHeapState : uint8_t { kNone, kActive, kInactive };

struct NativeHeap {
  AddressRange range;  // the block; empty when its size is unknown
  NativeHeapKind kind = NativeHeapKind::kUnknown;
  NativeHeapState state = NativeHeapState::kNone;
};

struct JitManager {
  uint64_t address = 0;
  uint32_t code_type = 0;
  uint64_t heap_list = 0;
};

}  // namespace clrdump::runtime
