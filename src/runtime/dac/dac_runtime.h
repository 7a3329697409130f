// The Runtime model served by the runtime's own DAC (libmscordaccore.so).
// Only runtime/dac/ sees this class; everything else uses runtime::Runtime.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/strings.h"
#include "runtime/dac/com.h"
#include "runtime/dac/data_target.h"
#include "runtime/dac/sos.h"
#include "runtime/dac/xclrdata.h"
#include "runtime/runtime.h"

namespace clrdump::runtime::dac {

Error DacError(const char* call, HRESULT hr);

class DacRuntime final : public Runtime {
 public:
  DacRuntime(const dump::ElfCore& core, const dump::ProcessMemory& memory,
             RuntimeLocation location)
      : location_(std::move(location)), target_(core, memory, location_.coreclr.base) {}

  Status Load();

  const RuntimeLocation& location() const override { return location_; }
  Result<ThreadStore> GetThreadStore() override;
  Result<ManagedThread> GetThread(uint64_t address) override;
  Result<uint64_t> GetDomainFromContext(uint64_t context) override;
  Result<std::string> GetMethodTableName(uint64_t method_table) override;
  Result<GcHeapInfo> GetGcHeapInfo() override;
  std::optional<int> GetGcDynamicAdaptationMode() override;
  Result<std::vector<StackFrame>> WalkStack(uint32_t os_thread_id,
                                            const StackWalkOptions& options) override;
  Result<ObjectInfo> GetObject(uint64_t address) override;
  Result<uint64_t> GetParentMethodTable(uint64_t method_table) override;
  Result<UsefulGlobals> GetUsefulGlobals() override;
  Result<std::string> GetStringContents(uint64_t address) override;
  Result<ExceptionInfo> GetException(uint64_t address) override;
  Result<NestedException> GetNestedException(uint64_t nested) override;
  Result<MethodInfo> GetMethod(uint64_t method_desc) override;
  std::optional<CodeLocation> LocateCode(uint64_t ip) override;
  // Domains, assemblies and modules: dac_domains.cpp.
  Result<AppDomainStore> GetAppDomainStore() override;
  Result<std::vector<uint64_t>> GetAppDomainList(int32_t count) override;
  Result<AppDomainInfo> GetAppDomain(uint64_t address) override;
  Result<std::string> GetAppDomainName(uint64_t domain) override;
  Result<std::vector<uint64_t>> GetAssemblyList(uint64_t domain, int32_t count) override;
  Result<AssemblyInfo> GetAssembly(uint64_t domain, uint64_t assembly) override;
  Result<std::string> GetAssemblyName(uint64_t assembly) override;
  Result<std::vector<uint64_t>> GetAssemblyModuleList(uint64_t assembly, uint32_t count) override;
  Result<ManagedModule> GetManagedModule(uint64_t address) override;
  Result<ModuleImageInfo> GetModuleImage(uint64_t module) override;
  Result<std::string> GetModuleFileName(uint64_t module) override;
  Result<uint64_t> GetPEFileBase(uint64_t pe_file) override;
  Result<std::string> GetPEFileName(uint64_t pe_file) override;
  Result<std::vector<TypeMapEntry>> GetModuleTypeMap(uint64_t module, bool type_refs) override;
  Result<std::vector<uint64_t>> GetMethodsWithProfilerModifiedIL(uint64_t module,
                                                                 uint32_t max) override;
  Result<ProfilerIlKind> GetProfilerModifiedIL(uint64_t method_desc) override;
  Result<std::string> GetMethodDescName(uint64_t method_desc) override;
  std::vector<uint64_t> EnumerateModules() override;
  // Object and type inspection: dac_types.cpp.
  Result<ObjectDetails> GetObjectDetails(uint64_t address) override;
  Result<MethodTableFields> GetMethodTableFields(uint64_t method_table) override;
  Result<FieldDescInfo> GetFieldDesc(uint64_t field_desc) override;
  Result<uint64_t> GetMethodTableForEEClass(uint64_t ee_class) override;
  Result<StaticBases> GetStaticBases(uint64_t method_table) override;
  Result<StaticBases> GetThreadStaticBases(uint64_t method_table, uint64_t thread) override;
  Result<uint32_t> GetMethodTableInitFlags(uint64_t method_table) override;
  Result<uint64_t> GetAssemblyLoadContext(uint64_t method_table) override;
  Result<uint64_t> GetLoaderAllocatorHandle(uint64_t method_table) override;
  Result<std::vector<MethodSlot>> GetMethodTableSlots(uint64_t method_table) override;
  Result<CodeHeader> GetCodeHeader(uint64_t ip) override;
  Result<MethodDescDetails> GetMethodDescDetails(uint64_t method_desc) override;
  Result<uint64_t> GetThreadFromThinLockId(uint32_t id) override;
  Result<ReJitInfo> GetReJitInfo(uint64_t method_desc, int32_t rejit_id) override;
  Result<int32_t> GetPendingReJitId(uint64_t method_desc) override;
  Result<std::vector<TieredVersion>> GetTieredVersions(uint64_t method_desc,
                                                       int32_t rejit_id) override;
  // The GC: dac_gc.cpp.
  Result<std::vector<GcSubHeap>> GetGcSubHeaps() override;
  std::vector<AddressRange> GetThreadAllocationContexts() override;
  Result<MethodTableData> GetMethodTableData(uint64_t method_table) override;
  Result<std::vector<GcHandle>> GetHandles(const std::vector<HandleKind>& kinds) override;
  Result<std::vector<StackReference>> GetStackReferences(uint32_t os_thread_id) override;
  Result<std::vector<SyncBlock>> GetSyncBlocks() override;
  // The GC's own records: dac_gc_info.cpp.
  Result<GcOomInfo> GetGcOomInfo(uint64_t heap) override;
  Result<GcInterestingInfo> GetGcInterestingInfo(uint64_t heap) override;
  Result<GcGlobalMechanisms> GetGcGlobalMechanisms() override;
  // Native heaps: dac_loader.cpp.
  std::vector<NativeHeap> GetDomainNativeHeaps(uint64_t domain) override;
  std::vector<JitManager> GetJitManagers() override;
  std::vector<NativeHeap> GetJitManagerHeaps(uint64_t jit_manager) override;
  std::vector<NativeHeap> GetThunkHeaps(uint64_t thunk_heap) override;
  // Sync block details and thin locks: dac_sync.cpp.
  Result<SyncBlockEntry> GetSyncBlockEntry(uint32_t index) override;
  std::vector<SyncBlockCleanup> GetSyncBlockCleanupList() override;
  Result<HandleWalk> WalkHandles(uint32_t batch) override;

 private:
  // Longest name accepted from the DAC, in UTF-16 units.
  static constexpr unsigned int kMaxName = 1 << 20;

  std::optional<StackFrame> CurrentFrame(IXCLRDataStackWalk& walk,
                                         const StackWalkOptions& options);
  void AddSourceFacts(IXCLRDataFrame& frame, StackFrame& f);
  static FrameVariables ReadParameters(IXCLRDataFrame& frame);
  static FrameVariables ReadLocals(IXCLRDataFrame& frame);
  static FrameVariable ReadVariable(IXCLRDataValue& value);
  static std::string ModuleFileName(IXCLRDataModule& module);
  static std::optional<uint32_t> IlOffset(IXCLRDataMethodInstance& method, uint64_t ip);
  std::string FrameName(uint64_t frame_address);
  std::string MethodDescName(uint64_t md);
  GcSubHeap MakeSubHeap(uint64_t address, uint32_t index, const DacpGcHeapDetails& details);
  void AddSegments(GcSubHeap& heap, size_t generation, std::unordered_set<uint64_t>& seen);

  // The DAC's (count, buffer, needed) string protocol; "" on failure.
  template <typename Call>
  static std::string ReadDacString(Call call) {
    unsigned int needed = 0;
    if (call(0, nullptr, &needed) < 0 || needed == 0 || needed > kMaxName) return {};
    std::u16string text(needed, u'\0');
    if (call(needed, text.data(), &needed) < 0) return {};
    text.resize(std::char_traits<char16_t>::length(text.c_str()));
    return Utf16ToUtf8(text);
  }

  RuntimeLocation location_;
  DataTarget target_;
  // The DAC is not thread-safe: every call goes through this lock.
  std::mutex mutex_;
  IXCLRDataProcess* process_ = nullptr;
  ISOSDacInterface* sos_ = nullptr;
  ISOSDacInterface2* sos2_ = nullptr;
  ISOSDacInterface16* sos16_ = nullptr;  // .NET 10+
  ISOSDacInterface8* sos8_ = nullptr;    // .NET 5+
  ISOSDacInterface12* sos12_ = nullptr;  // .NET 7+
  std::optional<UsefulGlobals> useful_globals_;
  // Loader heaps (dac_loader.cpp); all called with mutex_ held.
  std::vector<NativeHeap> LoaderAllocatorHeaps(uint64_t loader_allocator);
  std::vector<NativeHeap> LegacyDomainHeaps(uint64_t domain);
  std::vector<NativeHeap> LegacyLoaderHeap(uint64_t heap, bool explicit_control,
                                           NativeHeapKind kind);
  const std::vector<NativeHeapKind>& LoaderHeapKinds();
  int RuntimeMajorVersion() const;
  ISOSDacInterface13* sos13_ = nullptr;  // .NET 8+
  std::optional<std::vector<NativeHeapKind>> loader_heap_kinds_;
};

}  // namespace clrdump::runtime::dac
