// Sync blocks one by one (free entries too), the list the finalizer cleans
// up, and handle walks in SOS's batches, read through the DAC.
#include <algorithm>
#include <unordered_set>

#include "runtime/dac/dac_runtime.h"

namespace clrdump::runtime::dac {
namespace {

// Longest cleanup list followed; more means a corrupt list.
constexpr size_t kMaxCleanupEntries = 1 << 20;
// Longest handle list accepted; more means corrupt tables.
constexpr size_t kMaxHandles = 1 << 24;

}  // namespace

Result<SyncBlockEntry> DacRuntime::GetSyncBlockEntry(uint32_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpSyncBlockData d{};
  // SOS treats S_FALSE as a failure too.
  if (HRESULT hr = sos_->GetSyncBlockData(index, &d); hr != kS_OK) {
    return DacError("GetSyncBlockData", hr);
  }
  SyncBlockEntry e;
  e.block = {index, d.sync_block_pointer, d.object, d.app_domain, d.com_flags,
             d.monitor_held, d.recursion, d.holding_thread, d.additional_thread_count};
  e.free = d.free != 0;
  e.table_count = d.sync_block_count;
  return e;
}

std::vector<SyncBlockCleanup> DacRuntime::GetSyncBlockCleanupList() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<SyncBlockCleanup> list;
  std::unordered_set<uint64_t> seen{0};
  uint64_t next = 0;
  while (list.size() < kMaxCleanupEntries) {
    DacpSyncBlockCleanupData d{};
    HRESULT hr = sos_->GetSyncBlockCleanupData(next, &d);
    // The DAC answers E_INVALIDARG for the list's start; ClrMD still takes
    // the (empty) entry, so dotnet-dump shows it.
    if (hr != kS_OK && !(hr == kE_INVALIDARG && next == 0)) break;
    list.push_back({d.sync_block_pointer, d.block_rcw, d.block_ccw, d.block_class_factory});
    if (!seen.insert(d.next_sync_block).second) break;
    next = d.next_sync_block;
  }
  return list;
}

Result<HandleWalk> DacRuntime::WalkHandles(uint32_t batch) {
  std::lock_guard<std::mutex> lock(mutex_);
  ComPtr<ISOSHandleEnum> handles;
  if (HRESULT hr = sos_->GetHandleEnum(handles.out()); hr < 0 || !handles) {
    return DacError("GetHandleEnum", hr);
  }
  HandleWalk walk;
  std::vector<SOSHandleData> data(std::max<uint32_t>(batch, 1));
  const auto size = static_cast<unsigned int>(data.size());
  unsigned int fetched = 0;
  do {
    fetched = 0;
    if (HRESULT hr = handles->Next(size, data.data(), &fetched); hr < 0) {
      walk.failure = static_cast<uint32_t>(hr);
      break;
    }
    for (unsigned int i = 0; i < fetched && i < size; ++i) {
      const SOSHandleData& h = data[i];
      walk.handles.push_back({h.handle, h.secondary, h.app_domain,
                              static_cast<HandleKind>(h.type), h.strong_reference != 0,
                              h.ref_count, h.jupiter_ref_count, h.is_pegged != 0});
    }
  } while (fetched == size && walk.handles.size() < kMaxHandles);
  return walk;
}

}  // namespace clrdump::runtime::dac
