// dumpheap's listing (objects, then statistics per type) for other commands
// that print a set of objects the same way, as dotnet-dump's DumpHeapService.
#pragma once

#include <vector>

#include "base/result.h"
#include "commands/command.h"
#include "commands/dumpheap_service.h"
#include "runtime/heap.h"

namespace clrdump::cmd {

// Without dumpheap's fragmentation report.
Status PrintHeapObjects(CommandContext& ctx, runtime::ManagedHeap& heap,
                        const std::vector<runtime::HeapObject>& objects, bool stat,
                        HeapDisplay display);

}  // namespace clrdump::cmd
