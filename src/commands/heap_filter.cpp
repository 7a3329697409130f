#include "commands/heap_filter.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "base/strings.h"
#include "commands/address.h"

namespace clrdump::cmd {
namespace {

using runtime::AddressRange;
using runtime::GcSegment;

std::optional<uint64_t> ParseHex(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// ClrMD's overlap test, which treats an empty range as overlapping nothing.
bool Overlaps(const AddressRange& a, const AddressRange& b) {
  if (b.size() == 0) return false;
  return a.Contains(b.start) || a.Contains(b.end - 1) || b.Contains(a.start) ||
         (a.size() > 0 && b.Contains(a.end - 1));
}

}  // namespace

Generation GenerationOf(const GcSegment& segment, uint64_t object) {
  using runtime::SegmentKind;
  if (segment.kind != SegmentKind::kEphemeral) return static_cast<Generation>(segment.kind);
  if (segment.gen0.Contains(object)) return Generation::kGen0;
  if (segment.gen1.Contains(object)) return Generation::kGen1;
  if (segment.gen2.Contains(object)) return Generation::kGen2;
  return Generation::kUnknown;
}

std::optional<Generation> ParseGeneration(const std::string& text) {
  const std::string g = AsciiLower(text);
  if (g == "gen0") return Generation::kGen0;
  if (g == "gen1") return Generation::kGen1;
  if (g == "gen2") return Generation::kGen2;
  if (g == "loh" || g == "large") return Generation::kLarge;
  if (g == "poh" || g == "pinned") return Generation::kPinned;
  if (g == "foh" || g == "frozen") return Generation::kFrozen;
  return std::nullopt;
}

std::string RangeText(const AddressRange& range) {
  return fmt::format("[{:x},{:x})", range.start, range.end);
}

Status HeapFilter::SetGcHeap(int index) {
  for (const auto& sub : heap_.sub_heaps()) {
    if (static_cast<int>(sub.index) == index) {
      gc_heap_ = index;
      return Ok{};
    }
  }
  return MakeError(ErrorCode::kInvalidArgument, fmt::format("No GC heap with index of {}", index));
}

Status HeapFilter::SetRange(const std::string& start_text, const std::string& end_text,
                            bool require_segments) {
  auto start = ParseHex(start_text);
  if (!start) {
    return MakeError(ErrorCode::kInvalidArgument, "Invalid start address: " + start_text);
  }
  AddressRange range{*start, UINT64_MAX};
  if (!end_text.empty()) {
    const bool length = end_text.starts_with('L');
    const std::string digits = length ? end_text.substr(1) : end_text;
    auto end = ParseHex(digits);
    if (!end) return MakeError(ErrorCode::kInvalidArgument, "Invalid end address: " + digits);
    range.end = length ? *end + *start : *end;
    if (range.end <= range.start) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("Start address must be before end address: '{}' < '{}'",
                                   start_text, digits));
    }
  }
  range_ = range;
  if (require_segments &&
      std::none_of(heap_.segments().begin(), heap_.segments().end(),
                   [&](const GcSegment* s) { return Overlaps(s->committed, range); })) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "No segments or objects in range " + RangeText(range));
  }
  return Ok{};
}

Status HeapFilter::SetRangeArguments(const std::vector<std::string>& args,
                                     const std::string& command, bool require_segments) {
  if (args.empty()) return Ok{};
  if (args.size() > 2) {
    for (const auto& a : args) {
      if (a.starts_with('-') || a.starts_with('/')) {
        return MakeError(ErrorCode::kInvalidArgument, "Unknown argument: " + a);
      }
    }
    return MakeError(ErrorCode::kInvalidArgument, "Too many arguments to !" + command);
  }
  return SetRange(args[0], args.size() > 1 ? args[1] : "", require_segments);
}

Status HeapFilter::ApplyOptions(const ParsedArgs& args, const std::string& command,
                                const std::string& range_argument, bool require_segments) {
  if (auto heap = args.Value("-heap")) {
    // A negative index means every heap, as dotnet-dump's default of -1.
    if (const int index = std::stoi(*heap); index >= 0) {
      if (Status s = SetGcHeap(index); !s) return s;
    }
  }
  if (auto segment = args.Value("-segment")) {
    if (auto address = TryParseAddress(*segment)) {
      SetSegment(*address);
    } else if (segment->find_first_not_of(" \t") != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("Failed to parse segment '{}'.", *segment));
    }
  }
  return SetRangeArguments(args.Values(range_argument), command, require_segments);
}

bool HeapFilter::Passes(const GcSegment& s) const {
  if (gc_heap_ && static_cast<int>(s.heap) != *gc_heap_) return false;
  if (segment_ && s.address != *segment_ && !s.committed.Contains(*segment_)) return false;
  if (range_ && !Overlaps(s.committed, *range_)) return false;
  return true;
}

std::vector<const runtime::GcSubHeap*> HeapFilter::SubHeaps() const {
  std::vector<const runtime::GcSubHeap*> result;
  for (const auto& sub : heap_.sub_heaps()) {
    if (gc_heap_ && static_cast<int>(sub.index) != *gc_heap_) continue;
    bool any = !segment_ && !range_;
    for (const auto& s : sub.segments) any = any || Passes(s);
    if (any || (!segment_ && !range_)) result.push_back(&sub);
  }
  std::stable_sort(result.begin(), result.end(),
                   [](auto* a, auto* b) { return a->index < b->index; });
  return result;
}

std::vector<const GcSegment*> HeapFilter::Segments(const runtime::GcSubHeap* sub_heap,
                                                   bool by_address) const {
  std::vector<const GcSegment*> result;
  if (sub_heap) {
    for (const auto& s : sub_heap->segments) result.push_back(&s);
  } else {
    result = heap_.segments();
  }
  std::erase_if(result, [&](const GcSegment* s) { return !Passes(*s); });
  std::stable_sort(result.begin(), result.end(), [&](const GcSegment* a, const GcSegment* b) {
    if (by_address) return a->objects.start < b->objects.start;
    return a->heap != b->heap ? a->heap < b->heap : a->address < b->address;
  });
  return result;
}

bool HeapFilter::Accepts(const GcSegment& segment, const runtime::HeapObject& object) const {
  if (range_ && !range_->Contains(object.address)) return false;
  if (generation_ && GenerationOf(segment, object.address) != *generation_) return false;
  if (object.valid()) {
    if (min_size_ && object.size < min_size_) return false;
    if (max_size_ && object.size > max_size_) return false;
  }
  return true;
}

}  // namespace clrdump::cmd
