// `gcheapstat`: allocated, free, unrooted and committed bytes per sub-heap
// and generation, in dotnet-dump's tables.
#include <fmt/format.h>

#include <array>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/heap_filter.h"
#include "commands/roots_output.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::GcSegment;
using runtime::HeapObject;
using runtime::SegmentKind;

struct GenerationInfo {
  uint64_t allocated = 0;
  uint64_t free = 0;
  uint64_t unrooted = 0;
  uint64_t committed = 0;
};

// Ephemeral, gen0, gen1, gen2, LOH, POH, frozen.
enum Slot { kEph, kGen0, kGen1, kGen2, kLoh, kPoh, kFrz, kSlots };

struct HeapInfo {
  int index = -1;  // -1: the total
  GenerationInfo gens[kSlots];
};

int SlotOf(Generation g) {
  switch (g) {
    case Generation::kGen0: return kGen0;
    case Generation::kGen1: return kGen1;
    case Generation::kGen2: return kGen2;
    case Generation::kLarge: return kLoh;
    case Generation::kPinned: return kPoh;
    case Generation::kFrozen: return kFrz;
    case Generation::kUnknown: break;
  }
  return -1;
}

class HeapStat {
 public:
  HeapStat(CommandContext& ctx, runtime::ManagedHeap& heap, bool unreachable)
      : ctx_(ctx), heap_(heap), unreachable_(unreachable) {}

  Result<HeapInfo> Measure(const runtime::GcSubHeap& sub) {
    HeapInfo info;
    info.index = static_cast<int>(sub.index);
    for (const GcSegment& seg : sub.segments) {
      const bool ephemeral = seg.kind == SegmentKind::kEphemeral;
      const int slot = ephemeral ? kEph : SlotOf(static_cast<Generation>(seg.kind));
      if (slot < 0) continue;
      info.gens[slot].committed += seg.committed.size();
      info.gens[slot].allocated += seg.objects.size();
      Status status = Ok{};
      heap_.Walk(seg, [&](const HeapObject& object) {
        if (!object.valid()) return true;  // heap corruption is not counted
        int gen = slot;
        if (ephemeral) {
          gen = SlotOf(GenerationOf(seg, object.address));
          if (gen < 0) return true;
        }
        GenerationInfo& g = info.gens[gen];
        if (object.free()) {
          g.free += object.size;
          if (ephemeral) info.gens[kEph].free += object.size;
          return true;
        }
        if (ephemeral) g.allocated += object.size;
        if (unreachable_) {
          auto live = LiveObjects(ctx_, true);
          if (!live) {
            status = live.error();
            return false;
          }
          if (!(*live)->Contains(object.address)) g.unrooted += object.size;
        }
        return !ctx_.cancelled();
      });
      if (!status) return status.error();
    }
    return info;
  }

 private:
  CommandContext& ctx_;
  runtime::ManagedHeap& heap_;
  bool unreachable_;
};

HeapInfo Total(const std::vector<HeapInfo>& heaps) {
  HeapInfo total;
  for (const HeapInfo& h : heaps) {
    for (int i = 0; i < kSlots; ++i) {
      total.gens[i].allocated += h.gens[i].allocated;
      total.gens[i].free += h.gens[i].free;
      total.gens[i].unrooted += h.gens[i].unrooted;
      total.gens[i].committed += h.gens[i].committed;
    }
  }
  return total;
}

using Select = uint64_t (*)(const GenerationInfo&);

class Printer {
 public:
  Printer(CommandContext& ctx, const std::vector<HeapInfo>& heaps) : ctx_(ctx), heaps_(heaps) {
    for (const HeapInfo& h : heaps) {
      frozen_ |= h.gens[kFrz].committed != 0;
      ephemeral_ |= h.gens[kEph].committed > 0;
    }
    const Column text8{Align::kLeft, 8, true, false};
    const Column integer{Align::kLeft, 10, false, false};
    std::vector<Column> columns{text8, integer, integer, integer, integer, integer,
                                text8, text8, text8};
    if (frozen_) columns.insert(columns.begin() + 1, integer);
    table_ = std::make_unique<Table>(ctx.out, std::move(columns));
  }

  void Section(const char* title, Select select, bool percentages, bool blank_before_total) {
    if (title) ctx_.out << title << "\n";
    Header();
    for (const HeapInfo& h : heaps_) Row(h, select, percentages);
    if (blank_before_total) ctx_.out << "\n";
    Row(Total(heaps_), select, false);
    ctx_.out << "\n";
  }

 private:
  void Header() {
    std::vector<std::string> row{"Heap", "Gen0", "Gen1", "Gen2", "LOH", "POH"};
    if (frozen_) row.push_back("FRZ");
    if (ephemeral_) row.insert(row.begin() + 1, "EPH");
    table_->WriteHeader(row);
  }

  // As dotnet-dump, the frozen column has a header but no values.
  void Row(const HeapInfo& h, Select select, bool percentages) {
    const auto& g = h.gens;
    std::vector<std::string> row{h.index == -1 ? "Total" : fmt::format("Heap{}", h.index)};
    for (int slot : {kGen0, kGen1, kGen2, kLoh, kPoh}) row.push_back(std::to_string(select(g[slot])));
    if (g[kEph].committed > 0) row.insert(row.begin() + 1, std::to_string(select(g[kEph])));
    if (percentages) {
      const uint64_t soh = g[kGen0].allocated + g[kGen1].allocated + g[kGen2].allocated;
      const uint64_t soh_value = select(g[kGen0]) + select(g[kGen1]) + select(g[kGen2]);
      row.push_back(soh ? fmt::format("SOH:{}%", soh_value * 100 / soh) : "");
      row.push_back(g[kLoh].allocated
                        ? fmt::format("LOH:{}%", select(g[kLoh]) * 100 / g[kLoh].allocated) : "");
      row.push_back(g[kPoh].allocated
                        ? fmt::format("POH:{}%", select(g[kPoh]) * 100 / g[kPoh].allocated) : "");
    }
    table_->WriteRow(row);
  }

  CommandContext& ctx_;
  const std::vector<HeapInfo>& heaps_;
  bool frozen_ = false;
  bool ephemeral_ = false;
  std::unique_ptr<Table> table_;
};

Status RunGcHeapStat(CommandContext& ctx, const ParsedArgs& args) {
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  const bool unreachable = args.Has("-unreachable");
  HeapStat stat(ctx, **heap, unreachable);
  std::vector<HeapInfo> heaps;
  for (const runtime::GcSubHeap& sub : (*heap)->sub_heaps()) {
    auto info = stat.Measure(sub);
    if (!info) return info.error();
    heaps.push_back(*info);
  }
  if (ctx.cancelled()) return Ok{};
  Printer printer(ctx, heaps);
  printer.Section(nullptr, [](const GenerationInfo& g) { return g.allocated; }, false, false);
  printer.Section("Free space:", [](const GenerationInfo& g) { return g.free; }, true, false);
  if (unreachable) {
    printer.Section("Unrooted objects:", [](const GenerationInfo& g) { return g.unrooted; }, true,
                    true);
  }
  printer.Section("Committed space:", [](const GenerationInfo& g) { return g.committed; }, false,
                  false);
  return Ok{};
}

}  // namespace

void AddGcHeapStatCommand(Registry& registry) {
  registry.Add({"gcheapstat",
                {"GCHeapStat"},
                "Displays various GC heap stats.",
                {{{"-inclUnrooted", "-iu", "-unreachable"}, "", ValueType::kFlag}},
                std::nullopt,
                RunGcHeapStat});
}

}  // namespace clrdump::cmd
