// Walks the objects of a GC segment the way ClrMD does (dotnet-dump's
// commands see the heap through it): sizes from MethodTables, allocation
// contexts stepped over, and, when walking carefully, unreadable or
// unknown spans skipped to the next plausible object.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "dump/process_memory.h"
#include "runtime/runtime.h"

namespace clrdump::runtime {

struct HeapObject {
  uint64_t address = 0;
  uint64_t method_table = 0;  // mark bit cleared
  bool known_type = false;    // false: ClrMD reports it with its error type
  bool free = false;          // a gap the GC filled with a free object
  uint64_t size = 0;          // 0 when it cannot be read
};

class HeapWalker {
 public:
  // `runtime` and `memory` must outlive the walker.
  HeapWalker(Runtime& runtime, const dump::ProcessMemory& memory, GcHeapLayout layout);

  const GcHeapLayout& layout() const { return layout_; }
  // Visits the segment's objects from its first one; `visit` returns false
  // to stop.
  void Walk(const HeapSegment& segment, bool carefully,
            const std::function<bool(const HeapObject&)>& visit);
  // The MethodTable's sizes, asked once; nullopt when it is not one.
  const std::optional<MethodTableInfo>& TypeOf(uint64_t method_table);
  // The non-null references an object holds, from its type's GCDesc (the
  // map the runtime keeps before each MethodTable); nullopt when the GCDesc
  // or the object cannot be read.
  std::optional<std::vector<uint64_t>> References(const HeapObject& object);
  // Whether ClrMD's verification would fault one of the object's
  // references: misaligned, not an object, or a free object.
  bool HasBadReference(const HeapObject& object);

 private:
  std::optional<uint64_t> SizeOf(uint64_t object, const MethodTableInfo& type,
                                 uint64_t method_table);
  uint64_t SkipAllocationContext(const HeapSegment& segment, uint64_t address) const;
  uint64_t FindNextValidObject(const HeapSegment& segment, uint64_t address);

  Runtime& runtime_;
  const dump::ProcessMemory& memory_;
  GcHeapLayout layout_;
  std::map<uint64_t, uint64_t> contexts_;  // start -> end
  std::map<uint64_t, std::optional<MethodTableInfo>> types_;
  uint64_t string_mt_ = 0;
  uint64_t free_mt_ = 0;
};

}  // namespace clrdump::runtime
