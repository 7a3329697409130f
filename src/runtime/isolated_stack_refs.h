// Stack references asked of the runtime in a child process, which a crash
// of the runtime's debugging library cannot take down with the session.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "runtime/gc_model.h"
#include "runtime/runtime.h"

namespace clrdump::runtime {

// One entry per thread of `threads` (OS ids), in order; nullopt for a
// thread whose enumeration crashed or could not be run.
std::vector<std::optional<std::vector<StackReference>>> IsolatedStackReferences(
    Runtime& runtime, const std::vector<uint32_t>& threads);

}  // namespace clrdump::runtime
