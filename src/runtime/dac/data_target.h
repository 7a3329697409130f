// The data target the DAC reads the dump through: memory (core plus
// matching module files), thread contexts from NT_PRSTATUS in the Windows
// AMD64 CONTEXT layout the DAC expects, image bases, the runtime base, and
// metadata of assemblies whose pages the dump lacks.
#pragma once

#include <atomic>
#include <cstdint>

#include "dump/elf_core.h"
#include "dump/process_memory.h"
#include "runtime/dac/com.h"

namespace clrdump::runtime::dac {

inline constexpr ULONG32 kContextSize = 0x4D0;

// Fills a CONTEXT (kContextSize bytes) from a thread's registers.
void FillContext(const dump::CoreThread& thread, BYTE* context, ULONG32 size);
// The integer, control and segment registers of a CONTEXT.
dump::X64Registers ContextRegisters(const BYTE* context);

class DataTarget final : public ICLRDataTarget2,
                         public ICLRMetadataLocator,
                         public ICLRRuntimeLocator {
 public:
  DataTarget(const dump::ElfCore& core, const dump::ProcessMemory& memory, uint64_t runtime_base);

  // IUnknown (one identity; the metadata and runtime locators forward here).
  HRESULT QueryInterface(const Guid* iid, void** out) override;
  ULONG AddRef() override { return ++refs_; }
  ULONG Release() override;

  // ICLRDataTarget / ICLRDataTarget2
  HRESULT GetMachineType(ULONG32* machine) override;
  HRESULT GetPointerSize(ULONG32* size) override;
  HRESULT GetImageBase(const WCHAR* image_path, CLRDATA_ADDRESS* base) override;
  HRESULT ReadVirtual(CLRDATA_ADDRESS address, BYTE* buffer, ULONG32 requested,
                      ULONG32* done) override;
  HRESULT WriteVirtual(CLRDATA_ADDRESS, BYTE*, ULONG32, ULONG32*) override { return kE_NOTIMPL; }
  HRESULT GetTLSValue(ULONG32, ULONG32, CLRDATA_ADDRESS*) override { return kE_NOTIMPL; }
  HRESULT SetTLSValue(ULONG32, ULONG32, CLRDATA_ADDRESS) override { return kE_NOTIMPL; }
  HRESULT GetCurrentThreadID(ULONG32*) override { return kE_NOTIMPL; }
  HRESULT GetThreadContext(ULONG32 thread, ULONG32 flags, ULONG32 size, BYTE* context) override;
  HRESULT SetThreadContext(ULONG32, ULONG32, BYTE*) override { return kE_NOTIMPL; }
  HRESULT Request(ULONG32, ULONG32, BYTE*, ULONG32, BYTE*) override { return kE_NOTIMPL; }
  HRESULT AllocVirtual(CLRDATA_ADDRESS, ULONG32, ULONG32, ULONG32, CLRDATA_ADDRESS*) override {
    return kE_NOTIMPL;
  }
  HRESULT FreeVirtual(CLRDATA_ADDRESS, ULONG32, ULONG32) override { return kE_NOTIMPL; }

  // ICLRMetadataLocator
  HRESULT GetMetadata(const WCHAR* image_path, ULONG32 timestamp, ULONG32 image_size, Guid* mvid,
                      ULONG32 md_rva, ULONG32 flags, ULONG32 buffer_size, BYTE* buffer,
                      ULONG32* data_size) override;

  // ICLRRuntimeLocator
  HRESULT GetRuntimeBase(CLRDATA_ADDRESS* base) override;

 private:
  const dump::ElfCore& core_;
  const dump::ProcessMemory& memory_;
  uint64_t runtime_base_;
  // The host owns the object; the DAC's references only keep it from
  // being freed early, so the count starts at one.
  std::atomic<ULONG> refs_{1};
};

}  // namespace clrdump::runtime::dac
