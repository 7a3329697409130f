// `gcwhere` and `listnearobj`/`lno`: where an address lies in the GC heap,
// and the objects around it with a check that they chain up as the GC laid
// them out (listnearobj's "local consistency").
#include <fmt/format.h>

#include <algorithm>

#include "commands/address.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/heap_filter.h"
#include "commands/table.h"
#include "commands/target.h"
#include "commands/verify_text.h"
#include "runtime/heap_verify.h"

namespace clrdump::cmd {
namespace {

using runtime::AddressRange;
using runtime::GcSegment;
using runtime::HeapObject;
using runtime::HeapVerifier;
using runtime::ManagedHeap;

std::string RangeCell(const AddressRange& r) { return fmt::format("{:x}-{:x}", r.start, r.end); }

std::string GenerationText(const GcSegment& segment, uint64_t address) {
  if (segment.reserved.Contains(address)) return "reserve";
  switch (GenerationOf(segment, address)) {
    case Generation::kGen0: return "0";
    case Generation::kGen1: return "1";
    case Generation::kGen2: return "2";
    case Generation::kFrozen: return "frozen";
    case Generation::kPinned: return "pinned";
    case Generation::kLarge: return "large";
    default: return "???";
  }
}

Status RunGcWhere(CommandContext& ctx, const ParsedArgs& args) {
  const std::string text = args.Value("address").value_or("");
  auto address = TryParseAddress(text);
  if (!address) return MakeError(ErrorCode::kInvalidArgument, "Could not parse address: " + text);
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  std::vector<const GcSegment*> found;
  for (const GcSegment* s : (*heap)->segments()) {
    if (s->objects.Contains(*address) || s->committed.Contains(*address) ||
        s->reserved.Contains(*address)) {
      found.push_back(s);
    }
  }
  if (found.empty()) {
    ctx.out << fmt::format("Address {:x} not found in the managed heap.\n", *address);
    return Ok{};
  }
  std::stable_sort(found.begin(), found.end(), [](const GcSegment* a, const GcSegment* b) {
    return a->heap != b->heap ? a->heap < b->heap : a->address < b->address;
  });
  std::vector<std::string> objects, committed, reserved;
  for (const GcSegment* s : found) {
    objects.push_back(RangeCell(s->objects));
    committed.push_back(RangeCell(s->committed));
    reserved.push_back(RangeCell(s->reserved));
  }
  const Column left{Align::kLeft, -1, false, false};
  Table table(ctx.out, {left.WithWidth(16), left.WithWidth(6), left.WithWidth(16),
                        Column{Align::kLeft, 6, true, true}, left.Fitted(objects),
                        left.Fitted(committed), left.Fitted(reserved)});
  table.WriteHeader(
      {"Address", "Heap", "Segment", "Generation", "Allocated", "Committed", "Reserved"});
  for (size_t i = 0; i < found.size(); ++i) {
    const GcSegment& s = *found[i];
    table.WriteRow({PointerCell(*address), std::to_string(s.heap), PointerCell(s.address),
                    GenerationText(s, *address), objects[i], committed[i], reserved[i]});
  }
  return Ok{};
}

// One listnearobj run: the table, the allocation contexts of the segment
// and whether the objects seen so far chain up.
class NearObjects {
 public:
  NearObjects(CommandContext& ctx, ManagedHeap& heap, HeapVerifier& verifier,
              const GcSegment& segment)
      : ctx_(ctx), heap_(heap), verifier_(verifier), segment_(segment) {
    int width = 16;
    for (const AddressRange& c : heap.AllocationContexts()) {
      if (!segment.objects.Contains(c.start)) continue;
      contexts_.push_back(c);
      width = std::max(width, static_cast<int>(RangeCell(c).size()));
    }
    table_.emplace(ctx.out, std::vector<Column>{Column{Align::kLeft, 9, true, true},
                                                columns::Pointer().WithWidth(width),
                                                Column{Align::kLeft, 32, true, true},
                                                columns::TypeName()});
  }

  void Run(uint64_t address);

 private:
  void ShowBefore();
  void ShowExpected();
  bool ShowCurrent();
  void ShowNext(bool gap_for_current);
  bool PrintObject(const char* which, const HeapObject& object);
  AddressRange PrintGap(AddressRange distance);
  void CheckEnd(uint64_t expected_next, uint64_t previous);
  // Objects are 8-byte aligned on every kind of segment on 64-bit.
  static uint64_t Align(uint64_t size) { return (size + 7) & ~uint64_t{7}; }
  HeapObject Get(uint64_t address) { return heap_.ObjectAt(address, nullptr); }

  CommandContext& ctx_;
  ManagedHeap& heap_;
  HeapVerifier& verifier_;
  const GcSegment& segment_;
  std::vector<AddressRange> contexts_;
  std::optional<Table> table_;
  uint64_t address_ = 0;
  HeapObject current_;
  uint64_t expected_ = 0;  // where the next object should start
  bool consistent_ = true;
  bool found_last_ = false;
};

std::string SizeCell(uint64_t size) {
  return size > 0 ? fmt::format("{} (0x{:x})", IntegerCell(size), size) : "";
}

// ClrMD's MemoryRange.Overlaps: an empty range overlaps nothing.
bool Overlaps(const AddressRange& a, const AddressRange& b) {
  if (b.size() == 0) return false;
  return a.Contains(b.start) || a.Contains(b.end - 1) || b.Contains(a.start) ||
         (a.size() > 0 && b.Contains(a.end - 1));
}

bool NearObjects::PrintObject(const char* which, const HeapObject& object) {
  auto problem = verifier_.FirstProblem(object.address);
  const bool valid = !problem && object.valid();
  std::string type = "Unknown";
  if (object.valid()) {
    const std::string& name = heap_.TypeName(object.method_table);
    type = name.empty() ? fmt::format("Unknown (MethodTable: {:012x})", object.method_table) : name;
  }
  table_->WriteRow({which, PointerCell(object.address), SizeCell(object.valid() ? object.size : 0),
                    type});
  if (problem) ctx_.out << "Error Detected: " << CorruptionMessage(heap_, *problem) << " \n";
  return valid;
}

AddressRange NearObjects::PrintGap(AddressRange distance) {
  for (const AddressRange& c : contexts_) {
    if (!Overlaps(distance, c) && !c.Contains(distance.end)) continue;
    table_->WriteRow({"Gap:", RangeCell(c), SizeCell(c.size()),
                      "GC Allocation Context (expected gap in the heap)"});
    return {c.start, c.end + Align(runtime::kMinObjectSize)};
  }
  return {};
}

void NearObjects::CheckEnd(uint64_t expected_next, uint64_t previous) {
  if (segment_.objects.Contains(expected_next) || found_last_) return;
  ctx_.out << fmt::format("{:x} is the last object on the segment\n", previous);
  if (expected_next != segment_.objects.end) {
    ctx_.out << fmt::format("Error: Expected allocated end at {:x}, but instead was at {:x}\n",
                            expected_next, segment_.objects.end);
    consistent_ = false;
  }
  found_last_ = true;
}

void NearObjects::Run(uint64_t address) {
  address_ = address;
  current_ = Get(address);
  expected_ = segment_.objects.start;
  if (address > segment_.objects.start) {
    ShowBefore();
  } else if (address < segment_.objects.start) {
    ctx_.out << fmt::format("Address {:x} is before the first object on the segment.\n", address);
  } else {
    ctx_.out << fmt::format("Address {:x} is the first object on the segment.\n", address);
  }
  if (!found_last_ && expected_ < address && segment_.objects.Contains(expected_)) {
    ShowExpected();
  }
  const bool gap_for_current = ShowCurrent();
  if (!found_last_) ShowNext(gap_for_current);
  ctx_.out << (consistent_ ? "Heap local consistency confirmed.\n"
                           : "Heap local consistency not confirmed.\n");
}

void NearObjects::ShowBefore() {
  const uint64_t end = segment_.objects.end;
  const HeapObject prev =
      heap_.PreviousObject(segment_, end <= address_ ? end - 1 : address_).value_or(HeapObject{});
  consistent_ = PrintObject("Before:", prev) && consistent_;
  if (prev.valid()) {
    expected_ = Align(prev.address + prev.size);
  } else {
    consistent_ = false;
    auto next = prev.address ? heap_.NextObject(segment_, prev.address) : std::nullopt;
    expected_ = next ? next->address : 0;
  }
  const AddressRange gap = PrintGap({prev.address, expected_});
  if (gap.end != 0) expected_ = gap.end;
  if (gap.Contains(address_) && current_.valid()) {
    ctx_.out << fmt::format("Address {:x} has a valid method table inside of an allocation "
                            "context.\n",
                            address_);
  }
  CheckEnd(expected_, prev.address);
}

// The object the previous one's size points at, when that is before the
// address asked about.
void NearObjects::ShowExpected() {
  consistent_ = false;
  HeapObject shown = Get(expected_);
  PrintObject("Expected:", shown);
  const AddressRange gap = PrintGap({expected_, address_});
  if (gap.end != 0) {
    expected_ = gap.end;
  } else if (current_.valid()) {
    expected_ = current_.address;
  } else if (auto maybe = heap_.NextObject(segment_, address_ + 1); maybe && maybe->valid()) {
    shown = *maybe;
  } else {
    expected_ = segment_.objects.end;
  }
  CheckEnd(expected_, shown.address);
}

// Returns whether a gap after the current (invalid) object is still to be
// shown before the next one.
bool NearObjects::ShowCurrent() {
  if (current_.valid()) {
    if (segment_.objects.Contains(address_)) {
      consistent_ = PrintObject("Current:", current_) && consistent_;
      expected_ = Align(address_ + current_.size);
      const AddressRange gap = PrintGap({address_, expected_});
      if (gap.end != 0) expected_ = gap.end;
      CheckEnd(expected_, address_);
    } else {
      ctx_.out << fmt::format("Object {:x} is not in the allocated range of the segment, it may "
                              "have been collected but not zeroed.\n",
                              address_);
      PrintObject("Current:", current_);
      found_last_ = true;
    }
    return false;
  }
  if (expected_ != address_) return false;
  consistent_ = PrintObject("Current:", current_) && consistent_;
  return true;
}

void NearObjects::ShowNext(bool gap_for_current) {
  auto next = heap_.NextObject(segment_, address_);
  if (!next || !next->valid()) {
    consistent_ = false;
    ctx_.out << fmt::format("Could not find object after {:x}\n", address_);
    return;
  }
  if (gap_for_current) PrintGap({address_, next->address});
  consistent_ = PrintObject("Next:", *next) && consistent_;
  if (next->address != expected_) {
    consistent_ = false;
    ctx_.out << fmt::format("Expected to find next object at {:x}, instead found it at {:x}.\n",
                            expected_, next->address);
  }
  CheckEnd(expected_, address_);
}

Status RunListNearObj(CommandContext& ctx, const ParsedArgs& args) {
  const std::string text = args.Value("address").value_or("");
  auto parsed = TryParseAddress(text);
  if (!parsed) return MakeError(ErrorCode::kInvalidArgument, "Could not parse address: " + text);
  const uint64_t address = *parsed & ~uint64_t{7};
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  std::vector<const GcSegment*> found;
  for (const GcSegment* s : (*heap)->segments()) {
    if (s->objects.Contains(address) || s->committed.Contains(address)) found.push_back(s);
  }
  if (found.empty()) {
    ctx.out << fmt::format(
        "Failed to find the segment of the managed heap where the object {:x} resides\n",
        address);
    return Ok{};
  }
  const GcSegment& segment = *found.front();
  if (found.size() > 1) {
    ctx.out << fmt::format("Found multiple segments where the object {:x} resides, this is "
                           "possibly memory corruption.\nPrinting values for segment {:x}\n",
                           address, segment.address);
  }
  if (segment.objects.size() == 0) {
    ctx.out << fmt::format("Segment {:x} has no objects.\n", segment.address);
    return Ok{};
  }
  HeapVerifier verifier(**heap, **runtime);
  NearObjects(ctx, **heap, verifier, segment).Run(address);
  return Ok{};
}

}  // namespace

void AddHeapLocationCommands(Registry& registry) {
  registry.Add({"gcwhere",
                {"GCWhere"},
                "Displays the location in the GC heap of the specified address.",
                {},
                ArgumentSpec{"address", "The address on the GC heap to list near objects",
                             ValueType::kString, false},
                RunGcWhere});
  registry.Add({"listnearobj",
                {"lno", "ListNearObj"},
                "Displays the object preceding and succeeding the specified address.",
                {},
                ArgumentSpec{"address", "The address on the GC heap to list near objects",
                             ValueType::kString, false},
                RunListNearObj});
}

}  // namespace clrdump::cmd
