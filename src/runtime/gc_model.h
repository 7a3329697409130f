// The GC's own bookkeeping as plain values: sub-heaps, their generation
// tables and segments (or regions), handles, stack references and sync
// blocks. The runtime model fills these; the heap walker and the heap
// commands read them.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace clrdump::runtime {

struct AddressRange {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t size() const { return end > start ? end - start : 0; }
  bool Contains(uint64_t address) const { return address >= start && address < end; }
};

// ClrMD's segment kinds, in its order (eeheap sorts by it).
enum class SegmentKind : uint8_t { kGen0, kGen1, kGen2, kLarge, kPinned, kFrozen, kEphemeral };

struct GcSegment {
  uint64_t address = 0;  // the GC's heap_segment record
  SegmentKind kind = SegmentKind::kGen2;
  uint32_t heap = 0;  // index of its sub-heap
  AddressRange objects;    // first object to end of allocated objects
  AddressRange committed;
  AddressRange reserved;   // after committed
  AddressRange gen0, gen1, gen2;  // parts of each generation (segments GC)
  uint64_t flags = 0;
  uint64_t next = 0;
  uint64_t background_allocated = 0;
};

struct GcGeneration {
  uint64_t start_segment = 0;
  uint64_t allocation_start = 0;
  uint64_t alloc_context_pointer = 0;
  uint64_t alloc_context_limit = 0;
};

struct GcSubHeap {
  uint64_t address = 0;  // 0 for the workstation GC
  uint32_t index = 0;
  uint64_t allocated = 0;
  uint64_t mark_array = 0;
  uint64_t state = 0;
  uint64_t current_sweep_position = 0;
  uint64_t saved_sweep_ephemeral_segment = 0;
  uint64_t saved_sweep_ephemeral_start = 0;
  uint64_t background_saved_lowest_address = 0;
  uint64_t background_saved_highest_address = 0;
  uint64_t ephemeral_segment = 0;
  uint64_t lowest_address = 0;
  uint64_t highest_address = 0;
  uint64_t card_table = 0;
  AddressRange alloc_context;  // the heap's own ephemeral allocation context
  std::vector<uint64_t> finalization_pointers;
  std::vector<GcGeneration> generations;
  std::vector<GcSegment> segments;  // LOH, gen2, (regions: gen1, gen0), POH lists
  bool has_regions() const {
    return generations.size() >= 2 && generations[0].start_segment != generations[1].start_segment;
  }
};

// A MethodTable as the runtime describes it.
struct MethodTableData {
  bool is_free = false;
  uint64_t module = 0;
  uint64_t eeclass = 0;  // the canonical MethodTable on .NET 9+
  uint64_t parent = 0;
  uint16_t num_interfaces = 0;
  uint16_t num_methods = 0;
  uint16_t num_vtable_slots = 0;
  uint16_t num_virtuals = 0;
  uint32_t base_size = 0;  // System.String: without its terminating char
  uint32_t component_size = 0;
  uint32_t token = 0;
  uint32_t attr_class = 0;
  bool is_shared = false;
  bool is_dynamic = false;
  bool contains_pointers = false;
};

enum class HandleKind : uint32_t {
  kWeakShort = 0,
  kWeakLong = 1,
  kStrong = 2,
  kPinned = 3,
  kVariable = 4,
  kRefCounted = 5,
  kDependent = 6,
  kAsyncPinned = 7,
  kSizedRef = 8,
  kWeakWinRT = 9,
  kWeakInteriorPointer = 10,
  kCrossReference = 11,
};

struct GcHandle {
  uint64_t address = 0;  // the handle; the object is the pointer stored there
  uint64_t secondary = 0;  // dependent handles: the dependent object
  uint64_t app_domain = 0;
  HandleKind kind = HandleKind::kStrong;
  bool strong_reference = false;
  uint32_t ref_count = 0;
  uint32_t jupiter_ref_count = 0;
  bool pegged = false;
};

struct StackReference {
  bool has_register = false;
  int32_t reg = 0;
  int32_t offset = 0;
  uint64_t address = 0;  // where the reference is stored (0 for registers)
  uint64_t object = 0;
  uint32_t flags = 0;  // 1 = interior, 2 = pinned
  uint32_t source_type = 0;  // 0 = IP (a frame's code), 1 = an explicit Frame
  uint64_t source = 0;
  uint64_t stack_pointer = 0;
};

struct SyncBlock {
  uint32_t index = 0;
  uint64_t address = 0;
  uint64_t object = 0;
  uint64_t app_domain = 0;
  uint32_t com_flags = 0;
  uint32_t monitor_held = 0;
  uint32_t recursion = 0;
  uint64_t holding_thread = 0;
  uint32_t additional_thread_count = 0;
};

// One entry of the sync block table as the runtime reports it, free or
// not, with the size of the table.
struct SyncBlockEntry {
  SyncBlock block;
  bool free = false;
  uint32_t table_count = 0;
};

// A sync block the finalizer thread still has to clean up.
struct SyncBlockCleanup {
  uint64_t sync_block = 0;
  uint64_t rcw = 0;
  uint64_t ccw = 0;
  uint64_t class_factory = 0;
};

// The handles a walk in fixed-size batches got before the runtime failed
// (the failure's HRESULT, when it did).
struct HandleWalk {
  std::vector<GcHandle> handles;
  std::optional<uint32_t> failure;
};

}  // namespace clrdump::runtime
