// `verifyheap` and `verifyobj`: ClrMD's object verification over the heap
// or one object, reported as dotnet-dump's tables.
#include <fmt/format.h>

#include "commands/address.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/heap_filter.h"
#include "commands/progress.h"
#include "commands/table.h"
#include "commands/target.h"
#include "commands/verify_text.h"

namespace clrdump::cmd {
namespace {

using runtime::CorruptionKind;
using runtime::GcSegment;
using runtime::HeapObject;
using runtime::HeapVerifier;
using runtime::ManagedHeap;
using runtime::ObjectCorruption;

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::string PointerOrUnknown(const std::optional<uint64_t>& value) {
  return value ? fmt::format("{:x}", *value) : "???";
}

std::string SyncBlockMessage(ManagedHeap& heap, const ObjectCorruption& c) {
  // A ClrObject formats as "<address> <type name>" whatever the format.
  const HeapObject object = heap.ObjectAt(c.object, nullptr);
  const std::string who = fmt::format(
      "{:x} {}", c.object, object.valid() ? heap.TypeName(object.method_table) : "");
  if (c.clr_sync_block_index >= 0) {
    std::string text =
        fmt::format("Object {} should have a SyncBlock index of {} ", who, c.clr_sync_block_index);
    if (c.sync_block_index >= 0) {
      return text + fmt::format("but instead had an index of {}", c.sync_block_index);
    }
    return text + "but instead had no SyncBlock";
  }
  if (c.sync_block_index >= 0) {
    return fmt::format("Object {} had a SyncBlock index of {} but the runtime has no matching "
                       "SyncBlock",
                       who, c.sync_block_index);
  }
  return fmt::format("Object {} had no SyncBlock when it was expected to", who);
}

// The (objects, problems) of one verification run.
struct Totals {
  uint64_t objects = 0;
  uint64_t errors = 0;
};

class ProblemTable {
 public:
  ProblemTable(CommandContext& ctx, ManagedHeap& heap) : ctx_(ctx), heap_(heap) {}
  void Write(const ObjectCorruption& c) {
    if (!table_) Start();
    const GcSegment* segment = heap_.SegmentOf(c.object);
    std::vector<std::string> cells;
    if (heap_.server()) cells.push_back(segment ? std::to_string(segment->heap) : "???");
    cells.push_back(segment ? PointerCell(segment->address) : "???");
    cells.push_back(PointerCell(c.object));
    cells.emplace_back(runtime::CorruptionKindName(c.kind));
    cells.push_back(CorruptionMessage(heap_, c));
    table_->WriteRow(cells);
  }
  // Ends the table; the next problem starts a new one with its header.
  bool Break() {
    const bool had = table_.has_value();
    table_.reset();
    return had;
  }

 private:
  void Start() {
    const Column kind{Align::kLeft, runtime::CorruptionKindWidth(), false, false};
    const Column pointer = columns::Pointer();
    std::vector<Column> cols{pointer, pointer, kind, columns::Text()};
    std::vector<std::string> titles{"Segment", "Object", "Failure", "Reason"};
    if (heap_.server()) {
      cols.insert(cols.begin(), Column{Align::kLeft, 4, false, false});
      titles.insert(titles.begin(), "Heap");
    }
    for (Column& c : cols) c.align = Align::kLeft, c.truncate_begin = true;
    table_.emplace(ctx_.out, cols);
    table_->WriteHeader(titles);
  }

  CommandContext& ctx_;
  ManagedHeap& heap_;
  std::optional<Table> table_;
};

std::string Plural(uint64_t n) { return n == 1 ? "" : "s"; }

void VerifySyncBlocks(CommandContext& ctx, HeapVerifier& verifier, ProblemTable& table,
                      uint64_t& errors) {
  uint64_t total = 0;
  for (const runtime::SyncBlock& block : verifier.sync_blocks()) {
    ++total;
    if (block.object == 0) continue;
    auto problem = verifier.FirstProblem(block.object);
    if (!problem) continue;
    if (errors++ == 0) {
      if (table.Break()) ctx.out << "\n";
      ctx.out << "SyncBlock Table:\n";
    }
    table.Write(*problem);
  }
  if (errors > 0) ctx.out << "\n";
  ctx.out << IntegerCell(total) << " SyncBlocks verified, " << IntegerCell(errors) << " error"
          << Plural(errors) << ".\n";
}

Status RunVerifyHeap(CommandContext& ctx, const ParsedArgs& args) {
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  ManagedHeap& h = **heap;
  HeapFilter filter(h);
  if (Status s = filter.ApplyOptions(args, "verifyheap", "memoryRange", true); !s) {
    return s.error();
  }
  if (!h.can_walk() && !args.Has("-ignoreGCState")) {
    return Invalid("The GC heap is not in a valid state for traversal.  "
                   "(Use -ignoreGCState to override.)");
  }
  HeapVerifier verifier(h, **runtime);
  ProblemTable table(ctx, h);
  Totals totals;
  const auto segments = filter.Segments(nullptr, true);
  uint64_t total_bytes = 0, done = 0;
  for (const GcSegment* segment : segments) total_bytes += segment->objects.size();
  std::optional<Progress> progress;
  if (!args.Has("-noprogress")) progress.emplace("Verifying heap", total_bytes);
  for (const GcSegment* segment : segments) {
    h.Walk(*segment, [&](const HeapObject& object) {
      if (ctx.cancelled()) return false;
      if (progress && (totals.objects & 0xffff) == 0xffff) {
        progress->Report(done + (object.address - segment->objects.start), totals.objects);
      }
      if (filter.range() && object.address >= filter.range()->end) return false;
      if (!filter.Accepts(*segment, object)) return true;
      ++totals.objects;
      if (auto problem = verifier.FirstProblem(object.address)) {
        ++totals.errors;
        table.Write(*problem);
      }
      return true;
    });
    if (ctx.cancelled()) return Ok{};
    done += segment->objects.size();
    // References send reads all over the heap, and each read maps in 64 KB
    // around it: let them go after every segment (regions are 4 MB) to keep
    // memory near dotnet-dump's; reading them again costs little.
    h.ReleaseResident();
  }
  progress.reset();
  uint64_t sync_errors = 0;
  if (filter.has_filters()) VerifySyncBlocks(ctx, verifier, table, sync_errors);
  if (totals.errors + sync_errors > 0) ctx.out << "\n";
  ctx.out << IntegerCell(totals.objects) << " objects verified, " << IntegerCell(totals.errors)
          << " error" << Plural(totals.errors) << ".\n";
  if (totals.errors == 0 && sync_errors == 0) ctx.out << "No heap corruption detected.\n";
  return Ok{};
}

Status RunVerifyObj(CommandContext& ctx, const ParsedArgs& args) {
  const std::string text = args.Value("objectaddress").value_or("");
  auto address = TryParseAddress(text);
  if (!address) {
    return Invalid(fmt::format("Invalid object address: '{}' (Parameter 'ObjectAddress')", text));
  }
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  HeapVerifier verifier(**heap, **runtime);
  std::vector<ObjectCorruption> problems = verifier.AllProblems(*address);
  if (problems.empty()) {
    ctx.out << fmt::format("object 0x{:x} is a valid object\n", *address);
    return Ok{};
  }
  std::stable_sort(problems.begin(), problems.end(),
                   [](const auto& a, const auto& b) { return a.offset < b.offset; });
  std::vector<std::string> offsets;
  for (const auto& p : problems) offsets.push_back(HexOffsetCell(p.offset));
  Column offset = columns::HexOffset().Fitted(offsets);
  offset.align = Align::kLeft;
  Table table(ctx.out, {offset, Column{Align::kLeft, runtime::CorruptionKindWidth(), false, false},
                        columns::Text()});
  table.WriteHeader({"Offset", "Issue", "Description"});
  for (size_t i = 0; i < problems.size(); ++i) {
    table.WriteRow({offsets[i], std::string(runtime::CorruptionKindName(problems[i].kind)),
                    CorruptionMessage(**heap, problems[i])});
  }
  ctx.out << "\n" << IntegerCell(uint64_t{problems.size()}) << " error"
          << Plural(problems.size()) << "  detected.\n";
  return Ok{};
}

}  // namespace

std::string CorruptionMessage(ManagedHeap& heap, const ObjectCorruption& c) {
  const uint64_t at = c.object + static_cast<uint64_t>(c.offset);
  switch (c.kind) {
    case CorruptionKind::kObjectNotOnTheHeap:
      return fmt::format("Tried to validate {:x} but its address was not on any segment.",
                         c.object);
    case CorruptionKind::kObjectNotPointerAligned:
      return fmt::format("Object {:x} is not pointer aligned", c.object);
    case CorruptionKind::kObjectTooLarge: {
      const GcSegment* segment = heap.SegmentOf(c.object);
      return fmt::format("Object {:x} is too large, size={:x}, segmentEnd: {}", c.object,
                         heap.ObjectAt(c.object, segment).size,
                         segment ? fmt::format("{:x}", segment->objects.end) : "???");
    }
    case CorruptionKind::kInvalidMethodTable:
      return fmt::format("Object {:x} has an invalid method table {}", c.object,
                         PointerOrUnknown(heap.ReadTargetPointer(c.object)));
    case CorruptionKind::kInvalidThinlock:
      return fmt::format("Object {:x} has an invalid thin lock", c.object);
    case CorruptionKind::kSyncBlockMismatch:
    case CorruptionKind::kSyncBlockZero:
      return SyncBlockMessage(heap, c);
    case CorruptionKind::kObjectReferenceNotPointerAligned:
      return fmt::format("Object {:x} has an unaligned member at offset {:x}: is not pointer "
                         "aligned",
                         c.object, static_cast<uint32_t>(c.offset));
    case CorruptionKind::kInvalidObjectReference:
      return fmt::format("Object {:x} has a bad member at offset {:x}: {}", c.object,
                         static_cast<uint32_t>(c.offset),
                         PointerOrUnknown(heap.ReadTargetPointer(at)));
    case CorruptionKind::kFreeObjectReference:
      return fmt::format("Object {:x} contains free object at offset {:x}: {}", c.object,
                         static_cast<uint32_t>(c.offset),
                         PointerOrUnknown(heap.ReadTargetPointer(at)));
    case CorruptionKind::kCouldNotReadObject:
      return fmt::format("Could not read object {:x} at offset {:x}: {}", c.object,
                         static_cast<uint32_t>(c.offset),
                         PointerOrUnknown(heap.ReadTargetPointer(at)));
    case CorruptionKind::kCouldNotReadMethodTable:
      return fmt::format("Could not read method table for Object {:x}", c.object);
    case CorruptionKind::kCouldNotReadCardTable:
      return fmt::format("Could not verify object {:x}: could not read card table", c.object);
    case CorruptionKind::kCouldNotReadGCDesc:
      return fmt::format("Could not verify object {:x}: could not read GCDesc", c.object);
  }
  return "";
}

void AddVerifyCommands(Registry& registry) {
  registry.Add(
      {"verifyheap",
       {"VerifyHeap"},
       "Searches the managed heap for memory corruption..",
       {{{"-heap"}, "", ValueType::kInt32},
        {{"-segment"}, "", ValueType::kString},
        {{"-ignoreGCState"},
         "Ignore the GC's marker that the heap is not walkable (will generate lots of false "
         "positive errors).",
         ValueType::kFlag},
        {{"-noprogress"}, "Suppress periodic progress output during heap scanning.",
         ValueType::kFlag}},
       ArgumentSpec{"memoryRange", "Optional memory ranges in the form of: [Start [End]]",
                    ValueType::kString, true},
       RunVerifyHeap});
  registry.Add({"verifyobj",
                {"VerifyObj"},
                "Checks the given object for signs of corruption.",
                {},
                ArgumentSpec{"objectaddress", "The object to verify.", ValueType::kString, false},
                RunVerifyObj});
}

}  // namespace clrdump::cmd
