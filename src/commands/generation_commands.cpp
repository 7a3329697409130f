// `dumpgen`/`dg` and `sizestats`: the heap's objects per generation, as
// dotnet-dump's ClrMD-based commands count them (ClrMD's walk that stops at
// the first invalid object).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "base/strings.h"
#include "commands/address.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/heap_filter.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::AddressRange;
using runtime::GcSegment;
using runtime::HeapObject;
using runtime::ManagedHeap;
using runtime::SegmentKind;

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

// The part of `segment` that holds `generation` (dumpgen's choice of
// ranges); empty when none.
AddressRange GenerationRange(const GcSegment& segment, Generation generation) {
  const bool ephemeral = segment.kind == SegmentKind::kEphemeral;
  switch (generation) {
    case Generation::kGen0:
      return ephemeral || segment.kind == SegmentKind::kGen0 ? segment.gen0 : AddressRange{};
    case Generation::kGen1:
      return ephemeral || segment.kind == SegmentKind::kGen1 ? segment.gen1 : AddressRange{};
    case Generation::kGen2:
      return ephemeral || segment.kind == SegmentKind::kGen2 ? segment.gen2 : AddressRange{};
    case Generation::kLarge:
      return segment.kind == SegmentKind::kLarge ? segment.objects : AddressRange{};
    case Generation::kPinned:
      return segment.kind == SegmentKind::kPinned ? segment.objects : AddressRange{};
    case Generation::kFrozen:
      return segment.kind == SegmentKind::kFrozen ? segment.objects : AddressRange{};
    default:
      return {};
  }
}

// ClrMD's MemoryRange.Overlaps: an empty range overlaps nothing.
bool Overlaps(const AddressRange& a, const AddressRange& b) {
  if (b.size() == 0) return false;
  return a.Contains(b.start) || a.Contains(b.end - 1) || b.Contains(a.start) ||
         (a.size() > 0 && b.Contains(a.end - 1));
}

// The valid objects of `generation`, in dumpgen's order.
template <typename Visit>
void ForEachInGeneration(CommandContext& ctx, ManagedHeap& heap, Generation generation,
                         Visit&& visit) {
  for (const GcSegment* owner : heap.segments()) {
    const AddressRange range = GenerationRange(*owner, generation);
    if (range.start == range.end) continue;
    // ClrMD walks every segment the range overlaps.
    for (const GcSegment* segment : heap.segments()) {
      if (!Overlaps(range, segment->objects)) continue;
      heap.WalkUntilInvalid(*segment, [&](const HeapObject& object) {
        if (ctx.cancelled() || object.address >= range.end) return false;
        if (object.address >= range.start && object.valid()) visit(object);
        return true;
      });
    }
  }
}

struct TypeCount {
  uint64_t method_table = 0;
  uint64_t count = 0;
  uint64_t size = 0;
};

void WriteStatistics(CommandContext& ctx, ManagedHeap& heap, Generation generation,
                     const std::optional<std::string>& type) {
  std::vector<TypeCount> counts;
  std::unordered_map<uint64_t, size_t> index;
  const std::string wanted = type ? AsciiLower(*type) : "";
  ForEachInGeneration(ctx, heap, generation, [&](const HeapObject& object) {
    if (type && AsciiLower(heap.TypeName(object.method_table)).find(wanted) == std::string::npos) {
      return;
    }
    auto [it, added] = index.try_emplace(object.method_table, counts.size());
    if (added) counts.push_back({object.method_table, 0, 0});
    counts[it->second].count++;
    counts[it->second].size += object.size;
  });
  std::stable_sort(counts.begin(), counts.end(),
                   [](const TypeCount& a, const TypeCount& b) { return a.size < b.size; });
  ctx.out << "Statistics:\n              MT    Count    TotalSize Class Name\n";
  uint64_t total = 0;
  for (const TypeCount& c : counts) {
    total += c.count;
    ctx.out << fmt::format("{:016x} {:>8} {:>12} {}\n", c.method_table, c.count, c.size,
                           heap.TypeName(c.method_table));
  }
  ctx.out << "Total " << total << " objects\n";
}

void WriteInstances(CommandContext& ctx, ManagedHeap& heap, Generation generation,
                    uint64_t method_table) {
  ctx.out << "         Address               MT     Size\n";
  uint64_t total = 0;
  ForEachInGeneration(ctx, heap, generation, [&](const HeapObject& object) {
    if (object.method_table != method_table) return;
    ++total;
    ctx.out << fmt::format("{:016x} {:016x} {:>8}\n", object.address, object.method_table,
                           object.size);
  });
  ctx.out << "Total " << total << " objects\n";
}

Status RunDumpGen(CommandContext& ctx, const ParsedArgs& args) {
  const std::string text = args.Value("generation").value_or("");
  if (text.empty()) return Invalid("Generation argument is missing");
  const std::string g = AsciiLower(text);
  static constexpr std::pair<const char*, Generation> kNames[] = {
      {"gen0", Generation::kGen0},  {"gen1", Generation::kGen1}, {"gen2", Generation::kGen2},
      {"loh", Generation::kLarge},  {"poh", Generation::kPinned}, {"foh", Generation::kFrozen}};
  std::optional<Generation> generation;
  for (const auto& [name, value] : kNames) {
    if (g == name) generation = value;
  }
  if (!generation) {
    return Invalid(text + " is not a supported generation (gen0, gen1, gen2, loh, poh, foh)");
  }
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  const std::optional<std::string> mt = args.Value("-mt");
  if (!mt || mt->empty()) {
    WriteStatistics(ctx, **heap, *generation, args.Value("-type"));
  } else if (auto address = TryParseAddress(*mt)) {
    WriteInstances(ctx, **heap, *generation, *address);
  } else {
    return Invalid("Hexadecimal address expected for -mt option");
  }
  ctx.out << "\n";
  return Ok{};
}

bool SegmentHolds(const GcSegment& segment, Generation generation) {
  switch (segment.kind) {
    case SegmentKind::kEphemeral:
      return generation <= Generation::kGen2;
    default:
      return static_cast<Generation>(segment.kind) == generation;
  }
}

const char* GenerationName(Generation generation) {
  switch (generation) {
    case Generation::kGen0: return "generation0";
    case Generation::kGen1: return "generation1";
    case Generation::kGen2: return "generation2";
    case Generation::kLarge: return "large";
    case Generation::kPinned: return "pinned";
    case Generation::kFrozen: return "frozen";
    default: return "unknown";
  }
}

void SizeStats(CommandContext& ctx, ManagedHeap& heap, Generation generation, bool free) {
  std::map<uint64_t, uint64_t> counts;  // aligned size -> objects
  for (const GcSegment* segment : heap.segments()) {
    if (!SegmentHolds(*segment, generation)) continue;
    heap.WalkUntilInvalid(*segment, [&](const HeapObject& object) {
      if (ctx.cancelled()) return false;
      if (!object.valid() || object.free() != free) return true;
      if (segment->kind == SegmentKind::kEphemeral &&
          GenerationOf(*segment, object.address) != generation) {
        return true;
      }
      counts[runtime::AlignObjectSize(object.size)]++;
      return true;
    });
  }
  ctx.out << fmt::format("Size Statistics for {} {}objects\n\n", GenerationName(generation),
                         free ? "free " : "");
  if (counts.empty()) {
    ctx.out << "(none)\n\n";
    return;
  }
  const Column integer = columns::Integer();
  Table table(ctx.out, {integer, integer, integer, integer});
  table.WriteHeader({"Size", "Count", "Cumulative Size", "Cumulative Count"});
  uint64_t cumulative_size = 0, cumulative_count = 0;
  for (const auto& [size, count] : counts) {
    table.WriteRow({IntegerCell(size), IntegerCell(count), IntegerCell(cumulative_size),
                    IntegerCell(cumulative_count)});
    cumulative_size += size * count;
    cumulative_count += count;
  }
  ctx.out << "\n";
}

Status RunSizeStats(CommandContext& ctx, const ParsedArgs&) {
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  ManagedHeap& h = **heap;
  auto any = [&](SegmentKind kind) {
    return std::any_of(h.segments().begin(), h.segments().end(),
                       [&](const GcSegment* s) { return s->kind == kind; });
  };
  const bool pinned = any(SegmentKind::kPinned);
  std::vector<Generation> used{Generation::kGen0, Generation::kGen1, Generation::kGen2,
                               Generation::kLarge};
  if (pinned) used.push_back(Generation::kPinned);
  for (Generation g : used) SizeStats(ctx, h, g, false);
  if (any(SegmentKind::kFrozen)) SizeStats(ctx, h, Generation::kFrozen, false);
  for (Generation g : used) SizeStats(ctx, h, g, true);
  return Ok{};
}

}  // namespace

void AddGenerationCommands(Registry& registry) {
  registry.Add(
      {"dumpgen",
       {"dg"},
       "Displays heap content for the specified generation.",
       {{{"-type"},
         "List only those objects whose type name is a substring match of the provided string.",
         ValueType::kString},
        {{"-mt"}, "The address pointing on a Method table.", ValueType::kString}},
       ArgumentSpec{"generation", "The GC generation to get heap data from.", ValueType::kString,
                    false},
       RunDumpGen});
  registry.Add({"sizestats", {}, "Size statistics for the GC heap.", {}, std::nullopt,
                RunSizeStats});
}

}  // namespace clrdump::cmd
