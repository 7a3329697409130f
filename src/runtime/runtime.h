// The .NET runtime inside a dump, as plain C++ values. Commands use this
// model; how it is read (the DAC today) stays behind it, so no COM type,
// HRESULT or Dacp struct appears above runtime/dac/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "dump/elf_core.h"
#include "dump/modules.h"
#include "dump/process_memory.h"

namespace clrdump::runtime {

struct ThreadStore {
  int32_t thread_count = 0;
  int32_t unstarted_count = 0;
  int32_t background_count = 0;
  int32_t pending_count = 0;
  int32_t dead_count = 0;
  uint64_t first_thread = 0;
  uint64_t finalizer_thread = 0;
  uint64_t gc_thread = 0;
  uint32_t host_config = 0;
};

struct ManagedThread {
  uint64_t address = 0;  // the runtime's Thread object
  uint32_t managed_id = 0;
  uint32_t os_id = 0;  // 0 for unstarted or dead threads
  uint32_t state = 0;
  bool cooperative = false;  // preemptive GC disabled
  uint64_t alloc_ptr = 0;
  uint64_t alloc_limit = 0;
  uint64_t domain = 0;
  uint64_t frame = 0;
  uint32_t lock_count = 0;
  uint64_t first_nested_exception = 0;
  uint64_t teb = 0;
  uint64_t last_thrown_handle = 0;
  uint64_t next = 0;
};

// Where the runtime is and which DAC serves it.
struct RuntimeLocation {
  dump::Module coreclr;
  std::vector<uint8_t> build_id;  // of libcoreclr.so, from the dump
  std::string dac_path;
};

// Finds libcoreclr.so among the modules and the DAC beside it (or in
// `clr_path` when set). kNotFound when the dump has no runtime or the DAC
// file is absent; kUnsupported when the libcoreclr.so next to the DAC is
// another build than the dump's (both build-ids named).
Result<RuntimeLocation> LocateRuntime(const std::vector<dump::Module>& modules,
                                      const dump::ProcessMemory& memory,
                                      const std::string& clr_path);

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual const RuntimeLocation& location() const = 0;
  virtual Result<ThreadStore> GetThreadStore() = 0;
  virtual Result<ManagedThread> GetThread(uint64_t address) = 0;
  // Every thread of the thread store, in list order.
  Result<std::vector<ManagedThread>> GetThreads();
};

// Loads the DAC and connects it to the dump. The core and memory must
// outlive the returned runtime.
Result<std::unique_ptr<Runtime>> OpenRuntime(const dump::ElfCore& core,
                                             const dump::ProcessMemory& memory,
                                             const RuntimeLocation& location);

}  // namespace clrdump::runtime
