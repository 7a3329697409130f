// `finalizequeue`/`fq`, with dotnet-dump's output: sync blocks and COM
// wrappers awaiting cleanup, each sub-heap's finalization queue ranges, and
// the finalizable objects (ClrMD's reading of the GC's fill pointers).
#include <fmt/format.h>

#include <unordered_set>

#include "commands/address.h"
#include "commands/command.h"
#include "commands/dumpheap_service.h"
#include "commands/families.h"
#include "commands/roots_output.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::AddressRange;
using runtime::GcSubHeap;

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

uint64_t FillPointer(const GcSubHeap& heap, size_t index) {
  return index < heap.finalization_pointers.size() ? heap.finalization_pointers[index] : 0;
}

// ClrMD's ranges: generations 0..2 between the first four fill pointers
// (stored youngest last), objects ready for finalization after them.
AddressRange GenerationRange(const GcSubHeap& heap, size_t generation) {
  const uint64_t start = FillPointer(heap, 2 - generation);
  const uint64_t end = FillPointer(heap, 3 - generation);
  return start <= end ? AddressRange{start, end} : AddressRange{};
}

bool PreRegions(const GcSubHeap& heap) { return heap.finalization_pointers.size() == 6; }

AddressRange ReadyRange(const GcSubHeap& heap) {
  return PreRegions(heap) ? AddressRange{FillPointer(heap, 3), FillPointer(heap, 5)}
                          : AddressRange{FillPointer(heap, 4), FillPointer(heap, 6)};
}

AddressRange QueueRange(const GcSubHeap& heap) {
  return {FillPointer(heap, 0), FillPointer(heap, PreRegions(heap) ? 5 : 6)};
}

std::string QueueText(const AddressRange& r) {
  // MemoryRange.Length as ClrMD computes it, unsigned.
  return fmt::format("{} objects ({:x}->{:x})", IntegerCell((r.end - r.start) / 8), r.start,
                     r.end);
}

void PrintCleanupData(CommandContext& ctx, runtime::Runtime& rt) {
  std::optional<Table> table;
  const auto cleanup = rt.GetSyncBlockCleanupList();
  for (const auto& c : cleanup) {
    if (!table) {
      table.emplace(ctx.out, std::vector<Column>(4, columns::Pointer()));
      table->WriteHeader({"SyncBlock", "RCW", "CCW", "ComClassFactory"});
    }
    table->WriteRow({PointerCell(c.sync_block), PointerCell(c.rcw), PointerCell(c.ccw),
                     PointerCell(c.class_factory)});
  }
  ctx.out << "SyncBlocks to be cleaned up: " << IntegerCell(uint64_t{cleanup.size()}) << "\n";
  // Runtime callable wrappers exist only with COM interop (Windows).
  ctx.out << "Free-Threaded Interfaces to be released: 0\n"
             "MTA Interfaces to be released: 0\n"
             "STA Interfaces to be released: 0\n";
}

void PrintGenerationalRanges(CommandContext& ctx, const runtime::ManagedHeap& heap) {
  for (const GcSubHeap& sub : heap.sub_heaps()) {
    ctx.out << "Heap " << sub.index << "\n";
    for (size_t gen = 0; gen <= 2; ++gen) {
      ctx.out << "generation " << gen << " has " << QueueText(GenerationRange(sub, gen)) << "\n";
    }
    ctx.out << "Ready for finalization " << QueueText(ReadyRange(sub)) << "\n"
            << "------------------------------\n";
  }
}

// The valid objects of every sub-heap's ready-for-finalization range.
std::unordered_set<uint64_t> ReadyObjects(runtime::ManagedHeap& heap) {
  std::unordered_set<uint64_t> ready;
  for (const GcSubHeap& sub : heap.sub_heaps()) {
    const AddressRange range = ReadyRange(sub);
    for (uint64_t slot = range.start; slot < range.end; slot += 8) {
      const uint64_t object = heap.ReadPointer(slot).value_or(0);
      if (object != 0 && heap.Type(heap.ReadPointer(object).value_or(0))) ready.insert(object);
    }
  }
  return ready;
}

Status RunFinalizeQueue(CommandContext& ctx, const ParsedArgs& args) {
  uint64_t wanted_mt = 0;
  if (auto mt = args.Value("-mt"); mt && mt->find_first_not_of(" \t") != std::string::npos) {
    auto parsed = TryParseAddress(*mt);
    if (!parsed) return Invalid("Could not parse MethodTable: '" + *mt + "'");
    wanted_mt = *parsed;
  }
  const bool short_list = args.Has("-short");
  if (short_list && args.Has("-summary")) return Invalid("Cannot specify both -short and -stat.");
  const bool all_ready = args.Has("-allReady");
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  runtime::ManagedHeap& h = **heap;
  // With -allReady, dotnet-dump computes liveness first, so its messages
  // come before the rest.
  const runtime::AddressSet* live = nullptr;
  std::unordered_set<uint64_t> ready;
  if (all_ready) {
    auto set = LiveObjects(ctx, true);
    if (!set) return set.error();
    live = *set;
    ready = ReadyObjects(h);
  }
  if (!short_list) {
    PrintCleanupData(ctx, **rt);
    ctx.out << "----------------------------------\n\n";
    PrintGenerationalRanges(ctx, h);
    ctx.out << (all_ready ? "Statistics for all finalizable objects that are no longer rooted:\n"
                          : "Statistics for all finalizable objects (including all objects ready "
                            "for finalization):\n");
  }
  HeapPrintOptions print;
  print.display = short_list ? HeapDisplay::kShort : HeapDisplay::kNormal;
  print.stat = args.Has("-summary");
  HeapPrinter printer(ctx, h, **rt, print);
  for (const GcSubHeap& sub : h.sub_heaps()) {
    const AddressRange queue = QueueRange(sub);
    for (uint64_t slot = queue.start; slot < queue.end; slot += 8) {
      if (ctx.cancelled()) return Ok{};
      const uint64_t object = h.ReadPointer(slot).value_or(0);
      if (object == 0) continue;
      // ClrMD takes the MethodTable as stored, mark bit and all.
      const uint64_t mt = h.ReadPointer(object).value_or(0);
      if (!h.Type(mt)) continue;
      if (wanted_mt != 0 && mt != wanted_mt) continue;
      // Objects the finalizer thread has yet to run are rooted by its queue
      // but belong with the unrooted ones.
      if (live && !ready.contains(object) && live->Contains(object)) continue;
      const runtime::GcSegment* segment = h.SegmentOf(object);
      printer.Add(h.ObjectAt(object, segment), segment);
    }
  }
  printer.Finish();
  return Ok{};
}

}  // namespace

void AddFinalizeQueueCommand(Registry& registry) {
  registry.Add(
      {"finalizequeue",
       {"fq", "FinalizeQueue"},
       "Displays all objects registered for finalization.",
       {{{"-detail"},
         "Will display extra information on any SyncBlocks that need to be cleaned up, and on "
         "any RuntimeCallableWrappers (RCWs) that await cleanup.  Both of these data structures "
         "are cached and cleaned up by the finalizer thread when it gets a chance to run.",
         ValueType::kFlag},
        {{"-allReady"},
         "Specifying this argument will allow for the display of all objects  that are ready "
         "for finalization, whether they are already marked by  the GC as such, or whether the "
         "next GC will.  The objects that are  not in the \"Ready for finalization\" list are "
         "finalizable objects that  are no longer rooted.  This option can be very expensive, "
         "as it  verifies whether all the objects in the finalizable queues are still  rooted "
         "or not.",
         ValueType::kFlag},
        {{"-short"},
         "Limits the output to just the address of each object.  If used in conjunction with "
         "-allReady it enumerates all objects that have a finalizer that are no longer rooted.  "
         "If used independently it lists all objects in the finalizable and \"ready for "
         "finalization\" queues.",
         ValueType::kFlag},
        {{"-mt"},
         "Limits the search for finalizable objects to only those matching the given "
         "MethodTable.",
         ValueType::kString},
        {{"-stat", "-summary"}, "Only print object statistics, not the list of all objects.",
         ValueType::kFlag}},
       std::nullopt,
       RunFinalizeQueue});
}

}  // namespace clrdump::cmd
