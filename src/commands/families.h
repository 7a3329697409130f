// Each command family registers its commands; register_all.cpp is the only
// place that lists the families.
#pragma once

#include "commands/registry.h"

namespace clrdump::cmd {

void AddThreadCommands(Registry& registry);
void AddModuleCommands(Registry& registry);
void AddClrThreadCommands(Registry& registry);
void AddRuntimeCommands(Registry& registry);
void AddStackCommands(Registry& registry);
void AddExceptionCommands(Registry& registry);
void AddDomainCommands(Registry& registry);
void AddMemoryCommands(Registry& registry);
void AddStackObjectCommands(Registry& registry);
void AddObjectCommands(Registry& registry);
void AddTypeCommands(Registry& registry);
void AddGcHeapCommands(Registry& registry);
void AddDumpHeapCommand(Registry& registry);
void AddRootCommands(Registry& registry);
void AddObjSizeCommand(Registry& registry);
void AddGcHeapStatCommand(Registry& registry);
void AddGcInfoCommands(Registry& registry);
void AddRuntimeTypeCommands(Registry& registry);
void AddTraverseHeapCommand(Registry& registry);
void AddVerifyCommands(Registry& registry);
void AddHeapLocationCommands(Registry& registry);
void AddGenerationCommands(Registry& registry);
void AddHandleCommands(Registry& registry);
void AddSyncBlkCommand(Registry& registry);
void AddFinalizeQueueCommand(Registry& registry);
void AddNotReachableInRangeCommand(Registry& registry);
void AddDumpExceptionsCommand(Registry& registry);
void AddDumpObjGcRefsCommand(Registry& registry);

// Every command clrdump implements, except the REPL's own (help, exit).
Registry AllCommands();

}  // namespace clrdump::cmd
