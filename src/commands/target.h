// What the commands work on: the opened dump and the session's current
// thread. Models derived from the dump are computed once and cached here,
// never in a command.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "dump/elf_core.h"
#include "dump/modules.h"

namespace clrdump::cmd {

class Target {
 public:
  explicit Target(std::unique_ptr<dump::ElfCore> core) : core_(std::move(core)) {}

  const dump::ElfCore& core() const { return *core_; }
  size_t current_thread() const { return current_thread_; }
  void set_current_thread(size_t index) { current_thread_ = index; }
  // Computed on first use.
  const std::vector<dump::Module>& modules() {
    if (!modules_) modules_ = dump::EnumerateModules(*core_);
    return *modules_;
  }

 private:
  std::unique_ptr<dump::ElfCore> core_;
  size_t current_thread_ = 0;
  std::optional<std::vector<dump::Module>> modules_;
};

}  // namespace clrdump::cmd
