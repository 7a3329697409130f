// The GC's bookkeeping read through the DAC: sub-heaps, generation tables,
// segment lists, allocation contexts, MethodTables, handles, stack
// references and sync blocks. The segment model follows ClrMD, whose
// numbers dotnet-dump prints.
#include <algorithm>
#include <unordered_set>

#include "runtime/dac/dac_runtime.h"

namespace clrdump::runtime::dac {
namespace {

// Longest list accepted from the DAC; more means corrupt data.
constexpr unsigned int kMaxEntries = 1 << 24;
constexpr uint64_t kReadOnlySegment = 1;

GcGeneration ToGeneration(const DacpGenerationData& g) {
  return {g.start_segment, g.allocation_start, g.alloc_context_ptr, g.alloc_context_limit};
}

// Where a segment's committed memory starts: ClrMD's rule, as the GC keeps
// the segment's header in the page before its first object.
uint64_t CommittedStart(SegmentKind kind, uint64_t first_object) {
  if (kind == SegmentKind::kFrozen) return first_object - 8;
  if ((first_object & 0x1fff) == 0x1000) return first_object - 0x1000;
  return first_object & ~uint64_t{0xfff};
}

SegmentKind KindOf(const GcSubHeap& heap, uint64_t address, size_t generation, uint64_t flags) {
  if (flags & kReadOnlySegment) return SegmentKind::kFrozen;
  if (generation == 3) return SegmentKind::kLarge;
  if (generation == 4) return SegmentKind::kPinned;
  if (heap.has_regions()) {
    return generation == 0 ? SegmentKind::kGen0
                           : generation == 1 ? SegmentKind::kGen1 : SegmentKind::kGen2;
  }
  return heap.ephemeral_segment == address ? SegmentKind::kEphemeral : SegmentKind::kGen2;
}

GcSegment MakeSegment(const GcSubHeap& heap, uint64_t address, size_t generation,
                      const DacpHeapSegmentData& d) {
  GcSegment s;
  s.address = d.segment_address;
  s.heap = heap.index;
  s.flags = d.flags;
  s.next = d.next;
  s.background_allocated = d.background_allocated;
  s.kind = KindOf(heap, address, generation, d.flags);
  // The current allocation segment's `allocated` is stale; the heap's is not.
  const uint64_t end = heap.ephemeral_segment == address ? heap.allocated : d.allocated;
  s.objects = {d.mem, end};
  s.committed = {CommittedStart(s.kind, d.mem), d.committed};
  s.reserved = {d.committed, d.reserved};
  if (heap.has_regions()) {
    AddressRange& part = generation == 0 ? s.gen0 : generation == 1 ? s.gen1 : s.gen2;
    part = s.objects;
  } else if (s.kind == SegmentKind::kEphemeral && heap.generations.size() >= 2) {
    s.gen0 = {heap.generations[0].allocation_start, s.objects.end};
    s.gen1 = {heap.generations[1].allocation_start, s.gen0.start};
    s.gen2 = {s.objects.start, s.gen1.start};
  } else {
    s.gen2 = s.objects;
  }
  return s;
}

// Takes every entry of an ISOSEnum-style enumerator, in batches, up to
// kMaxEntries.
template <typename Entry, typename Enum, typename Add>
void Drain(Enum& items, Add add) {
  Entry batch[256];
  size_t total = 0;
  for (;;) {
    unsigned int fetched = 0;
    if (items.Next(256, batch, &fetched) < 0 || fetched == 0 || fetched > 256) return;
    for (unsigned int i = 0; i < fetched; ++i) add(batch[i]);
    total += fetched;
    if (total > kMaxEntries || fetched < 256) return;
  }
}

}  // namespace

void DacRuntime::AddSegments(GcSubHeap& heap, size_t generation,
                             std::unordered_set<uint64_t>& seen) {
  if (generation >= heap.generations.size()) return;
  uint64_t address = heap.generations[generation].start_segment;
  while (address != 0 && seen.size() < kMaxEntries && seen.insert(address).second) {
    DacpHeapSegmentData d{};
    if (sos_->GetHeapSegmentData(address, &d) < 0) break;
    heap.segments.push_back(MakeSegment(heap, address, generation, d));
    address = d.next;
  }
}

GcSubHeap DacRuntime::MakeSubHeap(uint64_t address, uint32_t index,
                                  const DacpGcHeapDetails& d) {
  GcSubHeap h;
  h.address = address;
  h.index = index;
  h.allocated = d.alloc_allocated;
  h.mark_array = d.mark_array;
  h.state = d.current_c_gc_state;
  h.current_sweep_position = d.next_sweep_obj;
  h.saved_sweep_ephemeral_segment = d.saved_sweep_ephemeral_seg;
  h.saved_sweep_ephemeral_start = d.saved_sweep_ephemeral_start;
  h.background_saved_lowest_address = d.background_saved_lowest_address;
  h.background_saved_highest_address = d.background_saved_highest_address;
  h.ephemeral_segment = d.ephemeral_heap_segment;
  h.lowest_address = d.lowest_address;
  h.highest_address = d.highest_address;
  h.card_table = d.card_table;
  h.alloc_context = {d.generation_table[0].alloc_context_ptr,
                     d.generation_table[0].alloc_context_limit};
  for (const auto& g : d.generation_table) h.generations.push_back(ToGeneration(g));
  h.finalization_pointers.assign(d.finalization_fill_pointers,
                                 d.finalization_fill_pointers + 6);
  // The full tables (with the pinned object heap) come from interface 8.
  if (sos8_) {
    DacpGenerationData table[8]{};
    unsigned int needed = 0;
    HRESULT hr = address ? sos8_->GetGenerationTableSvr(address, 8, table, &needed)
                         : sos8_->GetGenerationTable(8, table, &needed);
    if (hr == kS_OK && needed <= 8) {
      h.generations.clear();
      for (unsigned int i = 0; i < needed; ++i) h.generations.push_back(ToGeneration(table[i]));
    }
    CLRDATA_ADDRESS fill[16]{};
    hr = address ? sos8_->GetFinalizationFillPointersSvr(address, 16, fill, &needed)
                 : sos8_->GetFinalizationFillPointers(16, fill, &needed);
    if (hr == kS_OK && needed <= 16) h.finalization_pointers.assign(fill, fill + needed);
  }
  std::unordered_set<uint64_t> seen;
  AddSegments(h, 3, seen);
  AddSegments(h, 2, seen);
  if (h.has_regions()) {
    AddSegments(h, 1, seen);
    AddSegments(h, 0, seen);
  }
  if (h.generations.size() > 4) AddSegments(h, 4, seen);
  return h;
}

Result<std::vector<GcSubHeap>> DacRuntime::GetGcSubHeaps() {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpGcHeapData data{};
  if (HRESULT hr = sos_->GetGCHeapData(&data); hr < 0) return DacError("GetGCHeapData", hr);
  std::vector<GcSubHeap> heaps;
  if (!data.bServerMode) {
    DacpGcHeapDetails d{};
    if (HRESULT hr = sos_->GetGCHeapStaticData(&d); hr < 0) {
      return DacError("GetGCHeapStaticData", hr);
    }
    heaps.push_back(MakeSubHeap(0, 0, d));
    return heaps;
  }
  if (data.HeapCount > 4096) {
    return MakeError(ErrorCode::kMalformedInput,
                     "the runtime reports " + std::to_string(data.HeapCount) + " GC heaps");
  }
  std::vector<CLRDATA_ADDRESS> list(data.HeapCount);
  unsigned int needed = 0;
  if (HRESULT hr = sos_->GetGCHeapList(data.HeapCount, list.data(), &needed); hr < 0) {
    return DacError("GetGCHeapList", hr);
  }
  list.resize(std::min<size_t>(needed, list.size()));
  for (uint32_t i = 0; i < list.size(); ++i) {
    DacpGcHeapDetails d{};
    if (sos_->GetGCHeapDetails(list[i], &d) >= 0) heaps.push_back(MakeSubHeap(list[i], i, d));
  }
  return heaps;
}

std::vector<AddressRange> DacRuntime::GetThreadAllocationContexts() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<AddressRange> contexts;
  CLRDATA_ADDRESS pointer = 0, limit = 0;
  if (sos12_ && sos12_->GetGlobalAllocationContext(&pointer, &limit) >= 0 && pointer < limit) {
    contexts.push_back({pointer, limit});
  }
  DacpThreadStoreData store{};
  if (sos_->GetThreadStoreData(&store) < 0) return contexts;
  uint64_t address = store.firstThread;
  for (int32_t i = 0; i < store.threadCount && address != 0; ++i) {
    DacpThreadData t{};
    if (sos_->GetThreadData(address, &t) < 0) break;
    if (t.allocContextPtr < t.allocContextLimit) {
      contexts.push_back({t.allocContextPtr, t.allocContextLimit});
    }
    address = t.nextThread;
  }
  return contexts;
}

Result<MethodTableData> DacRuntime::GetMethodTableData(uint64_t method_table) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpMethodTableData d{};
  if (HRESULT hr = sos_->GetMethodTableData(method_table, &d); hr < 0) {
    return DacError("GetMethodTableData", hr);
  }
  MethodTableData m;
  m.is_free = d.bIsFree != 0;
  m.module = d.Module;
  m.eeclass = d.Class;
  m.parent = d.ParentMethodTable;
  m.num_interfaces = d.wNumInterfaces;
  m.num_methods = d.wNumMethods;
  m.num_vtable_slots = d.wNumVtableSlots;
  m.num_virtuals = d.wNumVirtuals;
  m.base_size = d.BaseSize;
  m.component_size = d.ComponentSize;
  m.token = d.cl;
  m.attr_class = d.dwAttrClass;
  m.is_shared = d.bIsShared != 0;
  m.is_dynamic = d.bIsDynamic != 0;
  m.contains_pointers = d.bContainsPointers != 0;
  return m;
}

Result<std::vector<GcHandle>> DacRuntime::GetHandles(const std::vector<HandleKind>& kinds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSHandleEnum> handles;
  std::vector<unsigned int> types;
  for (HandleKind k : kinds) types.push_back(static_cast<unsigned int>(k));
  HRESULT hr = types.empty() ? sos_->GetHandleEnum(handles.out())
                             : sos_->GetHandleEnumForTypes(types.data(),
                                                           static_cast<unsigned int>(types.size()),
                                                           handles.out());
  if (hr < 0 || !handles) return DacError("GetHandleEnum", hr);
  std::vector<GcHandle> result;
  Drain<SOSHandleData>(*handles, [&](const SOSHandleData& h) {
    result.push_back({h.handle, h.secondary, h.app_domain, static_cast<HandleKind>(h.type),
                      h.strong_reference != 0, h.ref_count, h.jupiter_ref_count,
                      h.is_pegged != 0});
  });
  return result;
}

Result<std::vector<StackReference>> DacRuntime::GetStackReferences(uint32_t os_thread_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSStackRefEnum> refs;
  HRESULT hr = sos_->GetStackReferences(os_thread_id, refs.out());
  if (hr < 0 || !refs) return DacError("GetStackReferences", hr);
  std::vector<StackReference> result;
  Drain<SOSStackRefData>(*refs, [&](const SOSStackRefData& r) {
    result.push_back({r.has_register_information != 0, r.reg, r.offset, r.address, r.object,
                      r.flags, r.source_type, r.source, r.stack_pointer});
  });
  return result;
}

Result<std::vector<SyncBlock>> DacRuntime::GetSyncBlocks() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<SyncBlock> blocks;
  DacpSyncBlockData d{};
  if (HRESULT hr = sos_->GetSyncBlockData(1, &d); hr < 0) {
    // A runtime that never made a sync block has none to report.
    return blocks;
  }
  const uint32_t total = std::min<uint32_t>(d.sync_block_count, kMaxEntries);
  for (uint32_t index = 1; index <= total; ++index) {
    if (index > 1 && sos_->GetSyncBlockData(index, &d) < 0) break;
    if (d.free) continue;
    blocks.push_back({index, d.sync_block_pointer, d.object, d.app_domain, d.com_flags,
                      d.monitor_held, d.recursion, d.holding_thread,
                      d.additional_thread_count});
  }
  return blocks;
}

}  // namespace clrdump::runtime::dac
