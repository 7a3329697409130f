#include "runtime/heap_walk.h"

#include <cstring>

namespace clrdump::runtime {
namespace {

constexpr uint64_t kPointerSize = 8;
constexpr uint64_t kMinObjectSize = 3 * kPointerSize;
// ClrMD's step past an unreadable object: the smallest object, or on the
// large object heap the smallest large object.
constexpr uint64_t kLargeObjectSkip = 85000;
// Values at or below this are never MethodTables.
constexpr uint64_t kMinMethodTable = 0x1000;

bool Contains(const HeapSegment& segment, uint64_t address) {
  return address >= segment.start && address < segment.end;
}

uint64_t AlignUp(uint64_t size) { return (size + kPointerSize - 1) & ~(kPointerSize - 1); }

}  // namespace

HeapWalker::HeapWalker(Runtime& runtime, const dump::ProcessMemory& memory, GcHeapLayout layout)
    : runtime_(runtime), memory_(memory), layout_(std::move(layout)) {
  // Later entries win on the same start, as in ClrMD's dictionary.
  for (const auto& context : layout_.allocation_contexts) {
    contexts_[context.start] = context.end;
  }
  if (auto globals = runtime_.GetUsefulGlobals()) {
    string_mt_ = globals->string_mt;
    free_mt_ = globals->free_mt;
  }
}

const std::optional<MethodTableInfo>& HeapWalker::TypeOf(uint64_t method_table) {
  auto it = types_.find(method_table);
  if (it != types_.end()) return it->second;
  std::optional<MethodTableInfo> info;
  if (method_table != 0) {
    if (auto found = runtime_.GetMethodTableInfo(method_table)) info = *found;
  }
  return types_.emplace(method_table, info).first->second;
}

uint64_t HeapWalker::SkipAllocationContext(const HeapSegment& segment, uint64_t address) const {
  if (segment.kind == SegmentKind::kLarge || segment.kind == SegmentKind::kFrozen) return address;
  for (auto it = contexts_.find(address); it != contexts_.end(); it = contexts_.find(address)) {
    // The GC leaves a minimal gap after a context's limit.
    const uint64_t next = it->second + AlignUp(kMinObjectSize);
    if (address >= next || next >= segment.end) return 0;  // corrupt
    address = next;
  }
  return address;
}

uint64_t HeapWalker::FindNextValidObject(const HeapSegment& segment, uint64_t address) {
  uint64_t object = address;
  while (Contains(segment, object)) {
    const uint64_t past_context = SkipAllocationContext(segment, object);
    if (object < past_context) {
      object = past_context;
      continue;
    }
    object += kPointerSize;
    auto mt = memory_.ReadValue<uint64_t>(object);
    if (!mt) return 0;
    if (*mt > kMinMethodTable && TypeOf(*mt & ~uint64_t{1})) break;
  }
  return object;
}

// x64 aligns objects of every segment kind to 8 bytes.
std::optional<uint64_t> HeapWalker::SizeOf(uint64_t object, const MethodTableInfo& type,
                                           uint64_t method_table) {
  uint64_t size = type.base_size;
  if (type.component_size != 0) {
    auto count = memory_.ReadValue<uint32_t>(object + kPointerSize);
    if (!count) return std::nullopt;
    // Strings end with a terminating char their base size leaves out.
    const uint64_t components = uint64_t{*count} + (method_table == string_mt_ ? 1 : 0);
    size = components * type.component_size + type.base_size;
  }
  size = AlignUp(size);
  return size < kMinObjectSize ? kMinObjectSize : size;
}

std::optional<std::vector<uint64_t>> HeapWalker::References(const HeapObject& object) {
  constexpr int64_t kMaxSeries = 4096;
  constexpr uint64_t kMaxObjectBytes = 256ull << 20;  // read at once
  std::vector<uint64_t> refs;
  if (object.size > kMaxObjectBytes) return std::nullopt;
  const uint64_t mt = object.method_table;
  auto series_count = memory_.ReadValue<int64_t>(mt - kPointerSize);
  if (!series_count || *series_count == 0 || *series_count > kMaxSeries ||
      *series_count < -kMaxSeries) {
    return std::nullopt;
  }
  std::vector<uint8_t> bytes(object.size);
  if (memory_.Read(object.address, bytes) != bytes.size()) return std::nullopt;
  auto slot = [&](uint64_t offset) {
    uint64_t value = 0;
    if (offset + kPointerSize <= bytes.size()) std::memcpy(&value, &bytes[offset], sizeof value);
    if (value != 0) refs.push_back(value);
  };
  if (*series_count > 0) {
    // Series {size relative to the object's size, start offset}, stored
    // downward from just below the count.
    for (int64_t i = 0; i < *series_count; ++i) {
      const uint64_t entry = mt - 3 * kPointerSize - static_cast<uint64_t>(i) * 2 * kPointerSize;
      auto size = memory_.ReadValue<int64_t>(entry);
      auto start = memory_.ReadValue<uint64_t>(entry + 8);
      if (!size || !start) return std::nullopt;
      const uint64_t end = *start + static_cast<uint64_t>(*size) + object.size;
      for (uint64_t at = *start; at < end && at < bytes.size(); at += kPointerSize) slot(at);
    }
    return refs;
  }
  // Arrays of structs: one start offset, then {pointers, bytes to skip}
  // items repeated over the elements.
  auto start = memory_.ReadValue<uint64_t>(mt - 2 * kPointerSize);
  if (!start) return std::nullopt;
  std::vector<std::pair<uint32_t, uint32_t>> items;
  for (int64_t i = 0; i < -*series_count; ++i) {
    const uint64_t entry = mt - 3 * kPointerSize - static_cast<uint64_t>(i) * kPointerSize;
    auto count = memory_.ReadValue<uint32_t>(entry);
    auto skip = memory_.ReadValue<uint32_t>(entry + 4);
    if (!count || !skip) return std::nullopt;
    items.emplace_back(*count, *skip);
  }
  for (uint64_t at = *start; at + kPointerSize < object.size;) {
    const uint64_t round_start = at;
    for (const auto& [count, skip] : items) {
      for (uint32_t p = 0; p < count; ++p, at += kPointerSize) slot(at);
      at += skip;
    }
    if (at == round_start) break;  // a map that never advances
  }
  return refs;
}

bool HeapWalker::HasBadReference(const HeapObject& object) {
  auto refs = References(object);
  if (!refs) return true;
  for (uint64_t ref : *refs) {
    if (ref % kPointerSize != 0) return true;
    auto mt = memory_.ReadValue<uint64_t>(ref);
    if (!mt || !TypeOf(*mt & ~uint64_t{1})) return true;
    if ((*mt & ~uint64_t{1}) == free_mt_) return true;
  }
  return false;
}

void HeapWalker::Walk(const HeapSegment& segment, bool carefully,
                      const std::function<bool(const HeapObject&)>& visit) {
  const uint64_t skip = segment.kind == SegmentKind::kLarge ? kLargeObjectSkip : kMinObjectSize;
  uint64_t object = segment.start;
  while (Contains(segment, object)) {
    auto raw_mt = memory_.ReadValue<uint64_t>(object);
    if (!raw_mt) {
      if (!carefully) return;
      object = FindNextValidObject(segment, object + skip);
      continue;
    }
    const uint64_t mt = *raw_mt & ~uint64_t{1};
    const auto& type = TypeOf(mt);
    std::optional<uint64_t> size;
    if (type) size = SizeOf(object, *type, mt);
    if (!visit({object, mt, type.has_value(), type && type->is_free, size.value_or(0)})) return;
    if (!size) {
      if (!carefully) return;
      object = FindNextValidObject(segment, object + skip);
      continue;
    }
    object = SkipAllocationContext(segment, object + *size);
  }
}

}  // namespace clrdump::runtime
