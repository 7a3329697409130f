// The runtime's loader heaps, JIT code heaps and module thunk heaps read
// through the DAC, enumerated the way ClrMD does (dotnet-dump's eeheap
// prints ClrMD's view): on .NET 8+ a domain's heaps come from its
// LoaderAllocator (ISOSDacInterface13); code heaps and older runtimes use
// the first interface's heap walk, whose idea of a heap's layout differs
// by runtime version, so the address handed to it is adjusted as ClrMD
// adjusts it.
#include <algorithm>
#include <climits>
#include <cstring>

#include "runtime/dac/dac_runtime.h"

namespace clrdump::runtime::dac {
namespace {

constexpr unsigned int kMaxEntries = 1 << 16;
constexpr int32_t kLoaderHeapNormal = 0;
constexpr uint32_t kCodeHeapLoader = 0;
constexpr uint32_t kCodeHeapHost = 1;

struct Block {
  uint64_t address;
  size_t size;
  bool current;
};

// The DAC's heap-walk callback (VisitHeap) carries no user token. A walk
// runs synchronously on the calling thread while the DAC lock is held, so
// a thread-local pointer, set only for the duration of one call by
// BlockSink, names the one list that can be receiving blocks; another
// thread walking another dump's heaps has its own pointer.
thread_local std::vector<Block>* t_blocks = nullptr;

void CollectBlock(CLRDATA_ADDRESS address, size_t size, int32_t current) {
  if (t_blocks && t_blocks->size() < kMaxEntries) t_blocks->push_back({address, size, current != 0});
}

class BlockSink {
 public:
  explicit BlockSink(std::vector<Block>& blocks) : previous_(t_blocks) { t_blocks = &blocks; }
  ~BlockSink() { t_blocks = previous_; }
  BlockSink(const BlockSink&) = delete;
  BlockSink& operator=(const BlockSink&) = delete;

 private:
  std::vector<Block>* previous_;
};

template <typename Walk>
HRESULT CollectBlocks(std::vector<Block>& blocks, Walk walk) {
  BlockSink sink(blocks);
  return walk();
}

// ClrMD ignores a size that does not fit an int: it treats it as unknown.
NativeHeap ToHeap(const Block& b, NativeHeapKind kind) {
  const uint64_t size = b.size > static_cast<size_t>(INT_MAX) ? 0 : b.size;
  return {{b.address, b.address + size},
          kind,
          b.current ? NativeHeapState::kActive : NativeHeapState::kInactive};
}

NativeHeapKind KindOfName(const char* name) {
  static constexpr std::pair<const char*, NativeHeapKind> kKinds[] = {
      {"LowFrequencyHeap", NativeHeapKind::kLowFrequencyHeap},
      {"HighFrequencyHeap", NativeHeapKind::kHighFrequencyHeap},
      {"StubHeap", NativeHeapKind::kStubHeap},
      {"ExecutableHeap", NativeHeapKind::kExecutableHeap},
      {"FixupPrecodeHeap", NativeHeapKind::kFixupPrecodeHeap},
      {"NewStubPrecodeHeap", NativeHeapKind::kNewStubPrecodeHeap},
      {"IndcellHeap", NativeHeapKind::kIndirectionCellHeap},
      {"LookupHeap", NativeHeapKind::kLookupHeap},
      {"ResolveHeap", NativeHeapKind::kResolveHeap},
      {"DispatchHeap", NativeHeapKind::kDispatchHeap},
      {"CacheEntryHeap", NativeHeapKind::kCacheEntryHeap},
      {"VtableHeap", NativeHeapKind::kVtableHeap},
  };
  if (!name) return NativeHeapKind::kUnknown;
  for (const auto& [text, kind] : kKinds) {
    if (std::strcmp(text, name) == 0) return kind;
  }
  return NativeHeapKind::kUnknown;
}

}  // namespace

int DacRuntime::RuntimeMajorVersion() const {
  const std::string version = VersionNumber(location_.version_string);
  int major = 0;
  for (char c : version) {
    if (c < '0' || c > '9') break;
    major = major * 10 + (c - '0');
  }
  return major;
}

const std::vector<NativeHeapKind>& DacRuntime::LoaderHeapKinds() {
  if (loader_heap_kinds_) return *loader_heap_kinds_;
  std::vector<NativeHeapKind> kinds;
  int needed = 0;
  if (sos13_ && sos13_->GetLoaderAllocatorHeapNames(0, nullptr, &needed) >= 0 && needed > 0 &&
      needed < static_cast<int>(kMaxEntries)) {
    std::vector<const char*> names(static_cast<size_t>(needed), nullptr);
    if (sos13_->GetLoaderAllocatorHeapNames(needed, names.data(), &needed) >= 0) {
      for (const char* name : names) kinds.push_back(KindOfName(name));
    }
  }
  loader_heap_kinds_ = std::move(kinds);
  return *loader_heap_kinds_;
}

std::vector<NativeHeap> DacRuntime::LoaderAllocatorHeaps(uint64_t loader_allocator) {
  const auto& kinds = LoaderHeapKinds();
  if (loader_allocator == 0 || !sos13_ || kinds.empty()) return {};
  int needed = 0;
  if (sos13_->GetLoaderAllocatorHeaps(loader_allocator, 0, nullptr, nullptr, &needed) < 0 ||
      needed <= 0 || needed >= static_cast<int>(kMaxEntries)) {
    return {};
  }
  std::vector<CLRDATA_ADDRESS> heaps(static_cast<size_t>(needed));
  std::vector<int32_t> heap_kinds(static_cast<size_t>(needed));
  if (sos13_->GetLoaderAllocatorHeaps(loader_allocator, needed, heaps.data(), heap_kinds.data(),
                                      &needed) < 0) {
    return {};
  }
  std::vector<NativeHeap> result;
  for (size_t i = 0; i < heaps.size(); ++i) {
    std::vector<Block> blocks;
    const HRESULT hr = CollectBlocks(blocks, [&] {
      return sos13_->TraverseLoaderHeap(heaps[i], heap_kinds[i], CollectBlock);
    });
    if (hr < 0) continue;
    const NativeHeapKind kind = i < kinds.size() ? kinds[i] : NativeHeapKind::kUnknown;
    for (const Block& b : blocks) result.push_back(ToHeap(b, kind));
  }
  return result;
}

// The first interface walks every heap as a LoaderHeap, which starts one
// pointer before where an ExplicitControlLoaderHeap's fields do; which
// runtimes need the address moved either way is ClrMD's table, and when
// a walk fails (or, after moving a normal heap, yields unreadable blocks)
// the opposite guess is tried.
std::vector<NativeHeap> DacRuntime::LegacyLoaderHeap(uint64_t heap, bool explicit_control,
                                                     NativeHeapKind kind) {
  if (heap == 0) return {};
  const int major = RuntimeMajorVersion();
  const bool normal_moves = major == 7 || (major == 8 && !sos13_) || major == 0;
  const bool explicit_stays = major >= 11 || major == 0;
  auto fixed = [&](bool normal_adjust, bool explicit_no_adjust) {
    if (normal_adjust) return explicit_control ? heap : heap + 8;
    return explicit_control && !explicit_no_adjust ? heap - 8 : heap;
  };
  std::vector<Block> blocks;
  uint64_t address = fixed(normal_moves, explicit_stays);
  HRESULT hr = CollectBlocks(blocks, [&] { return sos_->TraverseLoaderHeap(address, CollectBlock); });
  bool retry = hr < 0;
  if (!blocks.empty() && normal_moves) {
    const bool unreadable = std::any_of(blocks.begin(), blocks.end(), [&](const Block& b) {
      uint8_t byte = 0;
      ULONG32 done = 0;
      return target_.ReadVirtual(b.address, &byte, 1, &done) < 0 || done == 0;
    });
    if (unreadable) {
      blocks.clear();
      retry = true;
    }
  }
  if (retry) {
    address = fixed(!normal_moves, !explicit_stays);
    hr = CollectBlocks(blocks, [&] { return sos_->TraverseLoaderHeap(address, CollectBlock); });
  }
  std::vector<NativeHeap> result;
  if (hr < 0) return result;
  for (const Block& b : blocks) result.push_back(ToHeap(b, kind));
  return result;
}

std::vector<NativeHeap> DacRuntime::LegacyDomainHeaps(uint64_t domain) {
  std::vector<NativeHeap> result;
  DacpAppDomainData d{};
  if (sos_->GetAppDomainData(domain, &d) < 0) return result;
  auto append = [&](std::vector<NativeHeap> heaps) {
    result.insert(result.end(), heaps.begin(), heaps.end());
  };
  append(LegacyLoaderHeap(d.pStubHeap, false, NativeHeapKind::kStubHeap));
  append(LegacyLoaderHeap(d.pHighFrequencyHeap, false, NativeHeapKind::kHighFrequencyHeap));
  append(LegacyLoaderHeap(d.pLowFrequencyHeap, false, NativeHeapKind::kLowFrequencyHeap));
  // The virtual-call stub heaps, in the runtime's VCSHeapType order.
  static constexpr NativeHeapKind kStubKinds[] = {
      NativeHeapKind::kIndirectionCellHeap, NativeHeapKind::kLookupHeap,
      NativeHeapKind::kResolveHeap,         NativeHeapKind::kDispatchHeap,
      NativeHeapKind::kCacheEntryHeap,      NativeHeapKind::kVtableHeap};
  for (int type = 0; type < 6; ++type) {
    std::vector<Block> blocks;
    const HRESULT hr = CollectBlocks(blocks, [&] {
      return sos_->TraverseVirtCallStubHeap(domain, type, CollectBlock);
    });
    if (hr < 0) continue;
    for (const Block& b : blocks) result.push_back(ToHeap(b, kStubKinds[type]));
  }
  return result;
}

std::vector<NativeHeap> DacRuntime::GetDomainNativeHeaps(uint64_t domain) {
  if (domain == 0) return {};
  std::lock_guard<std::mutex> lock(mutex_);
  CLRDATA_ADDRESS loader_allocator = 0;
  if (sos13_ && sos13_->GetDomainLoaderAllocator(domain, &loader_allocator) >= 0 &&
      loader_allocator != 0 && !LoaderHeapKinds().empty()) {
    return LoaderAllocatorHeaps(loader_allocator);
  }
  return LegacyDomainHeaps(domain);
}

std::vector<JitManager> DacRuntime::GetJitManagers() {
  std::lock_guard<std::mutex> lock(mutex_);
  unsigned int needed = 0;
  if (sos_->GetJitManagerList(0, nullptr, &needed) < 0 || needed == 0 || needed > kMaxEntries) {
    return {};
  }
  std::vector<DacpJitManagerInfo> list(needed);
  if (sos_->GetJitManagerList(needed, list.data(), &needed) < 0) return {};
  std::vector<JitManager> result;
  for (const auto& m : list) result.push_back({m.manager_address, m.code_type, m.heap_list});
  return result;
}

std::vector<NativeHeap> DacRuntime::GetJitManagerHeaps(uint64_t jit_manager) {
  std::lock_guard<std::mutex> lock(mutex_);
  unsigned int needed = 0;
  if (sos_->GetCodeHeapList(jit_manager, 0, nullptr, &needed) < 0 || needed == 0 ||
      needed > kMaxEntries) {
    return {};
  }
  std::vector<DacpJitCodeHeapInfo> list(needed);
  if (sos_->GetCodeHeapList(jit_manager, needed, list.data(), &needed) < 0) return {};
  std::vector<NativeHeap> result;
  for (const auto& h : list) {
    if (h.code_type == kCodeHeapLoader) {
      auto heaps = LegacyLoaderHeap(h.first, true, NativeHeapKind::kLoaderCodeHeap);
      result.insert(result.end(), heaps.begin(), heaps.end());
    } else if (h.code_type == kCodeHeapHost) {
      result.push_back({{h.first, h.second}, NativeHeapKind::kHostCodeHeap,
                        NativeHeapState::kActive});
    } else {
      result.push_back({{h.first, h.first}, NativeHeapKind::kUnknown, NativeHeapState::kNone});
    }
  }
  return result;
}

std::vector<NativeHeap> DacRuntime::GetThunkHeaps(uint64_t thunk_heap) {
  if (thunk_heap == 0) return {};
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t address = thunk_heap;
  std::vector<Block> blocks;
  HRESULT hr;
  if (sos13_) {
    hr = CollectBlocks(blocks, [&] {
      return sos13_->TraverseLoaderHeap(address, kLoaderHeapNormal, CollectBlock);
    });
  } else {
    // .NET 7's first interface expects a normal heap one pointer further on.
    if (RuntimeMajorVersion() == 7) address += 8;
    hr = CollectBlocks(blocks, [&] { return sos_->TraverseLoaderHeap(address, CollectBlock); });
  }
  std::vector<NativeHeap> result;
  if (hr < 0) return result;
  for (const Block& b : blocks) result.push_back(ToHeap(b, NativeHeapKind::kThunkHeap));
  return result;
}

}  // namespace clrdump::runtime::dac
