#include "runtime/thin_lock.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace clrdump::runtime {
namespace {

// Object header bits (the 32 bits before the object).
constexpr uint32_t kHashOrSyncBlockIndex = 0x08000000;
constexpr uint32_t kSpinLock = 0x10000000;

struct Layout {
  uint32_t thread_mask;
  uint32_t recursion_mask;
  int recursion_shift;
};
constexpr Layout kLegacyLayout{0x3FF, 0xFC00, 10};
constexpr Layout kLargeLayout{0xFFFF, 0x3F0000, 16};

bool HasThinLock(uint32_t header, const Layout& layout) {
  return (header & (kHashOrSyncBlockIndex | kSpinLock)) == 0 &&
         (header & layout.thread_mask) != 0;
}

}  // namespace

std::optional<ThinLock> ThinLocks::Owner(uint32_t header) {
  if (major_ < 0) {
    const std::string version = VersionNumber(runtime_.location().version_string);
    major_ = version.empty() ? 0 : std::atoi(version.c_str());
  }
  // ClrMD's choice: the large layout from .NET 8, with the legacy one as a
  // fallback on .NET 8 and unknown versions.
  const bool large = major_ == 0 || major_ >= 8;
  const Layout& first = large ? kLargeLayout : kLegacyLayout;
  for (const Layout* layout : {&first, &kLegacyLayout}) {
    if (!HasThinLock(header, *layout)) return std::nullopt;
    const uint32_t id = header & layout->thread_mask;
    const uint32_t recursion = (header & layout->recursion_mask) >> layout->recursion_shift;
    if (auto thread = runtime_.GetThreadFromThinLockId(id); thread && *thread != 0) {
      return ThinLock{*thread, recursion};
    }
    if (!large || major_ > 8) return std::nullopt;
  }
  return std::nullopt;
}

const ManagedThread* ThinLocks::ThreadAt(uint64_t address) {
  if (!threads_) {
    auto threads = runtime_.GetThreads();
    threads_ = threads ? std::move(*threads) : std::vector<ManagedThread>{};
  }
  auto it = std::ranges::find(*threads_, address, &ManagedThread::address);
  return it == threads_->end() ? nullptr : &*it;
}

}  // namespace clrdump::runtime
