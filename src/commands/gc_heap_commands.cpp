// GC heap layout and contents: `eeheap` (its loader part is in
// loader_heaps.cpp) and `dumpheap`, with
// dotnet-dump's filters, tables and statistics.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "commands/address.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/heap_filter.h"
#include "commands/loader_heaps.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::GcSegment;
using runtime::HeapObject;
using runtime::ManagedHeap;
using runtime::SegmentKind;

std::string MemorySize(uint64_t length, const std::string& zero = "") {
  return length ? fmt::format("0x{:x} ({})", length, length) : zero;
}

void WriteSegments(Table& table, const std::vector<const GcSegment*>& segments) {
  for (const GcSegment* s : segments) {
    table.WriteRow({PointerCell(s->address), PointerCell(s->objects.start),
                    PointerCell(s->objects.end), PointerCell(s->committed.end),
                    MemorySize(s->objects.size()), MemorySize(s->committed.size())});
  }
}

std::vector<const GcSegment*> OfKind(const std::vector<const GcSegment*>& all,
                                     bool (*want)(SegmentKind)) {
  std::vector<const GcSegment*> result;
  for (const GcSegment* s : all) {
    if (want(s->kind)) result.push_back(s);
  }
  std::stable_sort(result.begin(), result.end(), [](auto* a, auto* b) {
    return a->objects.start < b->objects.start;
  });
  return result;
}

void PrintSegmentGenerations(CommandContext& ctx, ManagedHeap& heap,
                             const runtime::GcSubHeap& sub) {
  for (size_t i = 0; i <= 2 && i < sub.generations.size(); ++i) {
    ctx.out << fmt::format("generation {} starts at {:x}\n", i,
                           sub.generations[i].allocation_start);
  }
  (void)heap;
  ctx.out << "ephemeral segment allocation context: ";
  if (sub.alloc_context.size() > 0) {
    ctx.out << fmt::format("(0x{:x}, 0x{})\n", sub.alloc_context.start, sub.alloc_context.end);
  } else {
    ctx.out << "none\n";
  }
}

void PrintSubHeap(CommandContext& ctx, ManagedHeap& heap, const HeapFilter& filter,
                  const runtime::GcSubHeap& sub, Table& table) {
  const std::vector<std::string> header = {"segment",   "begin",          "allocated",
                                           "committed", "allocated size", "committed size"};
  if (heap.server()) ctx.out << fmt::format("Heap {} ({:016x})\n", sub.index, sub.address);
  if (!sub.has_regions()) PrintSegmentGenerations(ctx, heap, sub);
  const auto segments = filter.Segments(&sub, false);
  ctx.out << "Small object heap\n";
  table.WriteHeader(header);
  std::vector<const GcSegment*> small;
  for (const GcSegment* s : segments) {
    if (s->kind == SegmentKind::kEphemeral || s->kind <= SegmentKind::kGen2) small.push_back(s);
  }
  std::stable_sort(small.begin(), small.end(), [](auto* a, auto* b) {
    return a->kind != b->kind ? a->kind < b->kind : a->objects.start < b->objects.start;
  });
  bool need_title[3] = {sub.has_regions(), sub.has_regions(), sub.has_regions()};
  for (const GcSegment* s : small) {
    const int gen = static_cast<int>(s->kind);
    if (gen <= 2 && need_title[gen]) {
      ctx.out << fmt::format("generation {}:\n", gen);
      need_title[gen] = false;
    }
    WriteSegments(table, {s});
  }
  auto frozen = OfKind(segments, [](SegmentKind k) { return k == SegmentKind::kFrozen; });
  if (!frozen.empty()) {
    ctx.out << "NonGC heap\n";
    table.WriteHeader(header);
    WriteSegments(table, frozen);
  }
  const bool plain_titles = sub.has_regions() || sub.generations.size() <= 3;
  ctx.out << (plain_titles ? std::string("Large object heap\n")
                           : fmt::format("Large object heap starts at {:x}\n",
                                         sub.generations[3].allocation_start));
  table.WriteHeader(header);
  WriteSegments(table, OfKind(segments, [](SegmentKind k) { return k == SegmentKind::kLarge; }));
  auto pinned = OfKind(segments, [](SegmentKind k) { return k == SegmentKind::kPinned; });
  if (!pinned.empty()) {
    ctx.out << (plain_titles ? std::string("Pinned object heap\n")
                             : fmt::format("Pinned object heap starts at {:x}\n",
                                           sub.generations[4].allocation_start));
    table.WriteHeader(header);
    WriteSegments(table, pinned);
  }
  if (filter.has_filters()) {
    uint64_t allocated = 0, committed = 0;
    for (const GcSegment* s : segments) {
      allocated += s->objects.size();
      committed += s->committed.size();
    }
    ctx.out << "Partial Allocated Size:              Size: " << MemorySize(allocated)
            << " bytes.\n";
    ctx.out << "Partial Committed Size:              Size: " << MemorySize(committed)
            << " bytes.\n";
  }
  ctx.out << "------------------------------\n";
}

// The GC part of eeheap; returns the committed bytes it lists.
uint64_t PrintGcHeap(CommandContext& ctx, ManagedHeap& h, const HeapFilter& filter) {
  auto rt = ctx.target.runtime();
  const auto datas = rt ? (*rt)->GetGcDynamicAdaptationMode() : std::nullopt;
  ctx.out << "\nDATAS = " << (datas ? std::to_string(*datas) : "") << "\n";
  std::vector<std::string> sizes;
  for (const GcSegment* s : h.segments()) sizes.push_back(MemorySize(s->committed.size()));
  const Column size_column = columns::Text().Fitted(sizes, -1, 32);
  Table table(ctx.out, {columns::Pointer(), columns::Pointer(), columns::Pointer(),
                        columns::Pointer(), size_column, size_column});
  ctx.out << std::string(40, '=') << "\n";
  ctx.out << fmt::format("Number of GC Heaps: {}\n", h.sub_heaps().size());
  ctx.out << std::string(40, '-') << "\n";
  for (const auto* sub : filter.SubHeaps()) {
    if (ctx.cancelled()) return 0;
    PrintSubHeap(ctx, h, filter, *sub, table);
  }
  uint64_t allocated = 0, committed = 0;
  for (const GcSegment* s : filter.Segments(nullptr, false)) {
    allocated += s->objects.size();
    committed += s->committed.size();
  }
  const std::string prefix = filter.has_filters() ? "Partial " : "";
  ctx.out << prefix << "GC Allocated Heap Size:    Size: " << MemorySize(allocated) << " bytes.\n";
  ctx.out << prefix << "GC Committed Heap Size:    Size: " << MemorySize(committed) << " bytes.\n";
  return committed;
}

// Loader heaps, then the GC heap; both (with the sum) unless one is asked for.
Status RunEEHeap(CommandContext& ctx, const ParsedArgs& args) {
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  HeapFilter filter(**heap);
  if (Status s = filter.ApplyOptions(args, "eeheap", "memoryrange", false); !s) return s;
  const bool gc = args.Has("-gc");
  const bool loader = args.Has("-loader");
  uint64_t total = 0;
  if (loader || !gc) {
    auto rt = ctx.target.runtime();
    if (!rt) return rt.error();
    total += PrintLoaderHeaps(ctx, **rt, filter);
  }
  if (ctx.cancelled()) return Ok{};
  if (gc || !loader) total += PrintGcHeap(ctx, **heap, filter);
  if (!gc && !loader && !ctx.cancelled()) {
    ctx.out << "\n" << (filter.has_filters() ? "Partial" : "Total")
            << " bytes consumed by CLR: " << MemorySize(total, "0") << "\n\n";
  }
  return Ok{};
}

}  // namespace

void AddGcHeapCommands(Registry& registry) {
  registry.Add({"eeheap",
                {"EEHeap"},
                "Displays information about native memory that CLR has allocated.",
                {{{"-gc"}, "Only display the GC.", ValueType::kFlag},
                 {{"-loader"}, "Only display the Loader.", ValueType::kFlag},
                 {{"-heap"}, "", ValueType::kInt32},
                 {{"-segment"}, "", ValueType::kString}},
                ArgumentSpec{"memoryrange", "Optional memory ranges in the form of: [Start [End]]",
                             ValueType::kString, true},
                RunEEHeap});
}

}  // namespace clrdump::cmd
