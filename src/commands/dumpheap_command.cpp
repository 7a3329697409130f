// `dumpheap`: the objects of the GC heap, filtered, listed and summed up per
// type the way dotnet-dump prints them.
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <unordered_map>

#include "commands/address.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/heap_filter.h"
#include "commands/heap_listing.h"
#include "commands/progress.h"
#include "commands/roots_output.h"
#include "commands/string_table.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::GcSegment;
using runtime::HeapObject;
using runtime::ManagedHeap;

constexpr uint64_t kFragmentMinSize = 512 * 1024;

enum class Display { kNormal, kShort, kStrings };

struct Options {
  std::optional<uint64_t> method_table;
  std::optional<std::string> type;
  bool stat = false;
  bool by_count = false;
  bool fragmentation = true;
  enum class Liveness { kAll, kLive, kDead } liveness = Liveness::kAll;
  Display display = Display::kNormal;
};

struct TypeStats {
  uint64_t count = 0;
  uint64_t size = 0;
  std::string name;
};

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Result<Options> ParseOptions(const ParsedArgs& args, ManagedHeap& heap, HeapFilter& filter) {
  if (!heap.can_walk() && !args.Has("-ignoreGCState")) {
    return Invalid("The GC heap is not in a valid state for traversal.  "
                   "(Use -ignoreGCState to override.)");
  }
  if (args.Has("-thinlock")) {
    return MakeError(ErrorCode::kUnsupported, "dumpheap: -thinlock is not supported yet");
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
  if (auto heap_index = args.Value("-heap")) {
    if (int index = std::stoi(*heap_index); index >= 0) {
      if (Status s = filter.SetGcHeap(index); !s) return s.error();
    }
  }
  if (auto segment = args.Value("-segment")) {
    if (auto address = TryParseAddress(*segment)) {
      filter.SetSegment(*address);
    } else if (segment->find_first_not_of(" \t") != std::string::npos) {
      return Invalid(fmt::format("Failed to parse segment '{}'.", *segment));
    }
  }
  if (Status s = filter.SetRangeArguments(args.Values("memoryrange"), "dumpheap", true); !s) {
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
  o.stat = args.Has("-stat");
  o.by_count = args.Has("-bycount");
  if (args.Has("-short")) o.display = Display::kShort;
  if (args.Has("-strings")) {
    // -strings lists System.String only, whatever -mt says.
    o.display = Display::kStrings;
    o.method_table = heap.globals().string_mt;
  }
  return o;
}

// What dumpheap prints for the objects that pass its filters.
class Printer {
 public:
  Printer(CommandContext& ctx, ManagedHeap& heap, const Options& options)
      : ctx_(ctx), heap_(heap), options_(options),
        objects_(ctx.out, {columns::Pointer(), columns::Pointer(), columns::Integer(),
                           columns::Text()}) {}

  void Add(const GcSegment& segment, const HeapObject& object) {
    if (options_.display == Display::kShort) {
      ctx_.out << fmt::format("{:012x}\n", object.address);
      return;
    }
    const uint64_t size = object.valid() ? object.size : 0;
    if (!options_.stat) {
      if (!header_written_) {
        objects_.WriteHeader({"Address", "MT", "Size"});
        header_written_ = true;
      }
      // An object without a type shows no MethodTable.
      objects_.WriteRow({PointerCell(object.address),
                         object.valid() ? PointerCell(object.method_table) : "",
                         object.valid() ? IntegerCell(size) : "", object.free() ? "Free" : ""});
    }
    TrackFragmentation(segment, object);
    if (options_.display == Display::kStrings) {
      strings_.Add(heap_, object, size);
      return;
    }
    // Without a type, dotnet-dump counts the pointer as stored, mark bit and all.
    const uint64_t key =
        object.valid() ? object.method_table : heap_.ReadPointer(object.address).value_or(0);
    auto [it, added] = stats_.try_emplace(key);
    if (added) order_.push_back(key);
    it->second.count++;
    it->second.size += size;
  }

  void Finish() {
    if (options_.display == Display::kNormal && !stats_.empty()) PrintStats();
    if (options_.display == Display::kStrings && !strings_.empty()) {
      if (!options_.stat) ctx_.out << "\n";
      strings_.Print(ctx_.out, ctx_.cancel);
    }
    PrintFragmentation();
  }

 private:
  void TrackFragmentation(const GcSegment& segment, const HeapObject& object) {
    if (options_.display != Display::kNormal || !options_.fragmentation) return;
    if (last_free_ && object.valid() && !object.free() &&
        last_free_->address + last_free_->size == object.address &&
        segment.kind != runtime::SegmentKind::kLarge) {
      fragments_.emplace_back(*last_free_, object);
    }
    if (object.free() && object.size >= kFragmentMinSize) {
      last_free_ = object;
    } else {
      last_free_.reset();
    }
  }

  std::string NameOf(uint64_t method_table) {
    const std::string& name = heap_.TypeName(method_table);
    return name.empty() ? fmt::format("<unknown_type_{:x}>", method_table) : name;
  }

  void PrintStats() {
    if (!options_.stat) ctx_.out << "\n";
    ctx_.out << "Statistics:\n";
    std::vector<std::string> mts, counts, sizes;
    uint64_t total_count = 0, total_size = 0;
    for (uint64_t mt : order_) {
      const TypeStats& s = stats_[mt];
      mts.push_back(PointerCell(mt));
      counts.push_back(IntegerCell(s.count));
      sizes.push_back(IntegerCell(s.size));
      total_count += s.count;
      total_size += s.size;
    }
    Table table(ctx_.out, {columns::Pointer().Fitted(mts), columns::Integer().Fitted(counts),
                           columns::Integer().Fitted(sizes), columns::TypeName()});
    table.WriteHeader({"MT", "Count", "TotalSize", "Class Name"});
    std::vector<uint64_t> sorted = order_;
    std::stable_sort(sorted.begin(), sorted.end(), [&](uint64_t a, uint64_t b) {
      return options_.by_count ? stats_[a].count < stats_[b].count
                               : stats_[a].size < stats_[b].size;
    });
    for (uint64_t mt : sorted) {
      if (ctx_.cancelled()) return;
      const TypeStats& s = stats_[mt];
      table.WriteRow({PointerCell(mt), IntegerCell(s.count), IntegerCell(s.size), NameOf(mt)});
    }
    ctx_.out << "Total " << IntegerCell(total_count) << " objects, " << IntegerCell(total_size)
             << " bytes\n";
  }

  void PrintFragmentation() {
    if (fragments_.empty()) return;
    ctx_.out << "\nFragmented blocks larger than 0.5 MB:\n";
    Table table(ctx_.out, {columns::Pointer(), columns::Integer(), columns::Pointer(),
                           columns::TypeName()});
    table.WriteHeader({"Address", "Size", "Followed By"});
    for (const auto& [free, next] : fragments_) {
      table.WriteRow({PointerCell(free.address), IntegerCell(free.size),
                      PointerCell(next.address), NameOf(next.method_table)});
    }
  }

  CommandContext& ctx_;
  ManagedHeap& heap_;
  const Options& options_;
  Table objects_;
  bool header_written_ = false;
  std::unordered_map<uint64_t, TypeStats> stats_;
  std::vector<uint64_t> order_;  // first-seen order, which ties keep
  StringTable strings_;
  std::optional<HeapObject> last_free_;
  std::vector<std::pair<HeapObject, HeapObject>> fragments_;
};

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
  Printer printer(ctx, h, *options);
  const runtime::AddressSet* live = nullptr;
  Status live_status = Ok{};
  // dotnet-dump computes the live set when the first object reaches its
  // -live/-dead test, so its messages come before the listing.
  auto is_live = [&](uint64_t address) {
    if (!live) {
      auto set = LiveObjects(ctx, options->display != Display::kShort);
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
      if (Wanted(h, *options, object)) printer.Add(*segment, object);
      return true;
    });
    if (!live_status) return live_status;
    if (ctx.cancelled()) return Ok{};
    done += segment->objects.size();
  }
  printer.Finish();
  return Ok{};
}

Status PrintHeapObjects(CommandContext& ctx, runtime::ManagedHeap& heap,
                        const std::vector<HeapObject>& objects, bool stat, bool short_list) {
  Options options;
  options.stat = stat;
  options.fragmentation = false;
  if (short_list) options.display = Display::kShort;
  Printer printer(ctx, heap, options);
  for (const HeapObject& object : objects) {
    if (ctx.cancelled()) return Ok{};
    const GcSegment* segment = heap.SegmentOf(object.address);
    static const GcSegment kNone;
    printer.Add(segment ? *segment : kNone, object);
  }
  printer.Finish();
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
