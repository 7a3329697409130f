// dotnet-dump's sentences for the problems heap verification finds, shared
// by verifyheap, verifyobj and listnearobj.
#pragma once

#include <string>

#include "runtime/heap.h"
#include "runtime/heap_verify.h"

namespace clrdump::cmd {

std::string CorruptionMessage(runtime::ManagedHeap& heap,
                              const runtime::ObjectCorruption& corruption);

}  // namespace clrdump::cmd
