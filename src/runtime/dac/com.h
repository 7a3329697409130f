// COM-style ABI of the .NET DAC on Linux x64, declared from the published
// IDL facts (clrdata.idl, xclrdata.idl, sospriv.idl): plain SysV calls,
// vtables in IDL order, no virtual destructors (they would add slots).
// Only runtime/dac/ may include this file.
#pragma once

#include <cstdint>
#include <cstring>

namespace clrdump::runtime::dac {

using HRESULT = int32_t;
using ULONG32 = uint32_t;
using ULONG = uint32_t;  // 32-bit under the PAL
using ULONG64 = uint64_t;
using CLRDATA_ADDRESS = uint64_t;
using CLRDATA_ENUM = uint64_t;
using WCHAR = char16_t;
using BYTE = uint8_t;

inline constexpr HRESULT kS_OK = 0;
inline constexpr HRESULT kS_FALSE = 1;
inline constexpr HRESULT kE_NOTIMPL = static_cast<HRESULT>(0x80004001);
inline constexpr HRESULT kE_NOINTERFACE = static_cast<HRESULT>(0x80004002);
inline constexpr HRESULT kE_FAIL = static_cast<HRESULT>(0x80004005);
inline constexpr HRESULT kE_INVALIDARG = static_cast<HRESULT>(0x80070057);

struct Guid {
  uint32_t data1;
  uint16_t data2;
  uint16_t data3;
  uint8_t data4[8];
  bool operator==(const Guid& o) const { return std::memcmp(this, &o, sizeof o) == 0; }
};

inline constexpr Guid kIID_IUnknown = {0x00000000, 0x0000, 0x0000,
                                       {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
inline constexpr Guid kIID_ICLRDataTarget = {0x3E11CCEE, 0xD08B, 0x43e5,
                                             {0xAF, 0x01, 0x32, 0x71, 0x7A, 0x64, 0xDA, 0x03}};
inline constexpr Guid kIID_ICLRDataTarget2 = {0x6d05fae3, 0x189c, 0x4630,
                                              {0xa6, 0xdc, 0x1c, 0x25, 0x1e, 0x1c, 0x01, 0xab}};
inline constexpr Guid kIID_ICLRMetadataLocator = {
    0xaa8fa804, 0xbc05, 0x4642, {0xb2, 0xc5, 0xc3, 0x53, 0xed, 0x22, 0xfc, 0x63}};
inline constexpr Guid kIID_ICLRRuntimeLocator = {
    0xb760bf44, 0x9377, 0x4597, {0x8b, 0xe7, 0x58, 0x08, 0x3b, 0xdc, 0x51, 0x46}};

class IUnknown {
 public:
  virtual HRESULT QueryInterface(const Guid* iid, void** out) = 0;
  virtual ULONG AddRef() = 0;
  virtual ULONG Release() = 0;
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~IUnknown() = default;
};

class ICLRDataTarget : public IUnknown {
 public:
  virtual HRESULT GetMachineType(ULONG32* machine) = 0;
  virtual HRESULT GetPointerSize(ULONG32* size) = 0;
  virtual HRESULT GetImageBase(const WCHAR* image_path, CLRDATA_ADDRESS* base) = 0;
  virtual HRESULT ReadVirtual(CLRDATA_ADDRESS address, BYTE* buffer, ULONG32 requested,
                              ULONG32* done) = 0;
  virtual HRESULT WriteVirtual(CLRDATA_ADDRESS address, BYTE* buffer, ULONG32 requested,
                               ULONG32* done) = 0;
  virtual HRESULT GetTLSValue(ULONG32 thread, ULONG32 index, CLRDATA_ADDRESS* value) = 0;
  virtual HRESULT SetTLSValue(ULONG32 thread, ULONG32 index, CLRDATA_ADDRESS value) = 0;
  virtual HRESULT GetCurrentThreadID(ULONG32* thread) = 0;
  virtual HRESULT GetThreadContext(ULONG32 thread, ULONG32 flags, ULONG32 size, BYTE* context) = 0;
  virtual HRESULT SetThreadContext(ULONG32 thread, ULONG32 size, BYTE* context) = 0;
  virtual HRESULT Request(ULONG32 code, ULONG32 in_size, BYTE* in, ULONG32 out_size,
                          BYTE* out) = 0;
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ICLRDataTarget() = default;
};

class ICLRDataTarget2 : public ICLRDataTarget {
 public:
  virtual HRESULT AllocVirtual(CLRDATA_ADDRESS address, ULONG32 size, ULONG32 type_flags,
                               ULONG32 protect_flags, CLRDATA_ADDRESS* virt) = 0;
  virtual HRESULT FreeVirtual(CLRDATA_ADDRESS address, ULONG32 size, ULONG32 type_flags) = 0;
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ICLRDataTarget2() = default;
};

class ICLRMetadataLocator : public IUnknown {
 public:
  virtual HRESULT GetMetadata(const WCHAR* image_path, ULONG32 timestamp, ULONG32 image_size,
                              Guid* mvid, ULONG32 md_rva, ULONG32 flags, ULONG32 buffer_size,
                              BYTE* buffer, ULONG32* data_size) = 0;
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ICLRMetadataLocator() = default;
};

class ICLRRuntimeLocator : public IUnknown {
 public:
  virtual HRESULT GetRuntimeBase(CLRDATA_ADDRESS* base) = 0;
 protected:
  // Non-virtual: a virtual destructor would add vtable slots.
  ~ICLRRuntimeLocator() = default;
};

// A COM pointer released when it goes out of scope.
template <typename T>
class ComPtr {
 public:
  ComPtr() = default;
  ComPtr(const ComPtr&) = delete;
  ComPtr& operator=(const ComPtr&) = delete;
  ~ComPtr() {
    if (p_) p_->Release();
  }
  T** out() { return &p_; }
  void** out_void() { return reinterpret_cast<void**>(&p_); }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

}  // namespace clrdump::runtime::dac
