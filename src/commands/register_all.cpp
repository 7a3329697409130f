#include "commands/families.h"

namespace clrdump::cmd {

Registry AllCommands() {
  Registry registry;
  AddThreadCommands(registry);
  AddModuleCommands(registry);
  AddClrThreadCommands(registry);
  AddRuntimeCommands(registry);
  AddStackCommands(registry);
  return registry;
}

}  // namespace clrdump::cmd
