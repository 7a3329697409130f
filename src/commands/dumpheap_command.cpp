// `dumpheap`: the objects of the GC heap, filtered, listed and summed up per
// type the way dotnet-dump prints them.
#include <fmt/format.h>

#include <unistd.h>

#include "commands/address.h"
#include "commands/command.h"
#include "commands/dumpheap_service.h"
#include "commands/families.h"
#include "commands/heap_filter.h"
#include "commands/heap_listing.h"
#include "commands/progress.h"
#include "commands/roots_output.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::GcSegment;
using runtime::HeapObject;
using runtime::ManagedHeap;

struct Options {
  std::optional<uint64_t> method_table;
  std::optional<std::string> type;
  enum class Liveness { kAll, kLive, kDead } liveness = Liveness::kAll;
  HeapPrintOptions print;
};

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Result<Options> ParseOptions(const ParsedArgs& args, ManagedHeap& heap, HeapFilter& filter) {
  if (!heap.can_walk() && !args.Has("-ignoreGCState")) {
    return Invalid("The GC heap is not in a valid state for traversal.  "
                   "(Use -ignoreGCState to override.)");
  }
  Options o;
  // Both together mean neither, as in dotnet-dump.
  if (args.Has("-live") != args.Has("-dead")) {
    o.liveness = args.Has("-live") ? Options::Liveness::kLive : Options::Liveness::kDead;
  }
  if (auto mt = args.Value("-mt"); mt && mt->find_first_not_of(" \t") != std::string::npos) {
    o.method_table = TryParseAddress(*mt);
    if (!o.method_table) return Invalid("Invalid MethodTable: " + *mt);
  }
  if (Status s = filter.ApplyOptions(args, "dumpheap", "memoryrange", true); !s) {
    return s.error();
  }
  if (auto min = args.Value("-min")) filter.set_min_size(std::stoull(*min));
  if (auto max = args.Value("-max")) filter.set_max_size(std::stoull(*max));
  if (auto gen = args.Value("-gen"); gen && gen->find_first_not_of(" \t") != std::string::npos) {
    auto g = ParseGeneration(*gen);
    if (!g) {
      return Invalid("Unknown generation: " + *gen +
                     ". Only gen0, gen1, gen2, loh (large), poh (pinned) and foh (frozen) are "
                     "supported");
    }
    filter.set_generation(*g);
  }
  o.type = args.Value("-type");
  o.print.stat = args.Has("-stat");
  o.print.by_count = args.Has("-bycount");
  if (args.Has("-thinlock")) {
    o.print.display = HeapDisplay::kThinLock;
  } else if (args.Has("-strings")) {
    // -strings lists System.String only, whatever -mt says.
    o.print.display = HeapDisplay::kStrings;
    o.method_table = heap.globals().string_mt;
  } else if (args.Has("-short")) {
    o.print.display = HeapDisplay::kShort;
  } else {
    o.print.fragmentation = true;
  }
  return o;
}

bool Wanted(ManagedHeap& heap, const Options& o, const HeapObject& object) {
  if (o.type) {
    if (!object.valid()) return false;
    if (heap.TypeName(object.method_table).find(*o.type) == std::string::npos) return false;
  }
  if (o.method_table && object.method_table != *o.method_table) return false;
  return true;
}

}  // namespace

Status RunDumpHeap(CommandContext& ctx, const ParsedArgs& args) {
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  ManagedHeap& h = **heap;
  HeapFilter filter(h);
  auto options = ParseOptions(args, h, filter);
  if (!options) return options.error();
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  HeapPrinter printer(ctx, h, **rt, options->print);
  const runtime::AddressSet* live = nullptr;
  Status live_status = Ok{};
  // dotnet-dump computes the live set when the first object reaches its
  // -live/-dead test, so its messages come before the listing.
  auto is_live = [&](uint64_t address) {
    if (!live) {
      auto set = LiveObjects(ctx, options->print.display != HeapDisplay::kShort);
      if (!set) {
        live_status = set.error();
        return false;
      }
      live = *set;
    }
    return live->Contains(address);
  };
  const auto segments = filter.Segments(nullptr, true);
  uint64_t total = 0, done = 0, objects = 0;
  for (const GcSegment* segment : segments) total += segment->objects.size();
  Progress progress("Scanning heap", total);
  for (const GcSegment* segment : segments) {
    h.Walk(*segment, [&](const HeapObject& object) {
      if (ctx.cancelled() || !live_status) return false;
      if ((++objects & 0xffff) == 0) {
        progress.Report(done + (object.address - segment->objects.start), objects);
      }
      if (filter.range() && object.address >= filter.range()->end) return false;
      if (!filter.Accepts(*segment, object)) return true;
      if (options->liveness != Options::Liveness::kAll &&
          is_live(object.address) != (options->liveness == Options::Liveness::kLive)) {
        return true;
      }
      if (Wanted(h, *options, object)) printer.Add(object, segment);
      return true;
    });
    if (!live_status) return live_status;
    if (ctx.cancelled()) return Ok{};
    done += segment->objects.size();
  }
  // The names asked next touch other pages: let the walked ones go first.
  h.ReleaseResident();
  printer.Finish();
  return Ok{};
}

Status PrintHeapObjects(CommandContext& ctx, runtime::ManagedHeap& heap,
                        const std::vector<HeapObject>& objects, bool stat, HeapDisplay display) {
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  HeapPrintOptions options;
  options.stat = stat;
  options.display = display;
  HeapPrinter printer(ctx, heap, **rt, options);
  for (const HeapObject& object : objects) {
    if (ctx.cancelled()) return Ok{};
    printer.Add(object, heap.SegmentOf(object.address));
  }
  printer.Finish();
  if (printer.failure()) return *printer.failure();
  return Ok{};
}

void AddDumpHeapCommand(Registry& registry) {
  registry.Add(
      {"dumpheap",
       {"DumpHeap"},
       "Displays a list of all managed objects.",
       {{{"-mt"}, "", ValueType::kString},
        {{"-type"}, "", ValueType::kString},
        {{"-stat"}, "", ValueType::kFlag},
        {{"-strings"}, "", ValueType::kFlag},
        {{"-short"}, "", ValueType::kFlag},
        {{"-min"}, "", ValueType::kUInt64},
        {{"-max"}, "", ValueType::kUInt64},
        {{"-live"}, "", ValueType::kFlag},
        {{"-dead"}, "", ValueType::kFlag},
        {{"-heap"}, "", ValueType::kInt32},
        {{"-segment"}, "", ValueType::kString},
        {{"-thinlock"}, "", ValueType::kFlag},
        {{"-bycount"}, "Sort the statistics table by object count instead of total size.",
         ValueType::kFlag},
        {{"-gen"}, "", ValueType::kString},
        {{"-ignoreGCState"},
         "Ignore the GC's marker that the heap is not walkable (will generate lots of false "
         "positive errors).",
         ValueType::kFlag},
        {{"-noprogress"}, "Suppress periodic progress output during heap scanning.",
         ValueType::kFlag}},
       ArgumentSpec{"memoryrange", "Optional memory ranges in the form of: [Start [End]]",
                    ValueType::kString, true},
       RunDumpHeap});
}

}  // namespace clrdump::cmd
