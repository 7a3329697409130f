#include "commands/families.h"

namespace clrdump::cmd {

Registry AllCommands() {
  Registry registry;
  AddThreadCommands(registry);
  AddModuleCommands(registry);
  AddClrThreadCommands(registry);
  AddRuntimeCommands(registry);
  AddStackCommands(registry);
  AddExceptionCommands(registry);
  AddDomainCommands(registry);
  AddMemoryCommands(registry);
  AddStackObjectCommands(registry);
  AddObjectCommands(registry);
  AddTypeCommands(registry);
  AddGcHeapCommands(registry);
  AddDumpHeapCommand(registry);
  AddRootCommands(registry);
  AddObjSizeCommand(registry);
  AddGcHeapStatCommand(registry);
  AddGcInfoCommands(registry);
  AddRuntimeTypeCommands(registry);
  AddTraverseHeapCommand(registry);
  AddVerifyCommands(registry);
  AddHeapLocationCommands(registry);
  AddGenerationCommands(registry);
  AddHandleCommands(registry);
  AddSyncBlkCommand(registry);
  AddFinalizeQueueCommand(registry);
  AddNotReachableInRangeCommand(registry);
  AddDumpExceptionsCommand(registry);
  AddDumpObjGcRefsCommand(registry);
  return registry;
}

}  // namespace clrdump::cmd
