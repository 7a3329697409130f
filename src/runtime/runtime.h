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

// One position of a managed stack walk.
struct StackFrame {
  uint64_t sp = 0;
  uint64_t ip = 0;
  // An explicit runtime Frame (InlinedCallFrame, ...); 0 for a method frame.
  uint64_t frame_address = 0;
  std::string frame_name;  // explicit frames only
  uint64_t method_desc = 0;
  std::string method_name;  // "" when unknown
  uint64_t native_code = 0;  // start of the method's jitted code
  dump::X64Registers registers{};  // the context at this position
  // For source lines: the method's token, its module's file, and the IL
  // offset of `ip`, and of `ip - 1` (a return address belongs to the call
  // before it).
  uint32_t method_token = 0;
  std::string module_path;
  std::optional<uint32_t> il_offset;
  std::optional<uint32_t> il_offset_before;
};

struct ObjectInfo {
  uint64_t method_table = 0;
  uint64_t size = 0;
  uint64_t component_count = 0;  // arrays and strings
  uint64_t component_size = 0;
  uint64_t array_data = 0;       // first element, arrays only
  uint64_t element_type = 0;     // arrays: the elements' MethodTable
};

struct UsefulGlobals {
  uint64_t array_mt = 0;
  uint64_t string_mt = 0;
  uint64_t object_mt = 0;
  uint64_t exception_mt = 0;
  uint64_t free_mt = 0;
};

// The fields of a System.Exception that SOS reports.
struct ExceptionInfo {
  uint64_t message = 0;  // string objects; 0 when null
  uint64_t inner = 0;
  uint64_t stack_trace = 0;
  uint64_t stack_trace_string = 0;
  uint32_t hresult = 0;
  uint32_t xcode = 0;
};

struct NestedException {
  uint64_t object = 0;
  uint64_t next = 0;
};

struct MethodInfo {
  uint64_t native_code = 0;
  uint64_t module = 0;
  uint32_t token = 0;
  std::string name;  // "" when unknown
  uint64_t module_image_base = 0;  // where the module's file is mapped; 0 if unknown
  std::string module_file;         // the module's file as the runtime names it
};

// What source-line lookup needs to know about an instruction address.
struct CodeLocation {
  uint32_t method_token = 0;
  std::string module_path;
  std::optional<uint32_t> il_offset;
};

struct GcHeapInfo {
  bool server = false;
  bool structures_valid = false;
  uint32_t heap_count = 0;
  uint32_t max_generation = 0;
};

// Where the runtime is and which DAC serves it.
struct RuntimeLocation {
  dump::Module coreclr;
  std::vector<uint8_t> build_id;  // of libcoreclr.so, from the dump
  std::string dac_path;
  // "10.0.1226.42308 @Commit: ..." from libcoreclr.so, "" when absent.
  std::string version_string;
};

// "1.2.3.4" from the leading digits and dots of a version string, as
// .NET's Version prints it; "" when there are none.
std::string VersionNumber(const std::string& version_string);

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
  virtual Result<uint64_t> GetDomainFromContext(uint64_t context) = 0;
  virtual Result<std::string> GetMethodTableName(uint64_t method_table) = 0;
  virtual Result<GcHeapInfo> GetGcHeapInfo() = 0;
  // .NET 10+: the DATAS mode of a server GC; nullopt when not reported.
  virtual std::optional<int> GetGcDynamicAdaptationMode() = 0;
  // The managed stack of an OS thread, innermost first. kNotFound when the
  // thread is not known to the runtime.
  virtual Result<std::vector<StackFrame>> WalkStack(uint32_t os_thread_id) = 0;
  virtual Result<ObjectInfo> GetObject(uint64_t address) = 0;
  virtual Result<uint64_t> GetParentMethodTable(uint64_t method_table) = 0;
  virtual Result<UsefulGlobals> GetUsefulGlobals() = 0;
  // The text of a System.String object.
  virtual Result<std::string> GetStringContents(uint64_t address) = 0;
  virtual Result<ExceptionInfo> GetException(uint64_t address) = 0;
  virtual Result<NestedException> GetNestedException(uint64_t nested) = 0;
  virtual Result<MethodInfo> GetMethod(uint64_t method_desc) = 0;
  // Token, module file and IL offset of the code at `ip`; nullopt when the
  // address is not in managed code.
  virtual std::optional<CodeLocation> LocateCode(uint64_t ip) = 0;
  // Every thread of the thread store, in list order.
  Result<std::vector<ManagedThread>> GetThreads();
};

// Loads the DAC and connects it to the dump. The core and memory must
// outlive the returned runtime.
Result<std::unique_ptr<Runtime>> OpenRuntime(const dump::ElfCore& core,
                                             const dump::ProcessMemory& memory,
                                             const RuntimeLocation& location);

}  // namespace clrdump::runtime
