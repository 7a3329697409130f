// The GC heap as the heap commands see it: segments ordered by address, a
// walk over their objects read straight from the dump's mapping, and the
// references each object holds (from its type's GCDesc). MethodTable facts
// are asked of the runtime once per MethodTable; names only when printed.
// The walk follows ClrMD's rules, whose results dotnet-dump prints.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "dump/elf_core.h"
#include "dump/process_memory.h"
#include "runtime/gc_model.h"
#include "runtime/runtime.h"

namespace clrdump::runtime {

// A MethodTable as the walker needs it.
struct HeapType {
  uint64_t method_table = 0;
  MethodTableData data;
  bool is_string = false;
  // The GCDesc words that precede the MethodTable (empty: no references).
  std::vector<uint8_t> gcdesc;
};

struct HeapObject {
  uint64_t address = 0;
  uint64_t method_table = 0;       // as stored, with the GC's mark bit cleared
  const HeapType* type = nullptr;  // nullptr: not a MethodTable the runtime knows
  // As dotnet-dump reports it: unaligned, at least 24; 0 when invalid. The
  // next object starts at AlignObjectSize(size).
  uint64_t size = 0;
  bool valid() const { return type != nullptr; }
  bool free() const { return type && type->data.is_free; }
};

// Why a segment's walk ended before its end.
struct WalkBreak {
  uint64_t address = 0;  // the object that could not be stepped over
  uint64_t last_good = 0;
  std::string reason;
};

class ManagedHeap {
 public:
  ManagedHeap(Runtime& runtime, const dump::ElfCore& core, const dump::ProcessMemory& memory)
      : runtime_(runtime), core_(core), memory_(memory) {}
  // Reads the GC's layout; kNotFound-style errors from the runtime pass on.
  Status Load();

  bool server() const { return server_; }
  // False when the dump was taken mid-GC (dotnet-dump refuses to walk).
  bool can_walk() const { return can_walk_; }
  const std::vector<GcSubHeap>& sub_heaps() const { return sub_heaps_; }
  // Every segment of every sub-heap, ordered by first object.
  const std::vector<const GcSegment*>& segments() const { return segments_; }
  const GcSegment* SegmentOf(uint64_t address) const;
  const UsefulGlobals& globals() const { return globals_; }

  // The type at `method_table`, asked of the runtime once; nullptr when it
  // is not a MethodTable.
  const HeapType* Type(uint64_t method_table);
  // ClrMD's spelling of the type's name ("Free" for free space); "" when
  // the runtime has none.
  const std::string& TypeName(uint64_t method_table);

  // The object at `address` with its size (type nullptr when invalid);
  // `segment` may be nullptr (sizes do not depend on it on x64).
  HeapObject ObjectAt(uint64_t address, const GcSegment* segment = nullptr);

  // Visits each object of `segment` in address order, stepping over
  // allocation contexts. `visit(const HeapObject&)` returns false to stop.
  // An invalid object is visited too, then the walk resumes at the next
  // word that holds a known MethodTable (ClrMD's careful walk). Returns the
  // first place the walk could not step over an object.
  template <typename Visit>
  std::optional<WalkBreak> Walk(const GcSegment& segment, Visit&& visit);

  // Calls `visit(slot_address, target)` for each non-null reference
  // `object` holds.
  template <typename Visit>
  void ForEachReference(const HeapObject& object, Visit&& visit);

  // Lets every page of the dump read so far leave the resident set (they
  // are read again from the page cache when touched): long commands whose
  // reads jump around the heap call it now and then to bound their memory,
  // and after a walk, before the DAC is asked for names.
  void ReleaseResident() const;

  std::optional<uint64_t> ReadPointer(uint64_t address) const;
  std::optional<uint32_t> ReadU32(uint64_t address) const;

  // --- Neighbours and checks (listnearobj, gcwhere, verifyheap, dumpgen).
  // ClrMD's FindPreviousObjectOnSegment (careful): the last object of
  // `segment` that starts before `address`; nullopt when there is none or
  // `address` is outside the segment's objects.
  std::optional<HeapObject> PreviousObject(const GcSegment& segment, uint64_t address);
  // ClrMD's FindNextObjectOnSegment (careful): the first object of
  // `segment` after `address`, valid or not; nullopt when there is none or
  // `address` is outside the segment's objects.
  std::optional<HeapObject> NextObject(const GcSegment& segment, uint64_t address);
  // The allocation contexts the walk steps over (start, limit).
  std::vector<AddressRange> AllocationContexts() const;
  // A pointer read as the debugger's memory service reads it: the dump,
  // then module files on disk.
  std::optional<uint64_t> ReadTargetPointer(uint64_t address) const;
  // Bytes of the dump's heap memory; returns how many could be read.
  size_t ReadBytes(uint64_t address, std::span<uint8_t> out) const;
  // ClrMD's walk without `carefully`: visits objects in order and stops
  // after the first invalid one, or at memory the dump lacks.
  template <typename Visit>
  void WalkUntilInvalid(const GcSegment& segment, Visit&& visit);
  // A hint that ObjectAt(address) comes soon: root searches call it for the
  // references they queue, so those headers load while others are walked.
  void Prefetch(uint64_t address) const {
    if (const uint8_t* at = MappedAt(address, 8)) __builtin_prefetch(at);
  }

 private:
  uint64_t StepOverContexts(const GcSegment& segment, uint64_t address) const;
  uint64_t FindNextValid(const GcSegment& segment, uint64_t address);
  uint64_t SizeOf(const HeapType& type, uint64_t address, bool& ok) const;
  std::span<const uint8_t> Bytes(uint64_t address, uint64_t size) const;
  // Where [address, address + size) is in the dump's mapping, when one of
  // its segments stores all of it.
  const uint8_t* MappedAt(uint64_t address, uint64_t size) const {
    for (const Window& w : windows_) {
      if (address >= w.start && address - w.start + size <= w.bytes.size()) {
        return w.bytes.data() + (address - w.start);
      }
    }
    return MapWindow(address, size);
  }
  const uint8_t* MapWindow(uint64_t address, uint64_t size) const;
  template <typename Visit>
  void WalkSeries(const HeapObject& object, std::span<const uint8_t> body, Visit& visit);

  Runtime& runtime_;
  const dump::ElfCore& core_;
  const dump::ProcessMemory& memory_;
  bool server_ = false;
  bool can_walk_ = false;
  UsefulGlobals globals_;
  std::vector<GcSubHeap> sub_heaps_;
  std::vector<const GcSegment*> segments_;
  std::unordered_map<uint64_t, uint64_t> contexts_;  // start -> limit
  std::unordered_map<uint64_t, std::unique_ptr<HeapType>> types_;  // nullptr: invalid
  // Most objects share a few MethodTables: a small direct-mapped cache in
  // front of types_ saves a hash lookup per object.
  static constexpr size_t kRecentTypes = 64;
  std::array<const HeapType*, kRecentTypes> recent_types_{};
  std::unordered_map<uint64_t, std::string> names_;
  // The last two segments of the dump read from, each whole: scattered reads
  // (root searches) keep hitting them, and a heap stored in several of the
  // dump's segments has references going back and forth between two.
  struct Window {
    uint64_t start = 0;
    std::span<const uint8_t> bytes;
  };
  mutable std::array<Window, 2> windows_;
  mutable std::vector<uint8_t> scratch_;
};

// Size rounding of objects: pointer-size on the small object heap, 8 bytes
// on the large and pinned ones (the same on x64).
inline uint64_t AlignObjectSize(uint64_t size) { return (size + 7) & ~uint64_t{7}; }
inline constexpr uint64_t kMinObjectSize = 24;
// How much of a segment a walk keeps mapped in before releasing it.
inline constexpr uint64_t kResidentWindow = 2ull << 20;

template <typename Visit>
std::optional<WalkBreak> ManagedHeap::Walk(const GcSegment& segment, Visit&& visit) {
  uint64_t address = segment.objects.start;
  uint64_t last_good = 0;
  uint64_t resident_from = address;
  std::optional<WalkBreak> first_break;
  while (segment.objects.Contains(address)) {
    if (address - resident_from > kResidentWindow) {
      // What the walk has passed need not stay in memory.
      core_.Release(resident_from, address - resident_from - kResidentWindow / 4);
      resident_from = address - kResidentWindow / 4;
    }
    HeapObject object = ObjectAt(address, &segment);
    // Memory the dump lacks holds no object to show (a Mini dump's heap).
    const bool readable = object.method_table != 0 || ReadPointer(address).has_value();
    if (readable && !visit(static_cast<const HeapObject&>(object))) break;
    if (!object.valid()) {
      if (!first_break) first_break = WalkBreak{address, last_good, "bad object"};
      // As dotnet-dump does, look for the next MethodTable further on.
      address = FindNextValid(segment, address + (segment.kind == SegmentKind::kLarge
                                                      ? 85000 : kMinObjectSize));
      continue;
    }
    last_good = address;
    address = StepOverContexts(segment, address + AlignObjectSize(object.size));
    if (address == 0 && !first_break) {
      first_break = WalkBreak{last_good, last_good, "allocation context overlaps"};
    }
  }
  if (segment.objects.end > resident_from) {
    core_.Release(resident_from, segment.objects.end - resident_from);
  }
  return first_break;
}

template <typename Visit>
void ManagedHeap::ForEachReference(const HeapObject& object, Visit&& visit) {
  if (!object.valid() || object.type->gcdesc.empty() || object.size < 8) return;
  std::span<const uint8_t> body = Bytes(object.address, object.size);
  if (body.size() < object.size) return;
  WalkSeries(object, body, visit);
}

template <typename Visit>
void ManagedHeap::WalkSeries(const HeapObject& object, std::span<const uint8_t> body,
                             Visit& visit) {
  const std::vector<uint8_t>& desc = object.type->gcdesc;
  auto word = [&](size_t at) {
    int64_t v;
    std::memcpy(&v, desc.data() + at, 8);
    return v;
  };
  auto slot = [&](int64_t offset) {
    if (offset < 0 || static_cast<uint64_t>(offset) + 8 > body.size()) return;
    uint64_t target;
    std::memcpy(&target, body.data() + offset, 8);
    if (target) visit(object.address + static_cast<uint64_t>(offset), target);
  };
  const int64_t size = static_cast<int64_t>(object.size);
  const int64_t series = word(desc.size() - 8);
  const size_t highest = desc.size() - 24;
  if (series > 0) {
    for (int64_t i = 0; i < series; ++i) {
      const size_t at = highest - static_cast<size_t>(i) * 16;
      int64_t offset = word(at + 8);
      const int64_t stop = offset + word(at) + size;
      for (; offset < stop && offset < size; offset += 8) slot(offset);
    }
    return;
  }
  int64_t offset = word(highest + 8);
  while (offset < size - 8) {
    const int64_t before = offset;
    for (int64_t i = 0; i > series; --i) {
      int32_t pointers, skip;
      std::memcpy(&pointers, desc.data() + highest + i * 8, 4);
      std::memcpy(&skip, desc.data() + highest + i * 8 + 4, 4);
      const int64_t stop = offset + int64_t{pointers} * 8;
      do {
        slot(offset);
        offset += 8;
      } while (offset < stop);
      offset += skip;
    }
    if (offset <= before) break;  // a corrupt descriptor must not loop forever
  }
}

template <typename Visit>
void ManagedHeap::WalkUntilInvalid(const GcSegment& segment, Visit&& visit) {
  uint64_t address = segment.objects.start;
  uint64_t resident_from = address;
  while (segment.objects.Contains(address)) {
    if (address - resident_from > kResidentWindow) {
      // As Walk: what has been passed need not stay in memory.
      core_.Release(resident_from, address - resident_from - kResidentWindow / 4);
      resident_from = address - kResidentWindow / 4;
    }
    if (!ReadPointer(address)) break;
    HeapObject object = ObjectAt(address, &segment);
    if (!visit(static_cast<const HeapObject&>(object)) || !object.valid()) break;
    address = StepOverContexts(segment, address + AlignObjectSize(object.size));
  }
  if (segment.objects.end > resident_from) {
    core_.Release(resident_from, segment.objects.end - resident_from);
  }
}

}  // namespace clrdump::runtime
