#include "commands/families.h"

namespace clrdump::cmd {

Registry AllCommands() {
  Registry registry;
  AddThreadCommands(registry);
  AddModuleCommands(registry);
  return registry;
}

}  // namespace clrdump::cmd
