// dotnet-dump's DumpHeapService.PrintHeap: how `dumpheap`, `finalizequeue`
// and friends print a sequence of heap objects (a list, per-type
// statistics, fragmentation, or thin locks).
#pragma once

#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "commands/command.h"
#include "commands/string_table.h"
#include "commands/table.h"
#include "runtime/heap.h"
#include "runtime/thin_lock.h"

namespace clrdump::cmd {

enum class HeapDisplay { kNormal, kShort, kThinLock, kStrings };

struct HeapPrintOptions {
  HeapDisplay display = HeapDisplay::kNormal;
  bool stat = false;  // statistics only
  bool by_count = false;
  bool fragmentation = false;
};

class HeapPrinter {
 public:
  HeapPrinter(CommandContext& ctx, runtime::ManagedHeap& heap, runtime::Runtime& runtime,
              const HeapPrintOptions& options);

  // `segment` may be null when the object was not found by a heap walk.
  void Add(const runtime::HeapObject& object, const runtime::GcSegment* segment);
  void Finish();
  // What stopped the listing: dotnet-dump's string statistics fail on the
  // first object that is not a string (objsize -strings). Add and Finish do
  // nothing after it.
  const std::optional<Error>& failure() const { return failure_; }

 private:
  struct TypeStats {
    uint64_t count = 0;
    uint64_t size = 0;
  };
  void AddThinLock(const runtime::HeapObject& object);
  void TrackFragmentation(const runtime::GcSegment* segment, const runtime::HeapObject& object);
  std::string NameOf(uint64_t method_table);
  void PrintStats();
  void PrintFragmentation();

  CommandContext& ctx_;
  runtime::ManagedHeap& heap_;
  runtime::Runtime& runtime_;
  HeapPrintOptions options_;
  runtime::ThinLocks owners_;
  Table objects_;
  bool header_written_ = false;
  std::optional<Table> thin_locks_;
  std::optional<Error> failure_;
  std::unordered_map<uint64_t, TypeStats> stats_;
  std::vector<uint64_t> order_;  // first-seen order, which ties keep
  StringTable strings_;
  std::optional<runtime::HeapObject> last_free_;
  std::vector<std::pair<runtime::HeapObject, runtime::HeapObject>> fragments_;
};

}  // namespace clrdump::cmd
