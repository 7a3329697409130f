// The metadata names (types, fields) of managed modules, read once per
// module from the metadata blob the runtime reports in the dump.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "dump/metadata_names.h"
#include "dump/process_memory.h"
#include "runtime/runtime.h"

namespace clrdump::runtime {

class ModuleNames {
 public:
  ModuleNames(Runtime& runtime, const dump::ProcessMemory& memory)
      : runtime_(runtime), memory_(memory) {}
  // nullptr when the module's metadata is missing, unreadable or corrupt.
  const dump::MetadataNames* Get(uint64_t module);

 private:
  Runtime& runtime_;
  const dump::ProcessMemory& memory_;
  std::map<uint64_t, std::optional<dump::MetadataNames>> names_;
};

}  // namespace clrdump::runtime
