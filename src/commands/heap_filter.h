// dotnet-dump's heap filters (-heap, -segment, memory ranges, -min/-max,
// -gen), shared by the heap commands: which sub-heaps, segments and objects
// a command looks at. Errors carry dotnet-dump's messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "commands/command.h"
#include "runtime/heap.h"

namespace clrdump::cmd {

// ClrMD's generations, in its order.
enum class Generation { kGen0, kGen1, kGen2, kLarge, kPinned, kFrozen, kUnknown };

Generation GenerationOf(const runtime::GcSegment& segment, uint64_t object);
// "gen0", "loh"/"large", ...; nullopt for anything else.
std::optional<Generation> ParseGeneration(const std::string& text);

class HeapFilter {
 public:
  explicit HeapFilter(const runtime::ManagedHeap& heap) : heap_(heap) {}

  Status SetGcHeap(int index);
  void SetSegment(uint64_t segment) {
    if (segment) segment_ = segment;
  }
  // `end` may be "" (to the end of memory) or "L<length>". With
  // `require_segments`, a range no segment overlaps is an error.
  Status SetRange(const std::string& start, const std::string& end, bool require_segments);
  // Up to two positional arguments, as dotnet-dump's commands take them.
  Status SetRangeArguments(const std::vector<std::string>& args, const std::string& command,
                           bool require_segments);
  // -heap, -segment and the range argument (named `range_argument`) as
  // dotnet-dump's heap commands share them.
  Status ApplyOptions(const ParsedArgs& args, const std::string& command,
                      const std::string& range_argument, bool require_segments);
  void set_min_size(uint64_t size) { min_size_ = size; }
  void set_max_size(uint64_t size) { max_size_ = size; }
  void set_generation(Generation g) { generation_ = g; }

  bool has_filters() const {
    return gc_heap_ || segment_ || range_ || min_size_ > 0 || max_size_ > 0;
  }
  const std::optional<runtime::AddressRange>& range() const { return range_; }

  std::vector<const runtime::GcSubHeap*> SubHeaps() const;
  // The segments that pass, of one sub-heap or of all; ordered by address
  // (`by_address`) or by sub-heap and then segment record.
  std::vector<const runtime::GcSegment*> Segments(const runtime::GcSubHeap* sub_heap,
                                                  bool by_address) const;
  // Whether an object of `segment` passes the range, generation and size
  // filters (an invalid object passes the size filters).
  bool Accepts(const runtime::GcSegment& segment, const runtime::HeapObject& object) const;

 private:
  bool Passes(const runtime::GcSegment& segment) const;

  const runtime::ManagedHeap& heap_;
  std::optional<int> gc_heap_;
  std::optional<uint64_t> segment_;
  std::optional<runtime::AddressRange> range_;
  uint64_t min_size_ = 0;
  uint64_t max_size_ = 0;
  std::optional<Generation> generation_;
};

// "[start,end)" as ClrMD prints a memory range.
std::string RangeText(const runtime::AddressRange& range);

}  // namespace clrdump::cmd
