// dotnet-dump's `dumpobjgcrefs`: the objects one object references, each
// with the field (or array element) holding it. `dumpobj -refs` prints it
// after the object.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "commands/command.h"

namespace clrdump::cmd {

// The table `dumpobjgcrefs <object>` prints, for an address already parsed.
Status PrintGcRefs(CommandContext& ctx, uint64_t object);

}  // namespace clrdump::cmd
