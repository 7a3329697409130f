// Object verification as ClrMD does it for verifyheap, verifyobj and
// listnearobj: the object's own fields (alignment, MethodTable, size), its
// references (each must point at an object that is not free space) and
// its header (sync block index against the runtime's sync block table, a
// thin lock's owner against the runtime's threads).
// Corrupt memory is reported, never trusted: every read may fail.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/heap.h"
#include "runtime/thin_lock.h"

namespace clrdump::runtime {

// ClrMD's ObjectCorruptionKind, with its values.
enum class CorruptionKind {
  kObjectNotOnTheHeap = 1,
  kObjectNotPointerAligned = 2,
  kObjectTooLarge = 10,
  kInvalidMethodTable = 11,
  kInvalidThinlock = 12,
  kSyncBlockMismatch = 13,
  kSyncBlockZero = 14,
  kObjectReferenceNotPointerAligned = 100,
  kInvalidObjectReference = 101,
  kFreeObjectReference = 102,
  kCouldNotReadMethodTable = 200,
  kCouldNotReadCardTable = 201,
  kCouldNotReadObject = 202,
  kCouldNotReadGCDesc = 203,
};

// The enum member's name, as dotnet-dump prints it.
std::string_view CorruptionKindName(CorruptionKind kind);
// The longest name (dotnet-dump's column width for the kind).
int CorruptionKindWidth();

struct ObjectCorruption {
  uint64_t object = 0;
  int64_t offset = 0;  // of the bad field from the object's start
  CorruptionKind kind = CorruptionKind::kObjectNotOnTheHeap;
  int64_t sync_block_index = -1;      // from the header; -1: none
  int64_t clr_sync_block_index = -1;  // the runtime's; -1: none
};

class HeapVerifier {
 public:
  HeapVerifier(ManagedHeap& heap, Runtime& runtime)
      : heap_(heap), runtime_(runtime), thin_locks_(runtime) {}

  // ClrMD's IsObjectCorrupted: the first problem found, if any.
  std::optional<ObjectCorruption> FirstProblem(uint64_t address);
  // ClrMD's FullyVerifyObject: every problem found (at most 64).
  std::vector<ObjectCorruption> AllProblems(uint64_t address);
  // The runtime's sync blocks that are in use, in table order.
  const std::vector<SyncBlock>& sync_blocks();

 private:
  std::vector<ObjectCorruption> AllProblemsUpTo(uint64_t address, size_t max);
  void Verify(const GcSegment& segment, uint64_t address, size_t max,
              std::vector<ObjectCorruption>& found);
  bool VerifyReferences(const HeapObject& object, size_t max,
                        std::vector<ObjectCorruption>& found);
  void VerifyHeader(uint64_t address, size_t max, std::vector<ObjectCorruption>& found);
  bool ShouldVerifyMembers(const GcSegment& segment, uint64_t address, bool& unreadable);

  ManagedHeap& heap_;
  Runtime& runtime_;
  ThinLocks thin_locks_;
  std::optional<std::vector<SyncBlock>> sync_blocks_;
  std::unordered_map<uint64_t, int64_t> sync_index_;  // object -> sync block index
  std::vector<uint8_t> object_bytes_;
};

}  // namespace clrdump::runtime
