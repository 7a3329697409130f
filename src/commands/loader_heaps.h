// The loader part of `eeheap`: the runtime's native heaps as dotnet-dump's
// EEHeapCommand prints them.
#pragma once

#include <cstdint>

#include "commands/command.h"
#include "commands/heap_filter.h"
#include "runtime/runtime.h"

namespace clrdump::cmd {

// Prints the domains' loader heaps, the JIT code heaps and the modules'
// thunk heaps (only heaps overlapping the filter's memory range count) and
// returns the bytes found readable in them, which `eeheap` adds to its
// total.
uint64_t PrintLoaderHeaps(CommandContext& ctx, runtime::Runtime& rt, const HeapFilter& filter);

}  // namespace clrdump::cmd
