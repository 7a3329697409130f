#include "runtime/heap.h"

#include "runtime/type_names.h"

#include <algorithm>
#include <cstring>

namespace clrdump::runtime {
namespace {

// GCDescs longer than this are corrupt (a type has at most a few thousand
// series).
constexpr int64_t kMaxSeries = 1 << 16;

}  // namespace

Status ManagedHeap::Load() {
  auto info = runtime_.GetGcHeapInfo();
  if (!info) return info.error();
  server_ = info->server;
  can_walk_ = info->structures_valid;
  auto globals = runtime_.GetUsefulGlobals();
  if (!globals) return globals.error();
  globals_ = *globals;
  auto heaps = runtime_.GetGcSubHeaps();
  if (!heaps) return heaps.error();
  sub_heaps_ = std::move(*heaps);
  for (const GcSubHeap& heap : sub_heaps_) {
    for (const GcSegment& segment : heap.segments) segments_.push_back(&segment);
  }
  std::stable_sort(segments_.begin(), segments_.end(),
                   [](const GcSegment* a, const GcSegment* b) {
                     return a->objects.start < b->objects.start;
                   });
  for (const AddressRange& c : runtime_.GetThreadAllocationContexts()) contexts_[c.start] = c.end;
  for (const GcSubHeap& heap : sub_heaps_) {
    if (heap.alloc_context.start < heap.alloc_context.end) {
      contexts_[heap.alloc_context.start] = heap.alloc_context.end;
    }
  }
  return Ok{};
}

const GcSegment* ManagedHeap::SegmentOf(uint64_t address) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), address,
                             [](uint64_t a, const GcSegment* s) { return a < s->objects.start; });
  if (it == segments_.begin()) return nullptr;
  --it;
  return (*it)->objects.Contains(address) ? *it : nullptr;
}

const HeapType* ManagedHeap::Type(uint64_t method_table) {
  const HeapType*& recent = recent_types_[(method_table >> 3) % kRecentTypes];
  if (recent && recent->method_table == method_table) return recent;
  auto found = types_.find(method_table);
  if (found != types_.end()) {
    if (found->second) recent = found->second.get();
    return found->second.get();
  }
  std::unique_ptr<HeapType> type;
  if (method_table != 0) {
    if (auto data = runtime_.GetMethodTableData(method_table)) {
      type = std::make_unique<HeapType>();
      type->method_table = method_table;
      type->data = *data;
      type->is_string = method_table == globals_.string_mt;
      if (data->contains_pointers) {
        auto count = memory_.ReadValue<int64_t>(method_table - 8);
        const int64_t series = count ? (*count < 0 ? -*count : *count) : 0;
        if (series > 0 && series < kMaxSeries) {
          const uint64_t bytes = static_cast<uint64_t>(1 + 2 * series) * 8;
          type->gcdesc.resize(bytes);
          if (memory_.Read(method_table - bytes, type->gcdesc) != bytes) type->gcdesc.clear();
        }
      }
    }
  }
  const HeapType* result = type.get();
  types_.emplace(method_table, std::move(type));
  if (result) recent = result;
  return result;
}

const std::string& ManagedHeap::TypeName(uint64_t method_table) {
  auto found = names_.find(method_table);
  if (found != names_.end()) return found->second;
  std::string name;
  if (method_table == globals_.free_mt) {
    name = "Free";
  } else if (auto dac_name = runtime_.GetMethodTableName(method_table)) {
    name = ClrMdTypeName(*dac_name);
  }
  return names_.emplace(method_table, std::move(name)).first->second;
}

const uint8_t* ManagedHeap::MapWindow(uint64_t address, uint64_t size) const {
  auto [start, view] = core_.SegmentView(address);
  if (view.empty() || address - start + size > view.size()) return nullptr;
  windows_[1] = windows_[0];
  windows_[0] = Window{start, view};
  return view.data() + (address - start);
}

std::span<const uint8_t> ManagedHeap::Bytes(uint64_t address, uint64_t size) const {
  if (const uint8_t* at = MappedAt(address, size)) return {at, size};
  // Bytes split across the dump's segments: copy. Pages the dump declares
  // but does not store are missing here, not zeros, as for ClrMD: a Mini
  // dump's heap then shows no objects instead of invalid ones.
  scratch_.resize(size);
  const size_t got = core_.Read(address, scratch_, false);
  return {scratch_.data(), got};
}

void ManagedHeap::ReleaseResident() const { core_.ReleaseAll(); }

std::optional<uint64_t> ManagedHeap::ReadPointer(uint64_t address) const {
  std::span<const uint8_t> b = Bytes(address, 8);
  if (b.size() < 8) return std::nullopt;
  uint64_t v;
  std::memcpy(&v, b.data(), 8);
  return v;
}

std::optional<uint32_t> ManagedHeap::ReadU32(uint64_t address) const {
  std::span<const uint8_t> b = Bytes(address, 4);
  if (b.size() < 4) return std::nullopt;
  uint32_t v;
  std::memcpy(&v, b.data(), 4);
  return v;
}

uint64_t ManagedHeap::SizeOf(const HeapType& type, uint64_t address, bool& ok) const {
  ok = true;
  uint64_t size = type.data.base_size;
  if (type.data.component_size != 0) {
    auto count = ReadU32(address + 8);
    if (!count) {
      ok = false;
      return 0;
    }
    // The runtime reports String's base size without its terminator.
    const uint64_t n = uint64_t{*count} + (type.is_string ? 1 : 0);
    size += n * type.data.component_size;
  }
  return std::max(size, kMinObjectSize);
}

HeapObject ManagedHeap::ObjectAt(uint64_t address, const GcSegment* segment) {
  HeapObject object;
  object.address = address;
  auto mt = ReadPointer(address);
  if (!mt) return object;
  object.method_table = *mt & ~uint64_t{1};
  object.type = Type(object.method_table);
  if (!object.type) return object;
  (void)segment;
  bool ok = false;
  object.size = SizeOf(*object.type, address, ok);
  if (!ok) object.type = nullptr;
  return object;
}

uint64_t ManagedHeap::FindNextValid(const GcSegment& segment, uint64_t address) {
  while (segment.objects.Contains(address)) {
    const uint64_t after_context = StepOverContexts(segment, address);
    if (after_context > address) {
      address = after_context;
      continue;
    }
    address += 8;
    auto mt = ReadPointer(address);
    if (!mt) return 0;
    if (*mt > 0x1000 && Type(*mt)) break;
  }
  return address;
}

uint64_t ManagedHeap::StepOverContexts(const GcSegment& segment, uint64_t address) const {
  if (segment.kind == SegmentKind::kLarge || segment.kind == SegmentKind::kFrozen) return address;
  for (auto it = contexts_.find(address); it != contexts_.end(); it = contexts_.find(address)) {
    // The GC leaves a minimal object's room after an allocation context.
    const uint64_t next = it->second + AlignObjectSize(kMinObjectSize);
    // A context reaching the segment's end ends the walk; one that does
    // not move forward is corrupt (0 reports it).
    if (next <= address) return 0;
    if (next >= segment.objects.end) return segment.objects.end;
    address = next;
  }
  return address;
}

std::optional<HeapObject> ManagedHeap::PreviousObject(const GcSegment& segment,
                                                      uint64_t address) {
  if (address <= segment.objects.start || !segment.objects.Contains(address)) return std::nullopt;
  std::optional<HeapObject> last;
  Walk(segment, [&](const HeapObject& object) {
    if (object.address >= address) return false;
    last = object;
    return true;
  });
  return last;
}

std::optional<HeapObject> ManagedHeap::NextObject(const GcSegment& segment, uint64_t address) {
  // As ClrMD, an address outside the segment's objects has no next object.
  if (!segment.objects.Contains(address)) return std::nullopt;
  std::optional<HeapObject> next;
  Walk(segment, [&](const HeapObject& object) {
    if (object.address <= address) return true;
    next = object;
    return false;
  });
  return next;
}

std::vector<AddressRange> ManagedHeap::AllocationContexts() const {
  std::vector<AddressRange> contexts;
  for (const auto& [start, limit] : contexts_) contexts.push_back({start, limit});
  std::sort(contexts.begin(), contexts.end(),
            [](const AddressRange& a, const AddressRange& b) { return a.start < b.start; });
  return contexts;
}

size_t ManagedHeap::ReadBytes(uint64_t address, std::span<uint8_t> out) const {
  return core_.Read(address, out, false);
}

std::optional<uint64_t> ManagedHeap::ReadTargetPointer(uint64_t address) const {
  return memory_.ReadValue<uint64_t>(address);
}

}  // namespace clrdump::runtime
