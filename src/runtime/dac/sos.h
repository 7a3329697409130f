// The SOS DAC interfaces (sospriv.idl) and Dacp structures clrdump uses,
// with x86-64 layouts checked by static_assert. Only runtime/dac/ may
// include this file.
#pragma once

#include <cstddef>

#include "runtime/dac/com.h"

namespace clrdump::runtime::dac {

inline constexpr Guid kIID_ISOSDacInterface = {0x436f00f2, 0xb42a, 0x4b9f,
                                               {0x87, 0x0c, 0xe7, 0x3d, 0xb6, 0x6a, 0xe9, 0x30}};

struct DacpThreadStoreData {
  int32_t threadCount;
  int32_t unstartedThreadCount;
  int32_t backgroundThreadCount;
  int32_t pendingThreadCount;
  int32_t deadThreadCount;
  CLRDATA_ADDRESS firstThread;
  CLRDATA_ADDRESS finalizerThread;
  CLRDATA_ADDRESS gcThread;
  uint32_t fHostConfig;
};
static_assert(sizeof(DacpThreadStoreData) == 0x38);

struct DacpThreadData {
  uint32_t corThreadId;
  uint32_t osThreadId;
  int32_t state;
  ULONG preemptiveGCDisabled;
  CLRDATA_ADDRESS allocContextPtr;
  CLRDATA_ADDRESS allocContextLimit;
  CLRDATA_ADDRESS context;
  CLRDATA_ADDRESS domain;
  CLRDATA_ADDRESS pFrame;
  uint32_t lockCount;
  CLRDATA_ADDRESS firstNestedException;
  CLRDATA_ADDRESS teb;
  CLRDATA_ADDRESS fiberData;
  CLRDATA_ADDRESS lastThrownObjectHandle;
  CLRDATA_ADDRESS nextThread;
};
static_assert(sizeof(DacpThreadData) == 0x68);

struct DacpGcHeapData {
  int32_t bServerMode;
  int32_t bGcStructuresValid;
  uint32_t HeapCount;
  uint32_t g_max_generation;
};
static_assert(sizeof(DacpGcHeapData) == 0x10);

struct DacpMethodDescData {
  int32_t bHasNativeCode;
  int32_t bIsDynamic;
  uint16_t wSlotNumber;
  CLRDATA_ADDRESS NativeCodeAddr;
  CLRDATA_ADDRESS AddressOfNativeCodeSlot;
  CLRDATA_ADDRESS MethodDescPtr;
  CLRDATA_ADDRESS MethodTablePtr;
  CLRDATA_ADDRESS ModulePtr;
  uint32_t MDToken;
  CLRDATA_ADDRESS GCInfo;
  CLRDATA_ADDRESS GCStressCodeCopy;
  CLRDATA_ADDRESS managedDynamicMethodObject;
  CLRDATA_ADDRESS requestedIP;
  uint8_t rejitDataCurrent[24];
  uint8_t rejitDataRequested[24];
  ULONG cJittedRejitVersions;
};
static_assert(sizeof(DacpMethodDescData) == 0x98);

struct DacpObjectData {
  CLRDATA_ADDRESS MethodTable;
  uint32_t ObjectType;
  uint64_t Size;
  CLRDATA_ADDRESS ElementTypeHandle;
  uint32_t ElementType;
  uint32_t dwRank;
  uint64_t dwNumComponents;
  uint64_t dwComponentSize;
  CLRDATA_ADDRESS ArrayDataPtr;
  CLRDATA_ADDRESS ArrayBoundsPtr;
  CLRDATA_ADDRESS ArrayLowerBoundsPtr;
  CLRDATA_ADDRESS RCW;
  CLRDATA_ADDRESS CCW;
};
static_assert(sizeof(DacpObjectData) == 0x60);

struct DacpMethodTableData {
  int32_t bIsFree;
  CLRDATA_ADDRESS Module;
  CLRDATA_ADDRESS Class;
  CLRDATA_ADDRESS ParentMethodTable;
  uint16_t wNumInterfaces;
  uint16_t wNumMethods;
  uint16_t wNumVtableSlots;
  uint16_t wNumVirtuals;
  uint32_t BaseSize;
  uint32_t ComponentSize;
  uint32_t cl;
  uint32_t dwAttrClass;
  int32_t bIsShared;
  int32_t bIsDynamic;
  int32_t bContainsPointers;
};
static_assert(sizeof(DacpMethodTableData) == 0x48);

// Only the leading fields are named; the rest keeps the frozen size.
struct DacpModuleData {
  CLRDATA_ADDRESS Address;
  CLRDATA_ADDRESS PEAssembly;
  uint8_t rest[0xa0 - 16];
};
static_assert(sizeof(DacpModuleData) == 0xa0);

struct DacpExceptionObjectData {
  CLRDATA_ADDRESS Message;
  CLRDATA_ADDRESS InnerException;
  CLRDATA_ADDRESS StackTrace;
  CLRDATA_ADDRESS WatsonBuckets;
  CLRDATA_ADDRESS StackTraceString;
  CLRDATA_ADDRESS RemoteStackTraceString;
  int32_t HResult;
  int32_t XCode;
};
static_assert(sizeof(DacpExceptionObjectData) == 0x38);

struct DacpUsefulGlobalsData {
  CLRDATA_ADDRESS ArrayMethodTable;
  CLRDATA_ADDRESS StringMethodTable;
  CLRDATA_ADDRESS ObjectMethodTable;
  CLRDATA_ADDRESS ExceptionMethodTable;
  CLRDATA_ADDRESS FreeMethodTable;
};
static_assert(sizeof(DacpUsefulGlobalsData) == 0x28);

class IXCLRDataModule;

struct DacpAppDomainStoreData {
  CLRDATA_ADDRESS sharedDomain;
  CLRDATA_ADDRESS systemDomain;
  int32_t DomainCount;
};
static_assert(sizeof(DacpAppDomainStoreData) == 0x18);

struct DacpAppDomainData {
  CLRDATA_ADDRESS AppDomainPtr;
  CLRDATA_ADDRESS AppSecDesc;
  CLRDATA_ADDRESS pLowFrequencyHeap;
  CLRDATA_ADDRESS pHighFrequencyHeap;
  CLRDATA_ADDRESS pStubHeap;
  CLRDATA_ADDRESS DomainLocalBlock;
  CLRDATA_ADDRESS pDomainLocalModules;
  uint32_t dwId;
  int32_t AssemblyCount;
  int32_t FailedAssemblyCount;
  uint32_t appDomainStage;
};
static_assert(sizeof(DacpAppDomainData) == 0x48);

struct DacpAssemblyData {
  CLRDATA_ADDRESS AssemblyPtr;
  CLRDATA_ADDRESS ClassLoader;
  CLRDATA_ADDRESS ParentDomain;
  CLRDATA_ADDRESS BaseDomainPtr;
  CLRDATA_ADDRESS AssemblySecDesc;
  int32_t isDynamic;
  uint32_t ModuleCount;
  uint32_t LoadContext;
  int32_t isDomainNeutral;
  uint32_t dwLocationFlags;
};
static_assert(sizeof(DacpAssemblyData) == 0x40);

// DacpModuleData with every field named; GetModuleData fills the frozen
// struct above and this view is bit_cast from it.
struct DacpModuleDataFields {
  CLRDATA_ADDRESS Address;
  CLRDATA_ADDRESS PEAssembly;
  CLRDATA_ADDRESS ilBase;
  CLRDATA_ADDRESS metadataStart;
  uint64_t metadataSize;
  CLRDATA_ADDRESS Assembly;
  int32_t bIsReflection;
  int32_t bIsPEFile;
  uint64_t dwBaseClassIndex;
  uint64_t dwModuleID;
  uint32_t dwTransientFlags;
  CLRDATA_ADDRESS TypeDefToMethodTableMap;
  CLRDATA_ADDRESS TypeRefToMethodTableMap;
  CLRDATA_ADDRESS MethodDefToDescMap;
  CLRDATA_ADDRESS FieldDefToDescMap;
  CLRDATA_ADDRESS MemberRefToDescMap;
  CLRDATA_ADDRESS FileReferencesMap;
  CLRDATA_ADDRESS ManifestModuleReferencesMap;
  CLRDATA_ADDRESS LoaderAllocator;
  CLRDATA_ADDRESS ThunkHeap;
  uint64_t dwModuleIndex;
};
static_assert(sizeof(DacpModuleDataFields) == 0xa0);
static_assert(offsetof(DacpModuleDataFields, dwTransientFlags) == 0x48);
static_assert(offsetof(DacpModuleDataFields, LoaderAllocator) == 0x88);

// What IXCLRDataModule::Request(kDacDataModuleRequestGetModuleData) fills.
struct DacpGetModuleData {
  int32_t IsDynamic;
  int32_t IsInMemory;
  int32_t IsFileLayout;
  CLRDATA_ADDRESS PEAssembly;
  CLRDATA_ADDRESS LoadedPEAddress;
  uint64_t LoadedPESize;
  CLRDATA_ADDRESS InMemoryPdbAddress;
  uint64_t InMemoryPdbSize;
};
static_assert(sizeof(DacpGetModuleData) == 0x38);

struct DacpProfilerILData {
  int32_t type;  // 0 unmodified, 1 IL modified, 2 ReJIT modified
  CLRDATA_ADDRESS il;
  ULONG rejitID;
};
static_assert(sizeof(DacpProfilerILData) == 0x18);

struct DacpMethodTableFieldData {
  uint16_t wNumInstanceFields;
  uint16_t wNumStaticFields;
  uint16_t wNumThreadStaticFields;
  CLRDATA_ADDRESS FirstField;
  uint16_t wContextStaticOffset;
  uint16_t wContextStaticsSize;
};
static_assert(sizeof(DacpMethodTableFieldData) == 0x18);

struct DacpFieldDescData {
  uint32_t Type;     // CorElementType
  uint32_t sigType;  // CorElementType
  CLRDATA_ADDRESS MTOfType;
  CLRDATA_ADDRESS ModuleOfType;
  uint32_t TokenOfType;
  uint32_t mb;
  CLRDATA_ADDRESS MTOfEnclosingClass;
  uint32_t dwOffset;
  int32_t bIsThreadLocal;
  int32_t bIsContextLocal;
  int32_t bIsStatic;
  CLRDATA_ADDRESS NextField;
};
static_assert(sizeof(DacpFieldDescData) == 0x40);
static_assert(offsetof(DacpFieldDescData, dwOffset) == 0x28);

struct DacpCodeHeaderData {
  CLRDATA_ADDRESS GCInfo;
  uint32_t JITType;  // 1 JIT, 2 PreJIT
  CLRDATA_ADDRESS MethodDescPtr;
  CLRDATA_ADDRESS MethodStart;
  uint32_t MethodSize;
  CLRDATA_ADDRESS ColdRegionStart;
  uint32_t ColdRegionSize;
  uint32_t HotRegionSize;
};
static_assert(sizeof(DacpCodeHeaderData) == 0x38);

// TraverseModuleMap: map kinds and the per-entry callback.
inline constexpr int kModuleMapTypeDefToMethodTable = 0;
inline constexpr int kModuleMapTypeRefToMethodTable = 1;
using ModuleMapTraverse = void (*)(unsigned int index, CLRDATA_ADDRESS method_table, void* token);

struct DacpOomData;  // sos_gc_info.h

// ISOSDacInterface, named through the slots we call.
// GC heap structures (frozen layouts).
struct DacpGenerationData {
  CLRDATA_ADDRESS start_segment;
  CLRDATA_ADDRESS allocation_start;
  CLRDATA_ADDRESS alloc_context_ptr;
  CLRDATA_ADDRESS alloc_context_limit;
};
static_assert(sizeof(DacpGenerationData) == 0x20);

struct DacpGcHeapDetails {
  CLRDATA_ADDRESS heap_address;
  CLRDATA_ADDRESS alloc_allocated;
  CLRDATA_ADDRESS mark_array;
  CLRDATA_ADDRESS current_c_gc_state;
  CLRDATA_ADDRESS next_sweep_obj;
  CLRDATA_ADDRESS saved_sweep_ephemeral_seg;
  CLRDATA_ADDRESS saved_sweep_ephemeral_start;
  CLRDATA_ADDRESS background_saved_lowest_address;
  CLRDATA_ADDRESS background_saved_highest_address;
  DacpGenerationData generation_table[4];
  CLRDATA_ADDRESS ephemeral_heap_segment;
  CLRDATA_ADDRESS finalization_fill_pointers[7];
  CLRDATA_ADDRESS lowest_address;
  CLRDATA_ADDRESS highest_address;
  CLRDATA_ADDRESS card_table;
};
static_assert(sizeof(DacpGcHeapDetails) == 0x120);
static_assert(offsetof(DacpGcHeapDetails, ephemeral_heap_segment) == 0xc8);

struct DacpHeapSegmentData {
  CLRDATA_ADDRESS segment_address;
  CLRDATA_ADDRESS allocated;
  CLRDATA_ADDRESS committed;
  CLRDATA_ADDRESS reserved;
  CLRDATA_ADDRESS used;
  CLRDATA_ADDRESS mem;
  CLRDATA_ADDRESS next;
  CLRDATA_ADDRESS gc_heap;
  CLRDATA_ADDRESS high_alloc_mark;
  uint64_t flags;
  CLRDATA_ADDRESS background_allocated;
};
static_assert(sizeof(DacpHeapSegmentData) == 0x58);

struct DacpSyncBlockData {
  CLRDATA_ADDRESS object;
  int32_t free;
  CLRDATA_ADDRESS sync_block_pointer;
  uint32_t com_flags;
  uint32_t monitor_held;
  uint32_t recursion;
  CLRDATA_ADDRESS holding_thread;
  uint32_t additional_thread_count;
  CLRDATA_ADDRESS app_domain;
  uint32_t sync_block_count;
};
static_assert(sizeof(DacpSyncBlockData) == 0x48);
static_assert(offsetof(DacpSyncBlockData, sync_block_count) == 0x40);

struct DacpSyncBlockCleanupData {
  CLRDATA_ADDRESS sync_block_pointer;
  CLRDATA_ADDRESS next_sync_block;
  CLRDATA_ADDRESS block_rcw;
  CLRDATA_ADDRESS block_class_factory;
  CLRDATA_ADDRESS block_ccw;
};
static_assert(sizeof(DacpSyncBlockCleanupData) == 0x28);

struct SOSHandleData {
  CLRDATA_ADDRESS app_domain;
  CLRDATA_ADDRESS handle;
  CLRDATA_ADDRESS secondary;
  uint32_t type;
  int32_t strong_reference;
  uint32_t ref_count;
  uint32_t jupiter_ref_count;
  int32_t is_pegged;
};
static_assert(sizeof(SOSHandleData) == 0x30);

struct SOSStackRefData {
  int32_t has_register_information;
  int32_t reg;
  int32_t offset;
  CLRDATA_ADDRESS address;
  CLRDATA_ADDRESS object;
  uint32_t flags;
  uint32_t source_type;
  CLRDATA_ADDRESS source;
  CLRDATA_ADDRESS stack_pointer;
};
static_assert(sizeof(SOSStackRefData) == 0x38);

class ISOSEnum : public IUnknown {
 public:
  virtual HRESULT Skip(unsigned int count) = 0;  // slot 3
  virtual HRESULT Reset() = 0;  // slot 4
  virtual HRESULT GetCount(unsigned int* count) = 0;  // slot 5
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ISOSEnum() = default;
};

class ISOSHandleEnum : public ISOSEnum {
 public:
  virtual HRESULT Next(unsigned int count, SOSHandleData* handles, unsigned int* fetched) = 0;  // slot 6
 protected:
  ~ISOSHandleEnum() = default;
};

class ISOSStackRefEnum : public ISOSEnum {
 public:
  virtual HRESULT Next(unsigned int count, SOSStackRefData* refs, unsigned int* fetched) = 0;  // slot 6
 protected:
  ~ISOSStackRefEnum() = default;
};

// Loader heaps: GetJitManagerList, GetCodeHeapList and the heap walks.
struct DacpJitManagerInfo {
  CLRDATA_ADDRESS manager_address;
  uint32_t code_type;
  CLRDATA_ADDRESS heap_list;
};
static_assert(sizeof(DacpJitManagerInfo) == 0x18);

// code_type 0: a loader code heap (`first` is its heap); 1: a host code
// heap (`first` is its base, `second` its current end); 2: unknown.
struct DacpJitCodeHeapInfo {
  uint32_t code_type;
  CLRDATA_ADDRESS first;
  CLRDATA_ADDRESS second;
};
static_assert(sizeof(DacpJitCodeHeapInfo) == 0x18);

// Called once per block of a loader heap walk; carries no user token.
using VisitHeap = void (*)(CLRDATA_ADDRESS block, size_t size, int32_t is_current_block);

class ISOSDacInterface : public IUnknown {
 public:
  virtual HRESULT GetThreadStoreData(DacpThreadStoreData* data) = 0;  // slot 3
  virtual HRESULT GetAppDomainStoreData(DacpAppDomainStoreData* data) = 0;  // slot 4
  virtual HRESULT GetAppDomainList(unsigned int count, CLRDATA_ADDRESS* values,
                                   unsigned int* needed) = 0;  // slot 5
  virtual HRESULT GetAppDomainData(CLRDATA_ADDRESS domain, DacpAppDomainData* data) = 0;  // slot 6
  virtual HRESULT GetAppDomainName(CLRDATA_ADDRESS domain, unsigned int count, WCHAR* name,
                                   unsigned int* needed) = 0;  // slot 7
  virtual HRESULT GetDomainFromContext(CLRDATA_ADDRESS context, CLRDATA_ADDRESS* domain) = 0;  // slot 8
  virtual HRESULT GetAssemblyList(CLRDATA_ADDRESS domain, int count, CLRDATA_ADDRESS* values,
                                  int* needed) = 0;  // slot 9
  virtual HRESULT GetAssemblyData(CLRDATA_ADDRESS domain, CLRDATA_ADDRESS assembly,
                                  DacpAssemblyData* data) = 0;  // slot 10
  virtual HRESULT GetAssemblyName(CLRDATA_ADDRESS assembly, unsigned int count, WCHAR* name,
                                  unsigned int* needed) = 0;  // slot 11
  virtual HRESULT GetModule(CLRDATA_ADDRESS module, IXCLRDataModule** data_module) = 0;  // slot 12
  virtual HRESULT GetModuleData(CLRDATA_ADDRESS module, DacpModuleData* data) = 0;  // slot 13
  virtual HRESULT TraverseModuleMap(int map_type, CLRDATA_ADDRESS module,
                                    ModuleMapTraverse callback, void* token) = 0;  // slot 14
  virtual HRESULT GetAssemblyModuleList(CLRDATA_ADDRESS assembly, unsigned int count,
                                        CLRDATA_ADDRESS* modules,
                                        unsigned int* needed) = 0;  // slot 15
  virtual void Slot16() = 0;
  virtual HRESULT GetThreadData(CLRDATA_ADDRESS thread, DacpThreadData* data) = 0;  // slot 17
  virtual HRESULT GetThreadFromThinlockID(unsigned int id, CLRDATA_ADDRESS* thread) = 0;  // slot 18
  virtual void Slot19() = 0;
  virtual HRESULT GetMethodDescData(CLRDATA_ADDRESS md, CLRDATA_ADDRESS ip, DacpMethodDescData* data, ULONG reverted_count, void* reverted, ULONG* reverted_needed) = 0;  // slot 20
  virtual HRESULT GetMethodDescPtrFromIP(CLRDATA_ADDRESS ip, CLRDATA_ADDRESS* md) = 0;  // slot 21
  virtual HRESULT GetMethodDescName(CLRDATA_ADDRESS md, unsigned int count, WCHAR* name, unsigned int* needed) = 0;  // slot 22
  virtual HRESULT GetMethodDescPtrFromFrame(CLRDATA_ADDRESS frame, CLRDATA_ADDRESS* md) = 0;  // slot 23
  virtual void Slot24() = 0;
  virtual void Slot25() = 0;
  virtual HRESULT GetCodeHeaderData(CLRDATA_ADDRESS ip, DacpCodeHeaderData* data) = 0;  // slot 26
  virtual HRESULT GetJitManagerList(unsigned int count, DacpJitManagerInfo* managers,
                                    unsigned int* needed) = 0;  // slot 27
  virtual void Slot28() = 0;
  virtual void Slot29() = 0;
  virtual void Slot30() = 0;
  virtual void Slot31() = 0;
  virtual void Slot32() = 0;
  virtual HRESULT GetObjectData(CLRDATA_ADDRESS object, DacpObjectData* data) = 0;  // slot 33
  virtual HRESULT GetObjectStringData(CLRDATA_ADDRESS object, unsigned int count, WCHAR* text, unsigned int* needed) = 0;  // slot 34
  virtual void Slot35() = 0;
  virtual HRESULT GetMethodTableName(CLRDATA_ADDRESS mt, unsigned int count, WCHAR* name, unsigned int* needed) = 0;  // slot 36
  virtual HRESULT GetMethodTableData(CLRDATA_ADDRESS mt, DacpMethodTableData* data) = 0;  // slot 37
  virtual void Slot38() = 0;
  virtual HRESULT GetMethodTableFieldData(CLRDATA_ADDRESS mt, DacpMethodTableFieldData* data) = 0;  // slot 39
  virtual void Slot40() = 0;
  virtual HRESULT GetMethodTableForEEClass(CLRDATA_ADDRESS ee_class, CLRDATA_ADDRESS* mt) = 0;  // slot 41
  virtual HRESULT GetFieldDescData(CLRDATA_ADDRESS field, DacpFieldDescData* data) = 0;  // slot 42
  virtual HRESULT GetFrameName(CLRDATA_ADDRESS vtable, unsigned int count, WCHAR* name, unsigned int* needed) = 0;  // slot 43
  virtual HRESULT GetPEFileBase(CLRDATA_ADDRESS pe_file, CLRDATA_ADDRESS* base) = 0;  // slot 44
  virtual HRESULT GetPEFileName(CLRDATA_ADDRESS pe_file, unsigned int count, WCHAR* name,
                                unsigned int* needed) = 0;  // slot 45
  virtual HRESULT GetGCHeapData(DacpGcHeapData* data) = 0;  // slot 46
  virtual HRESULT GetGCHeapList(unsigned int count, CLRDATA_ADDRESS* heaps, unsigned int* needed) = 0;  // slot 47
  virtual HRESULT GetGCHeapDetails(CLRDATA_ADDRESS heap, DacpGcHeapDetails* details) = 0;  // slot 48
  virtual HRESULT GetGCHeapStaticData(DacpGcHeapDetails* details) = 0;  // slot 49
  virtual HRESULT GetHeapSegmentData(CLRDATA_ADDRESS segment, DacpHeapSegmentData* data) = 0;  // slot 50
  virtual HRESULT GetOOMData(CLRDATA_ADDRESS heap, DacpOomData* data) = 0;  // slot 51
  virtual HRESULT GetOOMStaticData(DacpOomData* data) = 0;  // slot 52
  virtual void Slot53() = 0;
  virtual void Slot54() = 0;
  virtual void Slot55() = 0;
  virtual void Slot56() = 0;
  virtual void Slot57() = 0;
  virtual void Slot58() = 0;
  virtual HRESULT GetSyncBlockData(unsigned int number, DacpSyncBlockData* data) = 0;  // slot 59
  virtual HRESULT GetSyncBlockCleanupData(CLRDATA_ADDRESS sync_block, DacpSyncBlockCleanupData* data) = 0;  // slot 60
  virtual HRESULT GetHandleEnum(ISOSHandleEnum** handles) = 0;  // slot 61
  virtual HRESULT GetHandleEnumForTypes(unsigned int* types, unsigned int count, ISOSHandleEnum** handles) = 0;  // slot 62
  virtual void Slot63() = 0;
  virtual void Slot64() = 0;
  virtual HRESULT GetNestedExceptionData(CLRDATA_ADDRESS exception, CLRDATA_ADDRESS* object, CLRDATA_ADDRESS* next) = 0;  // slot 65
  virtual void Slot66() = 0;
  virtual HRESULT TraverseLoaderHeap(CLRDATA_ADDRESS loader_heap, VisitHeap callback) = 0;  // slot 67
  virtual HRESULT GetCodeHeapList(CLRDATA_ADDRESS jit_manager, unsigned int count,
                                  DacpJitCodeHeapInfo* heaps, unsigned int* needed) = 0;  // slot 68
  virtual HRESULT TraverseVirtCallStubHeap(CLRDATA_ADDRESS domain, int heap_type,
                                           VisitHeap callback) = 0;  // slot 69
  virtual HRESULT GetUsefulGlobals(DacpUsefulGlobalsData* data) = 0;  // slot 70
  virtual void Slot71() = 0;
  virtual void Slot72() = 0;
  virtual void Slot73() = 0;
  virtual void Slot74() = 0;
  virtual void Slot75() = 0;
  virtual void Slot76() = 0;
  virtual void Slot77() = 0;
  virtual void Slot78() = 0;
  virtual HRESULT GetStackReferences(uint32_t os_thread_id, ISOSStackRefEnum** refs) = 0;  // slot 79
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ISOSDacInterface() = default;
};

inline constexpr Guid kIID_ISOSDacInterface2 = {0xA16026EC, 0x96F4, 0x40BA,
                                                {0x87, 0xFB, 0x55, 0x75, 0x98, 0x6F, 0xB7, 0xAF}};

class ISOSDacInterface2 : public IUnknown {
 public:
  virtual HRESULT GetObjectExceptionData(CLRDATA_ADDRESS object,
                                         DacpExceptionObjectData* data) = 0;  // slot 3
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ISOSDacInterface2() = default;
};

inline constexpr Guid kIID_ISOSDacInterface16 = {0x4ba12ff8, 0xdaac, 0x4e43,
                                                 {0xac, 0x56, 0x98, 0xcf, 0x8d, 0x5c, 0x59, 0x5d}};

class ISOSDacInterface16 : public IUnknown {
 public:
  virtual HRESULT GetGCDynamicAdaptationMode(int* mode) = 0;  // slot 3
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ISOSDacInterface16() = default;
};

inline constexpr Guid kIID_ISOSDacInterface7 = {0xc1020dde, 0xfe98, 0x4536,
                                                {0xa5, 0x3b, 0xf3, 0x5a, 0x74, 0xc3, 0x27, 0xeb}};

struct DacpReJitData2 {
  ULONG rejitID;
  uint32_t flags;
  CLRDATA_ADDRESS il;
  CLRDATA_ADDRESS ilCodeVersionNodePtr;
};
static_assert(sizeof(DacpReJitData2) == 0x18);

class ISOSDacInterface7 : public IUnknown {
 public:
  virtual HRESULT GetPendingReJITID(CLRDATA_ADDRESS method_desc, int* rejit_id) = 0;  // slot 3
  virtual HRESULT GetReJITInformation(CLRDATA_ADDRESS method_desc, int rejit_id,
                                      DacpReJitData2* data) = 0;  // slot 4
  virtual HRESULT GetProfilerModifiedILInformation(CLRDATA_ADDRESS method_desc,
                                                   DacpProfilerILData* data) = 0;  // slot 5
  virtual HRESULT GetMethodsWithProfilerModifiedIL(CLRDATA_ADDRESS module,
                                                   CLRDATA_ADDRESS* method_descs, int count,
                                                   int* fetched) = 0;  // slot 6
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ISOSDacInterface7() = default;
};

inline constexpr Guid kIID_ISOSDacInterface8 = {0xc12f35a9, 0xe55c, 0x4520,
                                                {0xa8, 0x94, 0xb3, 0xdc, 0x51, 0x65, 0xdf, 0xce}};

class ISOSDacInterface8 : public IUnknown {
 public:
  virtual HRESULT GetNumberGenerations(unsigned int* generations) = 0;  // slot 3
  virtual HRESULT GetGenerationTable(unsigned int count, DacpGenerationData* data,
                                     unsigned int* needed) = 0;  // slot 4
  virtual HRESULT GetFinalizationFillPointers(unsigned int count, CLRDATA_ADDRESS* pointers,
                                              unsigned int* needed) = 0;  // slot 5
  virtual HRESULT GetGenerationTableSvr(CLRDATA_ADDRESS heap, unsigned int count,
                                        DacpGenerationData* data, unsigned int* needed) = 0;  // slot 6
  virtual HRESULT GetFinalizationFillPointersSvr(CLRDATA_ADDRESS heap, unsigned int count,
                                                 CLRDATA_ADDRESS* pointers,
                                                 unsigned int* needed) = 0;  // slot 7
  virtual HRESULT GetAssemblyLoadContext(CLRDATA_ADDRESS mt, CLRDATA_ADDRESS* alc) = 0;  // slot 8
 protected:
  ~ISOSDacInterface8() = default;
};

inline constexpr Guid kIID_ISOSDacInterface12 = {0x1b93bacc, 0x8ca4, 0x432d,
                                                 {0x94, 0x3a, 0x3e, 0x6e, 0x7e, 0xc0, 0xb0, 0xa3}};

class ISOSDacInterface12 : public IUnknown {
 public:
  virtual HRESULT GetGlobalAllocationContext(CLRDATA_ADDRESS* pointer,
                                             CLRDATA_ADDRESS* limit) = 0;  // slot 3
 protected:
  ~ISOSDacInterface12() = default;
};

inline constexpr Guid kIID_ISOSDacInterface13 = {0x3176a8ed, 0x597b, 0x4f54,
                                                 {0xa7, 0x1f, 0x83, 0x69, 0x5c, 0x6a, 0x8c, 0x5e}};

// .NET 8+: loader heaps by LoaderAllocator, walked with their kind
// (0 LoaderHeap, 1 ExplicitControlLoaderHeap).
class ISOSDacInterface13 : public IUnknown {
 public:
  virtual HRESULT TraverseLoaderHeap(CLRDATA_ADDRESS loader_heap, int32_t kind,
                                     VisitHeap callback) = 0;  // slot 3
  virtual HRESULT GetDomainLoaderAllocator(CLRDATA_ADDRESS domain,
                                           CLRDATA_ADDRESS* loader_allocator) = 0;  // slot 4
  virtual HRESULT GetLoaderAllocatorHeapNames(int count, const char** names,
                                              int* needed) = 0;  // slot 5
  virtual HRESULT GetLoaderAllocatorHeaps(CLRDATA_ADDRESS loader_allocator, int count,
                                          CLRDATA_ADDRESS* heaps, int32_t* kinds,
                                          int* needed) = 0;  // slot 6
 protected:
  ~ISOSDacInterface13() = default;
};

}  // namespace clrdump::runtime::dac
