// What dotnet-dump's module service tells about a native module image:
// its PE layout, debug records and version. Shared by `modules -v` and the
// domain commands' verbose views.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "commands/target.h"
#include "dump/modules.h"

namespace clrdump::cmd {

struct PeFacts {
  bool managed = false;      // has a CLI header
  bool file_layout = false;  // mapped flat, as on disk
  uint32_t size_of_image = 0;
  uint32_t timestamp = 0;
  std::vector<std::string> pdbs;  // "guid age [(portable) ]path"
};

// The facts of the PE image at the module's base, read in the layout
// dotnet-dump settles on: loaded, unless only the file layout shows debug
// records. nullopt when the module is not a PE image.
std::optional<PeFacts> ReadPeFacts(Target& target, const dump::Module& module);

// The file version of the module based at `image_base`, as dotnet-dump
// reports it ("<none>" when there is none).
std::string ModuleVersion(Target& target, uint64_t image_base);

// The text after "@(#)Version " in an ELF module's writable segments, as
// dotnet-dump finds it: in the dump, or in pages it can map from the
// module's file on disk (same build-id); nullopt when not found.
std::optional<std::string> NativeVersionString(Target& target, const dump::Module& module);

}  // namespace clrdump::cmd
