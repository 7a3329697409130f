// The GC heap's segments and allocation contexts, and MethodTable sizes,
// through ISOSDacInterface(8, 12), listed in ClrMD's order so heap walks
// see what dotnet-dump sees.
#include <algorithm>
#include <set>

#include "runtime/dac/dac_runtime.h"

namespace clrdump::runtime::dac {
namespace {

constexpr uint64_t kReadOnlySegment = 0x1;
// Generation indexes of the generation table.
constexpr int kLargeGeneration = 3;
constexpr int kPinnedGeneration = 4;
// More generations than this would be a corrupt answer.
constexpr unsigned int kMaxGenerations = 16;

SegmentKind KindOf(const DacpHeapSegmentData& data, int generation, bool regions,
                   bool ephemeral) {
  if (data.flags & kReadOnlySegment) return SegmentKind::kFrozen;
  if (generation == kLargeGeneration) return SegmentKind::kLarge;
  if (generation == kPinnedGeneration) return SegmentKind::kPinned;
  if (regions) {
    if (generation == 0) return SegmentKind::kGeneration0;
    if (generation == 1) return SegmentKind::kGeneration1;
    return SegmentKind::kGeneration2;
  }
  return ephemeral ? SegmentKind::kEphemeral : SegmentKind::kGeneration2;
}

}  // namespace

std::vector<DacpGenerationData> DacRuntime::GenerationTable(uint64_t heap,
                                                            const DacpGcHeapDetails& details) {
  std::vector<DacpGenerationData> table(std::begin(details.generation_table),
                                        std::end(details.generation_table));
  unsigned int count = 0;
  if (!sos8_ || sos8_->GetNumberGenerations(&count) < 0 || count == 0 ||
      count > kMaxGenerations) {
    return table;
  }
  std::vector<DacpGenerationData> full(count);
  unsigned int needed = 0;
  const HRESULT hr = heap != 0 ? sos8_->GetGenerationTableSvr(heap, count, full.data(), &needed)
                               : sos8_->GetGenerationTable(count, full.data(), &needed);
  return hr < 0 ? table : full;
}

void DacRuntime::AddHeapSegments(uint64_t heap, const DacpGcHeapDetails& details,
                                 GcHeapLayout& layout) {
  const auto table = GenerationTable(heap, details);
  const bool regions = table.size() >= 2 && table[0].start_segment != table[1].start_segment;
  std::vector<int> order = {kLargeGeneration, 2};
  if (regions) order.insert(order.end(), {1, 0});
  if (table.size() > 4) order.push_back(kPinnedGeneration);
  std::set<uint64_t> seen = {0};
  for (int generation : order) {
    if (static_cast<size_t>(generation) >= table.size()) continue;
    uint64_t address = table[static_cast<size_t>(generation)].start_segment;
    while (seen.insert(address).second) {
      DacpHeapSegmentData data{};
      if (sos_->GetHeapSegmentData(address, &data) < 0) break;
      const bool ephemeral = address == details.ephemeral_heap_segment;
      layout.segments.push_back(
          {data.mem, ephemeral ? details.alloc_allocated : data.allocated,
           KindOf(data, generation, regions, ephemeral)});
      address = data.next;
    }
  }
  const auto& gen0 = details.generation_table[0];
  if (gen0.allocContextPtr < gen0.allocContextLimit) {
    layout.allocation_contexts.push_back({gen0.allocContextPtr, gen0.allocContextLimit});
  }
}

void DacRuntime::AddAllocationContexts(GcHeapLayout& layout) {
  CLRDATA_ADDRESS pointer = 0, limit = 0;
  if (sos12_ && sos12_->GetGlobalAllocationContext(&pointer, &limit) >= 0 && pointer < limit) {
    layout.allocation_contexts.push_back({pointer, limit});
  }
  DacpThreadStoreData store{};
  if (sos_->GetThreadStoreData(&store) < 0) return;
  uint64_t address = store.firstThread;
  for (int32_t i = 0; i < store.threadCount && address != 0; ++i) {
    DacpThreadData thread{};
    if (sos_->GetThreadData(address, &thread) < 0) break;
    if (thread.allocContextPtr < thread.allocContextLimit) {
      layout.allocation_contexts.push_back({thread.allocContextPtr, thread.allocContextLimit});
    }
    address = thread.nextThread;
  }
}

Result<GcHeapLayout> DacRuntime::GetGcHeapLayout() {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpGcHeapData heap{};
  if (HRESULT hr = sos_->GetGCHeapData(&heap); hr < 0) return DacError("GetGCHeapData", hr);
  GcHeapLayout layout;
  // Thread contexts first: the heaps' own contexts win on the same start.
  AddAllocationContexts(layout);
  if (heap.bServerMode) {
    std::vector<CLRDATA_ADDRESS> heaps(heap.HeapCount);
    unsigned int needed = 0;
    if (HRESULT hr = sos_->GetGCHeapList(heap.HeapCount, heaps.data(), &needed); hr < 0) {
      return DacError("GetGCHeapList", hr);
    }
    for (CLRDATA_ADDRESS address : heaps) {
      DacpGcHeapDetails details{};
      if (sos_->GetGCHeapDetails(address, &details) >= 0) AddHeapSegments(address, details, layout);
    }
  } else {
    DacpGcHeapDetails details{};
    if (sos_->GetGCHeapStaticData(&details) >= 0) AddHeapSegments(0, details, layout);
  }
  std::stable_sort(layout.segments.begin(), layout.segments.end(),
                   [](const HeapSegment& a, const HeapSegment& b) { return a.start < b.start; });
  return layout;
}

Result<MethodTableInfo> DacRuntime::GetMethodTableInfo(uint64_t method_table) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpMethodTableData d{};
  if (HRESULT hr = sos_->GetMethodTableData(method_table, &d); hr < 0) {
    return DacError("GetMethodTableData", hr);
  }
  return MethodTableInfo{d.BaseSize, d.ComponentSize, d.bIsFree != 0, d.bContainsPointers != 0,
                         d.ParentMethodTable};
}

}  // namespace clrdump::runtime::dac
