// The xclrdata interfaces of the DAC (xclrdata.idl) that clrdump calls:
// only the slots used are named, the others keep their vtable positions.
// Only runtime/dac/ may include this file.
#pragma once

#include "runtime/dac/com.h"

namespace clrdump::runtime::dac {

class IXCLRDataStackWalk;
class IXCLRDataFrame;
class IXCLRDataMethodInstance;
class IXCLRDataModule;
class IXCLRDataValue;

inline constexpr Guid kIID_IXCLRDataProcess = {0x5c552ab6, 0xfc09, 0x4cb3,
                                               {0x8e, 0x36, 0x22, 0xfa, 0x03, 0xc7, 0x98, 0xb7}};
inline constexpr ULONG32 kClrDataRequestRevision = 0xE0000000;
// IXCLRDataStackWalk::Request: the explicit Frame at the current position.
inline constexpr ULONG32 kStackWalkRequestFrameData = 0xF0000000;
// CreateStackWalk: every kind of frame.
inline constexpr ULONG32 kStackWalkAllFrames = 0xF;
// IXCLRDataModule::Request: the module's DacpGetModuleData.
inline constexpr ULONG32 kDacDataModuleRequestGetModuleData = 0xF0000001;
// IXCLRDataValue::GetLocationByIndex: where a value lives.
inline constexpr ULONG32 kValueLocationRegister = 1;
// HRESULT_FROM_WIN32(ERROR_BUFFER_OVERFLOW) carries this code: GetBytes'
// answer to a too-small buffer.
inline constexpr uint32_t kWin32BufferOverflow = 111;

// A managed thread.
class IXCLRDataTask : public IUnknown {
 public:
  virtual void Slot3() = 0;
  virtual void Slot4() = 0;
  virtual void Slot5() = 0;
  virtual void Slot6() = 0;
  virtual void Slot7() = 0;
  virtual void Slot8() = 0;
  virtual void Slot9() = 0;
  virtual void Slot10() = 0;
  virtual HRESULT CreateStackWalk(ULONG32 flags, IXCLRDataStackWalk** walk) = 0;  // slot 11
  virtual HRESULT GetOSThreadID(ULONG32* id) = 0;  // slot 12
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~IXCLRDataTask() = default;
};
// What CLRDataCreateInstance returns.
class IXCLRDataProcess : public IUnknown {
 public:
  virtual HRESULT Flush() = 0;  // slot 3
  virtual void Slot4() = 0;
  virtual void Slot5() = 0;
  virtual void Slot6() = 0;
  virtual HRESULT GetTaskByOSThreadID(ULONG32 os_thread_id, IXCLRDataTask** task) = 0;  // slot 7
  virtual void Slot8() = 0;
  virtual void Slot9() = 0;
  virtual void Slot10() = 0;
  virtual void Slot11() = 0;
  virtual void Slot12() = 0;
  virtual void Slot13() = 0;
  virtual void Slot14() = 0;
  virtual void Slot15() = 0;
  virtual void Slot16() = 0;
  virtual void Slot17() = 0;
  virtual void Slot18() = 0;
  virtual void Slot19() = 0;
  virtual void Slot20() = 0;
  virtual void Slot21() = 0;
  virtual void Slot22() = 0;
  virtual void Slot23() = 0;
  virtual void Slot24() = 0;
  virtual void Slot25() = 0;
  virtual void Slot26() = 0;
  virtual HRESULT StartEnumMethodInstancesByAddress(CLRDATA_ADDRESS address, void* app_domain,
                                                    CLRDATA_ENUM* handle) = 0;  // slot 27
  virtual HRESULT EnumMethodInstanceByAddress(CLRDATA_ENUM* handle,
                                              IXCLRDataMethodInstance** method) = 0;  // slot 28
  virtual HRESULT EndEnumMethodInstancesByAddress(CLRDATA_ENUM handle) = 0;  // slot 29
  virtual void Slot30() = 0;
  virtual void Slot31() = 0;
  virtual void Slot32() = 0;
  virtual HRESULT Request(ULONG32 code, ULONG32 in_size, BYTE* in, ULONG32 out_size, BYTE* out) = 0;  // slot 33
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~IXCLRDataProcess() = default;
};
// A stack walk of one task.
class IXCLRDataStackWalk : public IUnknown {
 public:
  virtual HRESULT GetContext(ULONG32 flags, ULONG32 buffer_size, ULONG32* size, BYTE* buffer) = 0;  // slot 3
  virtual void Slot4() = 0;
  virtual HRESULT Next() = 0;  // slot 5
  virtual void Slot6() = 0;
  virtual void Slot7() = 0;
  virtual HRESULT GetFrame(IXCLRDataFrame** frame) = 0;  // slot 8
  virtual HRESULT Request(ULONG32 code, ULONG32 in_size, BYTE* in, ULONG32 out_size, BYTE* out) = 0;  // slot 9
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~IXCLRDataStackWalk() = default;
};
// One frame of a stack walk.
class IXCLRDataFrame : public IUnknown {
 public:
  virtual void Slot3() = 0;
  virtual void Slot4() = 0;
  virtual void Slot5() = 0;
  virtual HRESULT GetNumArguments(ULONG32* count) = 0;  // slot 6
  virtual HRESULT GetArgumentByIndex(ULONG32 index, IXCLRDataValue** value, ULONG32 name_size,
                                     ULONG32* name_needed, WCHAR* name) = 0;  // slot 7
  virtual HRESULT GetNumLocalVariables(ULONG32* count) = 0;  // slot 8
  virtual HRESULT GetLocalVariableByIndex(ULONG32 index, IXCLRDataValue** value,
                                          ULONG32 name_size, ULONG32* name_needed,
                                          WCHAR* name) = 0;  // slot 9
  virtual void Slot10() = 0;
  virtual HRESULT GetMethodInstance(IXCLRDataMethodInstance** method) = 0;  // slot 11
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~IXCLRDataFrame() = default;
};
// A method as jitted code.
class IXCLRDataMethodInstance : public IUnknown {
 public:
  virtual void Slot3() = 0;
  virtual void Slot4() = 0;
  virtual HRESULT GetTokenAndScope(uint32_t* token, IXCLRDataModule** module) = 0;  // slot 5
  virtual void Slot6() = 0;
  virtual void Slot7() = 0;
  virtual void Slot8() = 0;
  virtual void Slot9() = 0;
  virtual void Slot10() = 0;
  virtual void Slot11() = 0;
  virtual HRESULT GetILOffsetsByAddress(CLRDATA_ADDRESS address, ULONG32 count, ULONG32* needed, ULONG32* offsets) = 0;  // slot 12
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~IXCLRDataMethodInstance() = default;
};
// A loaded module.
class IXCLRDataModule : public IUnknown {
 public:
  virtual void Slot3() = 0;
  virtual void Slot4() = 0;
  virtual void Slot5() = 0;
  virtual void Slot6() = 0;
  virtual void Slot7() = 0;
  virtual void Slot8() = 0;
  virtual void Slot9() = 0;
  virtual void Slot10() = 0;
  virtual void Slot11() = 0;
  virtual void Slot12() = 0;
  virtual void Slot13() = 0;
  virtual void Slot14() = 0;
  virtual void Slot15() = 0;
  virtual void Slot16() = 0;
  virtual void Slot17() = 0;
  virtual void Slot18() = 0;
  virtual void Slot19() = 0;
  virtual void Slot20() = 0;
  virtual void Slot21() = 0;
  virtual void Slot22() = 0;
  virtual void Slot23() = 0;
  virtual void Slot24() = 0;
  virtual void Slot25() = 0;
  virtual void Slot26() = 0;
  virtual void Slot27() = 0;
  virtual void Slot28() = 0;
  virtual void Slot29() = 0;
  virtual HRESULT GetFileName(ULONG32 count, ULONG32* needed, WCHAR* name) = 0;  // slot 30
  virtual void Slot31() = 0;
  virtual void Slot32() = 0;
  virtual void Slot33() = 0;
  virtual void Slot34() = 0;
  virtual void Slot35() = 0;
  virtual HRESULT Request(ULONG32 code, ULONG32 in_size, BYTE* in, ULONG32 out_size,
                          BYTE* out) = 0;  // slot 36
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~IXCLRDataModule() = default;
};
// A value the runtime can describe: here a frame's parameter or local.
class IXCLRDataValue : public IUnknown {
 public:
  virtual void Slot3() = 0;
  virtual void Slot4() = 0;
  virtual void Slot5() = 0;
  virtual HRESULT GetBytes(ULONG32 size, ULONG32* needed, BYTE* buffer) = 0;  // slot 6
  virtual void Slot7() = 0;
  virtual void Slot8() = 0;
  virtual void Slot9() = 0;
  virtual void Slot10() = 0;
  virtual void Slot11() = 0;
  virtual void Slot12() = 0;
  virtual void Slot13() = 0;
  virtual void Slot14() = 0;
  virtual void Slot15() = 0;
  virtual void Slot16() = 0;
  virtual void Slot17() = 0;
  virtual void Slot18() = 0;
  virtual void Slot19() = 0;
  virtual void Slot20() = 0;
  virtual void Slot21() = 0;
  virtual void Slot22() = 0;
  virtual void Slot23() = 0;
  virtual void Slot24() = 0;
  virtual void Slot25() = 0;
  virtual void Slot26() = 0;
  virtual void Slot27() = 0;
  virtual HRESULT GetNumLocations(ULONG32* count) = 0;  // slot 28
  virtual HRESULT GetLocationByIndex(ULONG32 index, ULONG32* flags,
                                     CLRDATA_ADDRESS* address) = 0;  // slot 29
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~IXCLRDataValue() = default;
};
}  // namespace clrdump::runtime::dac
