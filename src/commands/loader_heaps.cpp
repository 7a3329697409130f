#include "commands/loader_heaps.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <unordered_set>
#include <vector>

#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::NativeHeap;
using runtime::NativeHeapKind;

constexpr uint64_t kPageSize = 0x1000;

std::string MemorySize(uint64_t length) {
  return length ? fmt::format("0x{:x} ({})", length, length) : std::string();
}

void WriteDivider(std::ostream& out) { out << std::string(40, '-') << '\n'; }

void AppendSizeAndWasted(std::string& text, uint64_t size, uint64_t wasted) {
  text += "Size: " + MemorySize(size) + " bytes total";
  if (wasted > 0) text += ", " + MemorySize(wasted) + " bytes wasted";
}

// eeheap's order of a domain's heap kinds: the old SOS order first, then
// the rest by ClrMD's kind value.
int SortOrder(NativeHeapKind kind) {
  static constexpr std::array<NativeHeapKind, 12> kFirst = {
      NativeHeapKind::kLowFrequencyHeap,    NativeHeapKind::kHighFrequencyHeap,
      NativeHeapKind::kStubHeap,            NativeHeapKind::kExecutableHeap,
      NativeHeapKind::kFixupPrecodeHeap,    NativeHeapKind::kNewStubPrecodeHeap,
      NativeHeapKind::kIndirectionCellHeap, NativeHeapKind::kLookupHeap,
      NativeHeapKind::kResolveHeap,         NativeHeapKind::kDispatchHeap,
      NativeHeapKind::kCacheEntryHeap,      NativeHeapKind::kVtableHeap};
  auto it = std::find(kFirst.begin(), kFirst.end(), kind);
  return it != kFirst.end() ? static_cast<int>(it - kFirst.begin())
                            : 100 + static_cast<int>(kind);
}

std::string KindLabel(NativeHeapKind kind) {
  return std::string(runtime::NativeHeapKindName(kind)) + ":";
}

struct ModuleHeaps {
  uint64_t thunk_heap = 0;
  uint64_t loader_allocator = 0;
};

class LoaderPrinter {
 public:
  LoaderPrinter(CommandContext& ctx, runtime::Runtime& rt, const HeapFilter& filter)
      : ctx_(ctx),
        rt_(rt),
        filter_(filter),
        // Both columns left-aligned; values are as wide as they are.
        table_(ctx.out, {columns::Text().WithWidth(21), {Align::kLeft, -1, false, false}}),
        total_(filter.has_filters() ? "Partial" : "Total") {}

  uint64_t Print();

 private:
  bool Included(const NativeHeap& heap) const;
  uint64_t ActualSize(uint64_t address, uint64_t size) const;
  std::pair<uint64_t, uint64_t> SizeAndWasted(std::string& text, const NativeHeap& heap) const;
  uint64_t PrintDomains();
  uint64_t PrintDomain(const std::string& name, uint64_t domain);
  uint64_t PrintHeapsByKind(const std::vector<NativeHeap>& heaps);
  uint64_t PrintCodeHeaps();
  uint64_t PrintModules(const std::vector<uint64_t>& thunk_heaps);
  void Row(const std::string& name, const std::string& value) { table_.WriteRow({name, value}); }

  CommandContext& ctx_;
  runtime::Runtime& rt_;
  const HeapFilter& filter_;
  Table table_;
  std::string total_;
  // Domains and heap blocks already printed (eeheap keeps both in one set).
  std::unordered_set<uint64_t> seen_;
};

// Heaps are filtered by the memory range only, by either end.
bool LoaderPrinter::Included(const NativeHeap& heap) const {
  const auto& range = filter_.range();
  if (!range) return true;
  if (range->Contains(heap.range.start)) return true;
  return heap.range.size() > 0 && range->Contains(heap.range.end - 1);
}

// Whole pages readable from the start of the block on: what the process
// actually touched (may round past the block's size, as eeheap's does).
uint64_t LoaderPrinter::ActualSize(uint64_t address, uint64_t size) const {
  if (size == 0) return 0;
  std::array<uint8_t, kPageSize> page{};
  const uint64_t end = address + size;
  uint64_t actual = 0;
  while (address < end && ctx_.target.memory().Read(address, page) > 0) {
    actual += kPageSize;
    address += kPageSize;
  }
  return actual;
}

std::pair<uint64_t, uint64_t> LoaderPrinter::SizeAndWasted(std::string& text,
                                                           const NativeHeap& heap) const {
  text += fmt::format("{:012x}", heap.range.start);
  const uint64_t size = heap.range.size();
  if (size == 0) return {0, 0};
  const uint64_t actual = ActualSize(heap.range.start, size);
  text += fmt::format("({:x}:{:x})", size, actual);
  const bool wasted = actual < size && heap.state != runtime::NativeHeapState::kActive;
  return {actual, wasted ? size - actual : 0};
}

uint64_t LoaderPrinter::PrintDomains() {
  ctx_.out << "Loader Heap:\n";
  WriteDivider(ctx_.out);
  auto store = rt_.GetAppDomainStore();
  if (!store) return 0;
  uint64_t total = PrintDomain("System Domain:", store->system_domain);
  total += PrintDomain("Shared Domain:", store->shared_domain);
  auto domains = rt_.GetAppDomainList(store->domain_count);
  if (!domains) return total;
  for (size_t i = 0; i < domains->size() && !ctx_.cancelled(); ++i) {
    total += PrintDomain(fmt::format("Domain {}:", i + 1), (*domains)[i]);
  }
  return total;
}

uint64_t LoaderPrinter::PrintDomain(const std::string& name, uint64_t domain) {
  if (domain == 0) return 0;
  Row(name, PointerCell(domain));
  // ClrMD reports a domain's own address as its LoaderAllocator; eeheap
  // prints and remembers that value.
  Row("LoaderAllocator:", PointerCell(domain));
  if (!seen_.insert(domain).second) return 0;
  std::vector<NativeHeap> unique;
  for (const NativeHeap& heap : rt_.GetDomainNativeHeaps(domain)) {
    if (Included(heap) && seen_.insert(heap.range.start).second) unique.push_back(heap);
  }
  return PrintHeapsByKind(unique);
}

// One row per kind (kinds in eeheap's order, blocks in the runtime's).
uint64_t LoaderPrinter::PrintHeapsByKind(const std::vector<NativeHeap>& heaps) {
  std::vector<NativeHeapKind> kinds;
  for (const NativeHeap& h : heaps) {
    if (std::find(kinds.begin(), kinds.end(), h.kind) == kinds.end()) kinds.push_back(h.kind);
  }
  std::stable_sort(kinds.begin(), kinds.end(),
                   [](auto a, auto b) { return SortOrder(a) < SortOrder(b); });
  uint64_t total_size = 0, total_wasted = 0;
  for (NativeHeapKind kind : kinds) {
    if (ctx_.cancelled()) break;
    std::string text;
    uint64_t size = 0, wasted = 0;
    for (const NativeHeap& h : heaps) {
      if (h.kind != kind) continue;
      if (!text.empty()) text += ' ';
      auto [s, w] = SizeAndWasted(text, h);
      size += s;
      wasted += w;
    }
    text += ' ';
    AppendSizeAndWasted(text, size, wasted);
    Row(KindLabel(kind), text + ".");
    total_size += size;
    total_wasted += wasted;
  }
  if (total_size > 0) {
    std::string text;
    AppendSizeAndWasted(text, total_size, total_wasted);
    Row(total_ + " size:", text + ".");
  } else {
    ctx_.out << "No unique loader heaps found.\n";
  }
  WriteDivider(ctx_.out);
  return total_size;
}

uint64_t LoaderPrinter::PrintCodeHeaps() {
  uint64_t total = 0;
  for (const runtime::JitManager& manager : rt_.GetJitManagers()) {
    if (ctx_.cancelled()) break;
    Row("JIT Manager:", PointerCell(manager.address));
    std::vector<NativeHeap> heaps;
    for (const NativeHeap& h : rt_.GetJitManagerHeaps(manager.address)) {
      if (Included(h)) heaps.push_back(h);
    }
    std::stable_sort(heaps.begin(), heaps.end(), [](const NativeHeap& a, const NativeHeap& b) {
      return a.kind != b.kind ? a.kind < b.kind : a.range.start < b.range.start;
    });
    uint64_t size = 0, wasted = 0;
    for (const NativeHeap& h : heaps) {
      std::string text;
      auto [s, w] = SizeAndWasted(text, h);
      size += s;
      wasted += w;
      text += ' ';
      AppendSizeAndWasted(text, s, w);
      Row(KindLabel(h.kind), text + ".");
    }
    std::string text;
    AppendSizeAndWasted(text, size, wasted);
    Row(total_ + " size:", text + ".");
    WriteDivider(ctx_.out);
    total += size;
  }
  return total;
}

// eeheap sums each module's thunk heap (also for the LoaderAllocator
// list) but prints only the total.
uint64_t LoaderPrinter::PrintModules(const std::vector<uint64_t>& thunk_heaps) {
  uint64_t total_size = 0, total_wasted = 0;
  for (uint64_t thunk_heap : thunk_heaps) {
    if (ctx_.cancelled()) break;
    for (const NativeHeap& h : rt_.GetThunkHeaps(thunk_heap)) {
      if (!Included(h)) continue;
      std::string unused;
      auto [s, w] = SizeAndWasted(unused, h);
      total_size += s;
      total_wasted += w;
    }
  }
  std::string text;
  AppendSizeAndWasted(text, total_size, total_wasted);
  Row(total_ + " size:", text);
  return total_size;
}

uint64_t LoaderPrinter::Print() {
  uint64_t total = PrintDomains();
  total += PrintCodeHeaps();
  std::vector<ModuleHeaps> modules;
  for (uint64_t address : rt_.EnumerateModules()) {
    auto m = rt_.GetManagedModule(address);
    modules.push_back(m ? ModuleHeaps{m->thunk_heap, m->loader_allocator} : ModuleHeaps{});
  }
  std::vector<uint64_t> with_thunks, collectible;
  for (const ModuleHeaps& m : modules) {
    if (m.thunk_heap != 0) with_thunks.push_back(m.thunk_heap);
    // Only a LoaderAllocator eeheap has already seen qualifies.
    if (m.loader_allocator != 0 && seen_.contains(m.loader_allocator)) {
      collectible.push_back(m.thunk_heap);
    }
  }
  if (!with_thunks.empty()) {
    WriteDivider(ctx_.out);
    ctx_.out << "Module Thunk heaps:\n";
    total += PrintModules(with_thunks);
  }
  if (!collectible.empty()) {
    WriteDivider(ctx_.out);
    ctx_.out << "Module LoaderAllocators:\n";
    total += PrintModules(collectible);
  }
  return total;
}

}  // namespace

uint64_t PrintLoaderHeaps(CommandContext& ctx, runtime::Runtime& rt, const HeapFilter& filter) {
  return LoaderPrinter(ctx, rt, filter).Print();
}

}  // namespace clrdump::cmd
