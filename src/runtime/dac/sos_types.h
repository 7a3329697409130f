// The later ISOSDacInterface versions (5, 6, 14, 15) and the method-slot
// enumerator that the type inspection commands use, with x86-64 layouts
// checked by static_assert. Only runtime/dac/ may include this file.
#pragma once

#include <cstddef>

#include "runtime/dac/com.h"
#include "runtime/dac/sos.h"

namespace clrdump::runtime::dac {

struct DacpMethodTableCollectibleData {
  CLRDATA_ADDRESS LoaderAllocatorObjectHandle;
  int32_t bCollectible;
};
static_assert(sizeof(DacpMethodTableCollectibleData) == 0x10);

struct SOSMethodData {
  CLRDATA_ADDRESS MethodDesc;
  CLRDATA_ADDRESS Entrypoint;
  CLRDATA_ADDRESS DefiningMethodTable;
  CLRDATA_ADDRESS DefiningModule;
  uint32_t Token;
  uint32_t Slot;
};
static_assert(sizeof(SOSMethodData) == 0x28);

inline constexpr Guid kIID_ISOSDacInterface6 = {
    0x11206399, 0x4B66, 0x4EDB, {0x98, 0xEA, 0x85, 0x65, 0x4E, 0x59, 0xAD, 0x45}};

class ISOSDacInterface6 : public IUnknown {
 public:
  virtual HRESULT GetMethodTableCollectibleData(
      CLRDATA_ADDRESS mt,
      DacpMethodTableCollectibleData* data) = 0;  // slot 3
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ISOSDacInterface6() = default;
};

inline constexpr Guid kIID_ISOSDacInterface14 = {
    0x9aa22aca, 0x6dc6, 0x4a0c, {0xb4, 0xe0, 0x70, 0xd2, 0x41, 0x6b, 0x98, 0x37}};

class ISOSDacInterface14 : public IUnknown {
 public:
  virtual HRESULT GetStaticBaseAddress(CLRDATA_ADDRESS mt, CLRDATA_ADDRESS* non_gc,
                                       CLRDATA_ADDRESS* gc) = 0;  // slot 3
  virtual HRESULT GetThreadStaticBaseAddress(CLRDATA_ADDRESS mt, CLRDATA_ADDRESS thread,
                                             CLRDATA_ADDRESS* non_gc,
                                             CLRDATA_ADDRESS* gc) = 0;  // slot 4
  virtual HRESULT GetMethodTableInitializationFlags(CLRDATA_ADDRESS mt,
                                                    uint32_t* flags) = 0;  // slot 5
 protected:
  ~ISOSDacInterface14() = default;
};

class ISOSMethodEnum : public ISOSEnum {
 public:
  virtual HRESULT Next(unsigned int count, SOSMethodData* values,
                       unsigned int* fetched) = 0;  // slot 6
 protected:
  ~ISOSMethodEnum() = default;
};

inline constexpr Guid kIID_ISOSDacInterface15 = {
    0x7ed81261, 0x52a9, 0x4a23, {0xa3, 0x58, 0xc3, 0x31, 0x3d, 0xea, 0x30, 0xa8}};

class ISOSDacInterface15 : public IUnknown {
 public:
  virtual HRESULT GetMethodTableSlotEnumerator(CLRDATA_ADDRESS mt,
                                               ISOSMethodEnum** enumerator) = 0;  // slot 3
 protected:
  ~ISOSDacInterface15() = default;
};

struct DacpTieredVersionData {
  CLRDATA_ADDRESS NativeCodeAddr;
  uint32_t OptimizationTier;
  CLRDATA_ADDRESS NativeCodeVersionNodePtr;
};
static_assert(sizeof(DacpTieredVersionData) == 0x18);

inline constexpr Guid kIID_ISOSDacInterface5 = {
    0x127d6abe, 0x6c86, 0x4e48, {0x8e, 0x7b, 0x22, 0x07, 0x81, 0xc5, 0x81, 0x01}};

class ISOSDacInterface5 : public IUnknown {
 public:
  virtual HRESULT GetTieredVersions(CLRDATA_ADDRESS method_desc, int rejit_id,
                                    DacpTieredVersionData* versions, int count,
                                    int* fetched) = 0;  // slot 3
 protected:
  ~ISOSDacInterface5() = default;
};

}  // namespace clrdump::runtime::dac
