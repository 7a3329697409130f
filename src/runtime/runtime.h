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
#include "runtime/gc_info.h"
#include "runtime/gc_model.h"
#include "runtime/native_heaps.h"

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

// Where the runtime says a parameter or local lives.
struct VariableLocation {
  bool in_register = false;
  uint64_t address = 0;  // memory only
};

// A parameter or local of a managed frame, as the runtime's debugger
// interface reports it.
struct FrameVariable {
  // Parameters only: the metadata name. When the runtime has none it leaves
  // its buffer alone, so this repeats the previous parameter's name ("" for
  // the first), which is what SOS prints.
  std::string name;
  // Whether the runtime reports exactly one place for the value, and that
  // place when it could also say where it is.
  bool single_location = false;
  std::optional<VariableLocation> location;
  // kNone: the runtime offers no bytes; kUnreadable: it offered some but
  // could not read them.
  enum class Data { kNone, kUnreadable, kRead };
  Data data = Data::kNone;
  std::vector<uint8_t> bytes;  // kRead only
};

// A frame's parameters or locals. The runtime announces a count and then
// answers by index: `count` is nullopt when it could not say how many (or
// they were not asked for), and `items` stops at the first index it could
// not answer.
struct FrameVariables {
  std::optional<uint32_t> count;
  std::vector<FrameVariable> items;
};

// What a stack walk reads beyond the frames themselves.
struct StackWalkOptions {
  bool parameters = false;
  bool locals = false;
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
  // Method frames only, and only when the walk was asked for them.
  FrameVariables parameters;
  FrameVariables locals;
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

// The runtime's domains: the special ones (0 when absent) and how many
// AppDomains its list holds.
struct AppDomainStore {
  uint64_t shared_domain = 0;
  uint64_t system_domain = 0;
  int32_t domain_count = 0;
};

struct AppDomainInfo {
  uint64_t address = 0;
  uint64_t security_descriptor = 0;
  uint64_t low_frequency_heap = 0;
  uint64_t high_frequency_heap = 0;
  uint64_t stub_heap = 0;
  uint32_t id = 0;
  int32_t assembly_count = 0;
  int32_t failed_assembly_count = 0;
  // Creating = 0, ReadyForManagedCode, Active, Open, UnloadRequested,
  // Exiting, Exited, Finalizing, Finalized, HandleTableNoAccess, Cleared,
  // Collected, Closed = 12.
  uint32_t stage = 0;
};

struct AssemblyInfo {
  uint64_t address = 0;
  uint64_t class_loader = 0;
  uint64_t parent_domain = 0;
  uint64_t base_domain = 0;
  uint64_t security_descriptor = 0;
  bool dynamic = false;
  uint32_t module_count = 0;
};

// A runtime Module and the maps from metadata tokens to its runtime data.
struct ManagedModule {
  uint64_t address = 0;
  uint64_t pe_file = 0;  // the PEAssembly (.NET 9+: the Module itself)
  uint64_t il_base = 0;
  uint64_t metadata_start = 0;
  uint64_t metadata_size = 0;
  uint64_t assembly = 0;
  bool reflection = false;  // made by Reflection.Emit
  bool pe_file_backed = false;
  uint32_t transient_flags = 0;
  uint64_t typedef_map = 0;
  uint64_t typeref_map = 0;
  uint64_t methoddef_map = 0;
  uint64_t fielddef_map = 0;
  uint64_t memberref_map = 0;
  uint64_t file_references_map = 0;
  uint64_t assembly_references_map = 0;
  uint64_t loader_allocator = 0;
  uint64_t thunk_heap = 0;
};

// How a module's image is loaded, as the runtime's debugger API tells it.
struct ModuleImageInfo {
  bool dynamic = false;
  bool in_memory = false;
  bool file_layout = false;  // mapped flat, as the file is on disk
  uint64_t loaded_address = 0;
  uint64_t loaded_size = 0;
};

// One entry of a module's TypeDef or TypeRef to MethodTable map.
struct TypeMapEntry {
  uint32_t index = 0;  // the token's row
  uint64_t method_table = 0;
};

enum class ProfilerIlKind { kUnmodified, kIlModified, kRejitModified, kOther };

// What the object and type inspection commands (dumpobj, dumpmt, ...)
// need to know, as the runtime reports it.
enum class ObjectKind : uint32_t { kString = 0, kFree, kObject, kArray, kOther };

struct ObjectDetails {
  uint64_t method_table = 0;
  ObjectKind kind = ObjectKind::kOther;
  uint64_t size = 0;
  uint64_t element_type_handle = 0;  // arrays: the elements' MethodTable
  uint32_t element_type = 0;         // arrays: the elements' CorElementType
  uint32_t rank = 0;
  uint64_t component_count = 0;
  uint64_t component_size = 0;
  uint64_t array_data = 0;
  uint64_t array_bounds = 0;        // rank uint32 lengths
  uint64_t array_lower_bounds = 0;  // rank uint32 lower bounds
  uint64_t rcw = 0;
  uint64_t ccw = 0;
};

struct MethodTableFields {
  uint16_t instance_count = 0;
  uint16_t static_count = 0;
  uint16_t thread_static_count = 0;
  uint64_t first_field = 0;  // FieldDesc
  uint16_t context_static_offset = 0;
  uint16_t context_statics_size = 0;
};

struct FieldDescInfo {
  uint32_t type = 0;      // CorElementType as the runtime stores it
  uint32_t sig_type = 0;  // CorElementType from the signature
  uint64_t type_method_table = 0;
  uint64_t type_module = 0;
  uint32_t type_token = 0;  // TypeDef row id
  uint32_t token = 0;       // FieldDef row id
  uint64_t enclosing_method_table = 0;
  uint32_t offset = 0;
  bool is_thread_local = false;
  bool is_context_local = false;
  bool is_static = false;
  uint64_t next = 0;
};

struct StaticBases {
  uint64_t non_gc = 0;
  uint64_t gc = 0;
};

// One entry of a MethodTable's slot enumeration (dumpmt -md).
struct MethodSlot {
  uint64_t method_desc = 0;
  uint64_t entry_point = 0;
  uint64_t defining_method_table = 0;
  uint64_t defining_module = 0;
  uint32_t token = 0;
  uint32_t slot = 0;
};

enum class JitKind : uint32_t { kUnknown = 0, kJit = 1, kPreJit = 2 };

struct CodeHeader {
  uint64_t gc_info = 0;
  JitKind jit = JitKind::kUnknown;
  uint64_t method_desc = 0;
  uint64_t method_start = 0;
  uint32_t method_size = 0;
};

struct MethodDescDetails {
  bool has_native_code = false;
  bool dynamic = false;
  uint16_t slot = 0;
  uint64_t native_code = 0;
  uint64_t method_desc = 0;
  uint64_t method_table = 0;
  uint64_t module = 0;
  uint32_t token = 0;
  uint64_t gc_info = 0;
  uint64_t rejit_current_id = 0;
};

// One ReJIT version of a method: its IL and the node describing it.
struct ReJitInfo {
  uint64_t il = 0;
  uint64_t il_code_version_node = 0;
};

// One native code version of a method (tiered compilation). `tier` is the
// runtime's OptimizationTier: 0 unknown, 1 MinOptJitted, 2 Optimized,
// 3 QuickJitted, 4 OptimizedTier1, 5 ReadyToRun, 6 OptimizedTier1OSR,
// 7 QuickJittedInstrumented, 8 OptimizedTier1Instrumented.
struct TieredVersion {
  uint64_t native_code = 0;
  uint32_t tier = 0;
  uint64_t native_code_version_node = 0;
};

// Where the runtime is and which DAC serves it.
struct RuntimeLocation {
  dump::Module coreclr;
  std::vector<uint8_t> build_id;  // of libcoreclr.so, from the dump
  std::string dac_path;
  // "10.0.1226.42308 @Commit: ..." from libcoreclr.so, "" when absent.
  std::string version_string;
  // Addresses of the runtime's exports debuggers look for, in this order:
  // DotNetRuntimeInfo, g_dacTable, DotNetRuntimeDebugHeader,
  // DotNetRuntimeContractDescriptor; nullopt when not exported.
  std::vector<std::pair<std::string, std::optional<uint64_t>>> exports;
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
  virtual Result<std::vector<StackFrame>> WalkStack(uint32_t os_thread_id,
                                                    const StackWalkOptions& options) = 0;
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
  // Domains, assemblies and modules. Lists take the count the runtime
  // reported (SOS's way), or 0 to ask the runtime how many there are.
  virtual Result<AppDomainStore> GetAppDomainStore() = 0;
  virtual Result<std::vector<uint64_t>> GetAppDomainList(int32_t count) = 0;
  virtual Result<AppDomainInfo> GetAppDomain(uint64_t address) = 0;
  virtual Result<std::string> GetAppDomainName(uint64_t domain) = 0;
  virtual Result<std::vector<uint64_t>> GetAssemblyList(uint64_t domain, int32_t count) = 0;
  // `domain` may be 0 when the assembly's domain is not known.
  virtual Result<AssemblyInfo> GetAssembly(uint64_t domain, uint64_t assembly) = 0;
  virtual Result<std::string> GetAssemblyName(uint64_t assembly) = 0;
  virtual Result<std::vector<uint64_t>> GetAssemblyModuleList(uint64_t assembly,
                                                              uint32_t count) = 0;
  virtual Result<ManagedModule> GetManagedModule(uint64_t address) = 0;
  virtual Result<ModuleImageInfo> GetModuleImage(uint64_t module) = 0;
  // The module's file as its debugger interface names it ("" for none).
  virtual Result<std::string> GetModuleFileName(uint64_t module) = 0;
  virtual Result<uint64_t> GetPEFileBase(uint64_t pe_file) = 0;
  virtual Result<std::string> GetPEFileName(uint64_t pe_file) = 0;
  // The entries the runtime could walk, even when it stopped part way.
  virtual Result<std::vector<TypeMapEntry>> GetModuleTypeMap(uint64_t module, bool type_refs) = 0;
  // kUnsupported when the runtime cannot list them.
  virtual Result<std::vector<uint64_t>> GetMethodsWithProfilerModifiedIL(uint64_t module,
                                                                         uint32_t max) = 0;
  virtual Result<ProfilerIlKind> GetProfilerModifiedIL(uint64_t method_desc) = 0;
  virtual Result<std::string> GetMethodDescName(uint64_t method_desc) = 0;
  // Every module of the shared, the system and then each AppDomain, by
  // assembly, each once: ClrMD's order. Domains or assemblies the runtime
  // cannot list contribute none.
  virtual std::vector<uint64_t> EnumerateModules() = 0;
  // Object and type inspection (dumpobj, dumpmt, dumpclass, ...).
  virtual Result<ObjectDetails> GetObjectDetails(uint64_t address) = 0;
  virtual Result<MethodTableFields> GetMethodTableFields(uint64_t method_table) = 0;
  virtual Result<FieldDescInfo> GetFieldDesc(uint64_t field_desc) = 0;
  // The MethodTable an EEClass (or, .NET 9+, a canonical MethodTable) belongs to.
  virtual Result<uint64_t> GetMethodTableForEEClass(uint64_t ee_class) = 0;
  virtual Result<StaticBases> GetStaticBases(uint64_t method_table) = 0;
  virtual Result<StaticBases> GetThreadStaticBases(uint64_t method_table, uint64_t thread) = 0;
  virtual Result<uint32_t> GetMethodTableInitFlags(uint64_t method_table) = 0;
  // kUnsupported when the runtime cannot tell.
  virtual Result<uint64_t> GetAssemblyLoadContext(uint64_t method_table) = 0;
  virtual Result<uint64_t> GetLoaderAllocatorHandle(uint64_t method_table) = 0;
  virtual Result<std::vector<MethodSlot>> GetMethodTableSlots(uint64_t method_table) = 0;
  virtual Result<CodeHeader> GetCodeHeader(uint64_t ip) = 0;
  virtual Result<MethodDescDetails> GetMethodDescDetails(uint64_t method_desc) = 0;
  virtual Result<uint64_t> GetThreadFromThinLockId(uint32_t id) = 0;
  virtual Result<ReJitInfo> GetReJitInfo(uint64_t method_desc, int32_t rejit_id) = 0;
  // kNotFound when no ReJIT is pending.
  virtual Result<int32_t> GetPendingReJitId(uint64_t method_desc) = 0;
  virtual Result<std::vector<TieredVersion>> GetTieredVersions(uint64_t method_desc,
                                                               int32_t rejit_id) = 0;
  // The GC: sub-heaps with their generations and segments (each segment
  // list followed once), allocation contexts of threads and the global one,
  // MethodTables, handles, stack references and sync blocks.
  virtual Result<std::vector<GcSubHeap>> GetGcSubHeaps() = 0;
  virtual std::vector<AddressRange> GetThreadAllocationContexts() = 0;
  virtual Result<MethodTableData> GetMethodTableData(uint64_t method_table) = 0;
  // `kinds` empty: the runtime's default set.
  virtual Result<std::vector<GcHandle>> GetHandles(const std::vector<HandleKind>& kinds) = 0;
  virtual Result<std::vector<StackReference>> GetStackReferences(uint32_t os_thread_id) = 0;
  // In-use sync blocks, by index (1-based as the runtime numbers them).
  virtual Result<std::vector<SyncBlock>> GetSyncBlocks() = 0;
  // The sync block table entry at `index` (1-based); an error when the
  // runtime does not answer S_OK, as SOS requires.
  virtual Result<SyncBlockEntry> GetSyncBlockEntry(uint32_t index) = 0;
  // ClrMD's walk of the sync block cleanup list.
  virtual std::vector<SyncBlockCleanup> GetSyncBlockCleanupList() = 0;
  // Every handle, asked for `batch` at a time as SOS does: a failing batch
  // ends the walk, the ones before it are kept.
  virtual Result<HandleWalk> WalkHandles(uint32_t batch) = 0;
  // Every thread of the thread store, in list order.
  Result<std::vector<ManagedThread>> GetThreads();
  // The GC's own records (dac_gc_info.cpp). `heap` is a server sub-heap's
  // address, or 0 for the workstation GC.
  virtual Result<GcOomInfo> GetGcOomInfo(uint64_t heap) = 0;
  virtual Result<GcInterestingInfo> GetGcInterestingInfo(uint64_t heap) = 0;
  virtual Result<GcGlobalMechanisms> GetGcGlobalMechanisms() = 0;
  // Native heaps, as ClrMD enumerates them (in the runtime's order; heaps
  // whose walk the runtime abandoned are left out): a domain's loader
  // heaps (through its LoaderAllocator on .NET 8+), the JIT managers and
  // their code heaps, and a module's thunk heap.
  virtual std::vector<NativeHeap> GetDomainNativeHeaps(uint64_t domain) = 0;
  virtual std::vector<JitManager> GetJitManagers() = 0;
  virtual std::vector<NativeHeap> GetJitManagerHeaps(uint64_t jit_manager) = 0;
  virtual std::vector<NativeHeap> GetThunkHeaps(uint64_t thunk_heap) = 0;
};

// Loads the DAC and connects it to the dump. The core and memory must
// outlive the returned runtime.
Result<std::unique_ptr<Runtime>> OpenRuntime(const dump::ElfCore& core,
                                             const dump::ProcessMemory& memory,
                                             const RuntimeLocation& location);

}  // namespace clrdump::runtime
