// A copy of a real Heap dump with chosen GC heap objects smashed, for the
// tests that check heap commands stay up and report corruption. Targets are
// found with clrdump's own dumpheap; bytes are patched at the file offsets
// the core's PT_LOAD program headers give for their addresses.
#pragma once

#include <cstdint>
#include <string>

namespace clrdump::test {

struct CorruptDump {
  std::string path;  // "" when the dump could not be made (see `error`)
  std::string error;
  uint64_t bad_method_table = 0;  // its MethodTable pointer overwritten
  uint64_t bad_reference = 0;     // a Dictionary whose first reference is garbage
  uint64_t bad_header = 0;        // a header claiming a sync block the runtime lacks
  uint64_t long_array = 0;        // an Int32[] whose length reaches past its segment
};

// Copies `dump` into a new directory under the test scratch area and
// corrupts one object of each kind above (the array last in address order,
// so the walk reaches the others before it stops at it).
CorruptDump MakeCorruptDump(const std::string& dump);

// Removes the copy's directory.
void RemoveCorruptDump(const CorruptDump& corrupt);

}  // namespace clrdump::test
