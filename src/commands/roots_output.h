// What the root-based commands share: dotnet-dump's one-time notice that it
// caches roots, its liveness set with the messages that come with it, and
// the printing of a chain of references.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "commands/command.h"
#include "runtime/roots.h"
#include "runtime/statics.h"

namespace clrdump::cmd {

// "Caching GC roots..." the first time roots are used in a session.
void NoteRootCaching(CommandContext& ctx, runtime::Roots& roots);

// The live objects; the first call computes them and, when `print` is set,
// says so as dotnet-dump's LiveObjectService does.
Result<const runtime::AddressSet*> LiveObjects(CommandContext& ctx, bool print);

// The "-> address type" lines of a path, with gcroot's notes on dependent
// handle links and, given `statics` (pathto passes none), on the static
// variable a path from a statics array goes through.
void PrintChain(CommandContext& ctx, runtime::Roots& roots, const runtime::ChainLink* link,
                runtime::StaticVariables* statics);

}  // namespace clrdump::cmd
