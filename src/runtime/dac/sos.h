// The SOS DAC interfaces (sospriv.idl) and Dacp structures clrdump uses,
// with x86-64 layouts checked by static_assert. Only runtime/dac/ may
// include this file.
#pragma once

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

// ISOSDacInterface, named through the slots we call.
class ISOSDacInterface : public IUnknown {
 public:
  virtual HRESULT GetThreadStoreData(DacpThreadStoreData* data) = 0;  // slot 3
  virtual void Slot4() = 0;
  virtual void Slot5() = 0;
  virtual void Slot6() = 0;
  virtual void Slot7() = 0;
  virtual HRESULT GetDomainFromContext(CLRDATA_ADDRESS context, CLRDATA_ADDRESS* domain) = 0;  // slot 8
  virtual void Slot9() = 0;
  virtual void Slot10() = 0;
  virtual void Slot11() = 0;
  virtual void Slot12() = 0;
  virtual void Slot13() = 0;
  virtual void Slot14() = 0;
  virtual void Slot15() = 0;
  virtual void Slot16() = 0;
  virtual HRESULT GetThreadData(CLRDATA_ADDRESS thread, DacpThreadData* data) = 0;  // slot 17
  virtual void Slot18() = 0;
  virtual void Slot19() = 0;
  virtual HRESULT GetMethodDescData(CLRDATA_ADDRESS md, CLRDATA_ADDRESS ip, DacpMethodDescData* data, ULONG reverted_count, void* reverted, ULONG* reverted_needed) = 0;  // slot 20
  virtual HRESULT GetMethodDescPtrFromIP(CLRDATA_ADDRESS ip, CLRDATA_ADDRESS* md) = 0;  // slot 21
  virtual HRESULT GetMethodDescName(CLRDATA_ADDRESS md, unsigned int count, WCHAR* name, unsigned int* needed) = 0;  // slot 22
  virtual HRESULT GetMethodDescPtrFromFrame(CLRDATA_ADDRESS frame, CLRDATA_ADDRESS* md) = 0;  // slot 23
  virtual void Slot24() = 0;
  virtual void Slot25() = 0;
  virtual void Slot26() = 0;
  virtual void Slot27() = 0;
  virtual void Slot28() = 0;
  virtual void Slot29() = 0;
  virtual void Slot30() = 0;
  virtual void Slot31() = 0;
  virtual void Slot32() = 0;
  virtual void Slot33() = 0;
  virtual void Slot34() = 0;
  virtual void Slot35() = 0;
  virtual HRESULT GetMethodTableName(CLRDATA_ADDRESS mt, unsigned int count, WCHAR* name, unsigned int* needed) = 0;  // slot 36
  virtual void Slot37() = 0;
  virtual void Slot38() = 0;
  virtual void Slot39() = 0;
  virtual void Slot40() = 0;
  virtual void Slot41() = 0;
  virtual void Slot42() = 0;
  virtual HRESULT GetFrameName(CLRDATA_ADDRESS vtable, unsigned int count, WCHAR* name, unsigned int* needed) = 0;  // slot 43
  virtual void Slot44() = 0;
  virtual void Slot45() = 0;
  virtual HRESULT GetGCHeapData(DacpGcHeapData* data) = 0;  // slot 46
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ISOSDacInterface() = default;
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

}  // namespace clrdump::runtime::dac
