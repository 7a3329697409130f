#include "runtime/heap_verify.h"

#include <algorithm>
#include <climits>

namespace clrdump::runtime {
namespace {

// Object header bits (the runtime's syncblk.h).
constexpr uint32_t kHashOrSyncBlockIndex = 0x08000000;
constexpr uint32_t kHashCode = 0x04000000;
constexpr uint32_t kSyncBlockIndexMask = (1u << 26) - 1;
// The GC's background-GC states and segment flags (gc.h).
constexpr uint64_t kGcStatePlanning = 1;
constexpr uint64_t kSegmentSwept = 16;
constexpr size_t kMaxProblems = 64;

uint64_t MaxObjectSize(SegmentKind kind) {
  switch (kind) {
    case SegmentKind::kLarge:
    case SegmentKind::kPinned:
    case SegmentKind::kFrozen:
      return INT_MAX;
    default:
      return 85000;
  }
}

}  // namespace

std::string_view CorruptionKindName(CorruptionKind kind) {
  switch (kind) {
    case CorruptionKind::kObjectNotOnTheHeap: return "ObjectNotOnTheHeap";
    case CorruptionKind::kObjectNotPointerAligned: return "ObjectNotPointerAligned";
    case CorruptionKind::kObjectTooLarge: return "ObjectTooLarge";
    case CorruptionKind::kInvalidMethodTable: return "InvalidMethodTable";
    case CorruptionKind::kInvalidThinlock: return "InvalidThinlock";
    case CorruptionKind::kSyncBlockMismatch: return "SyncBlockMismatch";
    case CorruptionKind::kSyncBlockZero: return "SyncBlockZero";
    case CorruptionKind::kObjectReferenceNotPointerAligned:
      return "ObjectReferenceNotPointerAligned";
    case CorruptionKind::kInvalidObjectReference: return "InvalidObjectReference";
    case CorruptionKind::kFreeObjectReference: return "FreeObjectReference";
    case CorruptionKind::kCouldNotReadMethodTable: return "CouldNotReadMethodTable";
    case CorruptionKind::kCouldNotReadCardTable: return "CouldNotReadCardTable";
    case CorruptionKind::kCouldNotReadObject: return "CouldNotReadObject";
    case CorruptionKind::kCouldNotReadGCDesc: return "CouldNotReadGCDesc";
  }
  return "None";
}

int CorruptionKindWidth() {
  return static_cast<int>(CorruptionKindName(CorruptionKind::kObjectReferenceNotPointerAligned)
                              .size());
}

const std::vector<SyncBlock>& HeapVerifier::sync_blocks() {
  if (!sync_blocks_) {
    auto blocks = runtime_.GetSyncBlocks();
    sync_blocks_ = blocks ? std::move(*blocks) : std::vector<SyncBlock>{};
    for (const SyncBlock& b : *sync_blocks_) sync_index_.try_emplace(b.object, b.index);
  }
  return *sync_blocks_;
}

std::optional<ObjectCorruption> HeapVerifier::FirstProblem(uint64_t address) {
  std::vector<ObjectCorruption> found = AllProblemsUpTo(address, 1);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<ObjectCorruption> HeapVerifier::AllProblems(uint64_t address) {
  return AllProblemsUpTo(address, kMaxProblems);
}

std::vector<ObjectCorruption> HeapVerifier::AllProblemsUpTo(uint64_t address, size_t max) {
  std::vector<ObjectCorruption> found;
  const GcSegment* segment = heap_.SegmentOf(address);
  if (!segment) {
    found.push_back({address, 0, CorruptionKind::kObjectNotOnTheHeap});
    return found;
  }
  sync_blocks();
  Verify(*segment, address, max, found);
  return found;
}

void HeapVerifier::Verify(const GcSegment& segment, uint64_t address, size_t max,
                          std::vector<ObjectCorruption>& found) {
  auto add = [&](CorruptionKind kind, int64_t offset) {
    found.push_back({address, offset, kind});
    return found.size() < max;
  };
  if (address & 7) {
    add(CorruptionKind::kObjectNotPointerAligned, 0);
    return;
  }
  const HeapObject object = heap_.ObjectAt(address, &segment);
  if (!object.free()) {
    auto mt = heap_.ReadTargetPointer(address);
    if (!mt) {
      add(CorruptionKind::kCouldNotReadMethodTable, 0);
      return;
    }
    if (!heap_.Type(*mt & ~uint64_t{1}) || !object.valid()) {
      add(CorruptionKind::kInvalidMethodTable, 0);
      return;
    }
  }
  if (address + object.size > segment.objects.end ||
      (!object.free() && object.size > MaxObjectSize(segment.kind))) {
    if (!add(CorruptionKind::kObjectTooLarge, 8)) return;
  }
  if (object.free()) return;
  bool unreadable = false;
  bool members = object.type->data.contains_pointers &&
                 ShouldVerifyMembers(segment, address, unreadable);
  if (unreadable) {
    if (!add(CorruptionKind::kCouldNotReadCardTable, 0)) return;
    members = false;
  }
  // A too-large array has a smashed length: its "members" are noise.
  if (members && object.type->data.component_size != 0 && !object.type->is_string) {
    for (const ObjectCorruption& c : found) {
      if (c.kind == CorruptionKind::kObjectTooLarge) members = false;
    }
  }
  if (members && !VerifyReferences(object, max, found)) return;
  VerifyHeader(address, max, found);
}

bool HeapVerifier::VerifyReferences(const HeapObject& object, size_t max,
                                    std::vector<ObjectCorruption>& found) {
  auto add = [&](CorruptionKind kind, int64_t offset) {
    found.push_back({object.address, offset, kind});
    return found.size() < max;
  };
  if (object.type->gcdesc.empty() && !add(CorruptionKind::kCouldNotReadGCDesc, 0)) return false;
  const uint64_t size = std::min<uint64_t>(object.size, INT_MAX);
  // One buffer for every object: a walk verifies millions of them.
  object_bytes_.resize(size);
  const size_t read = heap_.ReadBytes(object.address, object_bytes_);
  if (read != size && !add(CorruptionKind::kCouldNotReadObject, static_cast<int64_t>(read))) {
    return false;
  }
  bool go_on = true;
  const uint64_t free_mt = heap_.globals().free_mt;
  heap_.ForEachReference(object, [&](uint64_t slot, uint64_t target) {
    if (!go_on) return;
    const int64_t offset = static_cast<int64_t>(slot - object.address);
    if ((target & 7) && !(go_on = add(CorruptionKind::kObjectReferenceNotPointerAligned, offset))) {
      return;
    }
    auto mt = heap_.ReadTargetPointer(target);
    if (!mt || !heap_.Type(*mt & ~uint64_t{1})) {
      go_on = add(CorruptionKind::kInvalidObjectReference, offset);
    } else if ((*mt & ~uint64_t{1}) == free_mt) {
      go_on = add(CorruptionKind::kFreeObjectReference, offset);
    }
  });
  return found.size() < max;
}

void HeapVerifier::VerifyHeader(uint64_t address, size_t max,
                                std::vector<ObjectCorruption>& found) {
  if (found.size() >= max) return;
  const uint32_t header = heap_.ReadU32(address - 4).value_or(0);
  auto block = sync_index_.find(address);
  const int64_t clr_index = block == sync_index_.end() ? -1 : block->second;
  ObjectCorruption c{address, -4, CorruptionKind::kSyncBlockMismatch, -1, clr_index};
  bool bad_sync_block = clr_index >= 0;
  if ((header & kHashOrSyncBlockIndex) && !(header & kHashCode)) {
    const uint32_t index = header & kSyncBlockIndexMask;
    if (index == 0) {
      c.kind = CorruptionKind::kSyncBlockZero;
    } else {
      c.sync_block_index = index;
    }
    bad_sync_block = index == 0 || index != clr_index;
  }
  if (bad_sync_block) {
    found.push_back(c);
    if (found.size() >= max) return;
  }
  // A thin lock must name one of the runtime's threads.
  if (auto lock = thin_locks_.Owner(header); lock && !thin_locks_.ThreadAt(lock->thread)) {
    found.push_back({address, -4, CorruptionKind::kInvalidThinlock});
  }
}

bool HeapVerifier::ShouldVerifyMembers(const GcSegment& segment, uint64_t address,
                                       bool& unreadable) {
  const GcSubHeap* sub = nullptr;
  for (const GcSubHeap& h : heap_.sub_heaps()) {
    if (h.index == segment.heap) sub = &h;
  }
  // Only a background GC's planning phase leaves unmarked objects whose
  // references may be stale (the GC's should_check_bgc_mark).
  if (!sub || sub->state != kGcStatePlanning || (segment.flags & kSegmentSwept) ||
      !segment.objects.Contains(sub->current_sweep_position) ||
      segment.background_allocated == 0) {
    return true;
  }
  if (address < sub->current_sweep_position) return true;
  if (segment.address == sub->saved_sweep_ephemeral_segment &&
      address >= sub->saved_sweep_ephemeral_start) {
    return true;
  }
  if (address >= segment.background_allocated) return true;
  if (address < sub->background_saved_lowest_address ||
      address >= sub->background_saved_highest_address) {
    return true;
  }
  auto word = heap_.ReadU32(sub->mark_array + 4 * (address / 256));
  if (!word) {
    unreadable = true;
    return false;
  }
  return (*word >> ((address / 8) % 32)) & 1;
}

}  // namespace clrdump::runtime
