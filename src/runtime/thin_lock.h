// Thin locks: an object locked without a sync block keeps its owner's
// thin-lock id and the recursion count in its header. The id's width grew
// in .NET 9; ClrMD reads .NET 8 (and unknown versions) both ways, and
// dumpheap -thinlock and verifyheap follow it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "runtime/runtime.h"

namespace clrdump::runtime {

struct ThinLock {
  uint64_t thread = 0;  // the runtime's Thread object
  uint32_t recursion = 0;
};

class ThinLocks {
 public:
  explicit ThinLocks(Runtime& runtime) : runtime_(runtime) {}
  // The owner of the thin lock in `header`; nullopt when there is none or
  // the runtime knows no thread by its id.
  std::optional<ThinLock> Owner(uint32_t header);
  // The managed thread at `address`; nullptr when it is not one.
  const ManagedThread* ThreadAt(uint64_t address);

 private:
  Runtime& runtime_;
  int major_ = -1;
  std::optional<std::vector<ManagedThread>> threads_;
};

}  // namespace clrdump::runtime
