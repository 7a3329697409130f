// What the commands work on: the opened dump, its memory, the session's
// current thread and the runtime model. Models derived from the dump are
// computed once and cached here, never in a command.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "dump/elf_core.h"
#include "dump/modules.h"
#include "dump/process_memory.h"
#include "runtime/heap.h"
#include "runtime/roots.h"
#include "runtime/runtime.h"
#include "runtime/source_lines.h"
#include "runtime/statics.h"

namespace clrdump::cmd {

class Target {
 public:
  explicit Target(std::unique_ptr<dump::ElfCore> core);

  const dump::ElfCore& core() const { return *core_; }
  const dump::ProcessMemory& memory() const { return *memory_; }
  size_t current_thread() const { return current_thread_; }
  void set_current_thread(size_t index) { current_thread_ = index; }
  const std::vector<dump::Module>& modules();

  // The runtime, loaded on first use. A failure is remembered until
  // set_clr_path() changes where the DAC is looked for.
  Result<runtime::Runtime*> runtime();
  // Where the runtime and its DAC are, without loading the DAC.
  Result<runtime::RuntimeLocation> runtime_location();
  bool runtime_loaded() const { return runtime_ != nullptr; }
  const std::string& clr_path() const { return clr_path_; }
  runtime::SourceLines& source_lines() { return source_lines_; }
  // The GC heap's layout, read on first use and kept with the runtime.
  Result<runtime::ManagedHeap*> heap();
  // The GC roots and what they keep alive (dotnet-dump's root cache), kept
  // with the heap.
  Result<runtime::Roots*> roots();
  // The static variables by address (dotnet-dump's StaticVariableService),
  // kept with the heap.
  Result<runtime::StaticVariables*> statics();
  void set_clr_path(std::string path);
  // Forgets the runtime model so the next use looks the runtime up again.
  void ResetRuntime();

 private:
  std::unique_ptr<dump::ElfCore> core_;
  std::unique_ptr<dump::ProcessMemory> memory_;
  size_t current_thread_ = 0;
  std::optional<std::vector<dump::Module>> modules_;
  std::string clr_path_;
  std::unique_ptr<runtime::Runtime> runtime_;
  std::unique_ptr<runtime::ManagedHeap> heap_;
  std::unique_ptr<runtime::Roots> roots_;
  std::unique_ptr<runtime::StaticVariables> statics_;
  // Runtimes replaced after setclrpath: the DAC may still point into them.
  std::vector<std::unique_ptr<runtime::Runtime>> retired_;
  std::optional<Error> runtime_error_;
  runtime::SourceLines source_lines_;
};

}  // namespace clrdump::cmd
