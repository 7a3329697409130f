#include "runtime/dac/data_target.h"

#include <algorithm>
#include <cstring>

#include "base/mapped_file.h"
#include "base/strings.h"
#include "dump/pe_image.h"

namespace clrdump::runtime::dac {
namespace {

constexpr ULONG32 kMachineAmd64 = 0x8664;
constexpr uint32_t kContextAmd64 = 0x100000;
constexpr uint32_t kContextControlIntegerSegments = kContextAmd64 | 0x7;
constexpr uint32_t kContextFloatingPoint = kContextAmd64 | 0x8;

template <typename T>
void Put(BYTE* context, ULONG32 size, uint32_t offset, T value) {
  if (offset + sizeof(T) <= size) std::memcpy(context + offset, &value, sizeof(T));
}

std::string Utf8(const WCHAR* text) {
  std::u16string_view view;
  if (text) view = text;
  return Utf16ToUtf8(view);
}

}  // namespace

void FillContext(const dump::CoreThread& t, BYTE* context, ULONG32 size) {
  std::memset(context, 0, size);
  const auto& r = t.regs;
  uint32_t flags = kContextControlIntegerSegments;
  if (t.fxsave) {
    flags |= kContextFloatingPoint;
    uint32_t mxcsr = 0;
    std::memcpy(&mxcsr, t.fxsave->data() + 24, sizeof mxcsr);
    Put(context, size, 0x34, mxcsr);
    if (0x100 + t.fxsave->size() <= size) std::memcpy(context + 0x100, t.fxsave->data(), 512);
  }
  Put(context, size, 0x30, flags);
  const uint64_t segments[] = {r.cs, r.ds, r.es, r.fs, r.gs, r.ss};
  for (uint32_t i = 0; i < 6; ++i) {
    Put(context, size, 0x38 + 2 * i, static_cast<uint16_t>(segments[i]));
  }
  Put(context, size, 0x44, static_cast<uint32_t>(r.eflags));
  const uint64_t integers[] = {r.rax, r.rcx, r.rdx, r.rbx, r.rsp, r.rbp, r.rsi, r.rdi,
                               r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15};
  for (uint32_t i = 0; i < 16; ++i) Put(context, size, 0x78 + 8 * i, integers[i]);
  Put(context, size, 0xF8, r.rip);
}

dump::X64Registers ContextRegisters(const BYTE* context) {
  auto get64 = [context](uint32_t offset) {
    uint64_t v = 0;
    std::memcpy(&v, context + offset, sizeof v);
    return v;
  };
  auto get16 = [context](uint32_t offset) {
    uint16_t v = 0;
    std::memcpy(&v, context + offset, sizeof v);
    return uint64_t{v};
  };
  dump::X64Registers r{};
  uint64_t* integers[] = {&r.rax, &r.rcx, &r.rdx, &r.rbx, &r.rsp, &r.rbp, &r.rsi, &r.rdi,
                          &r.r8,  &r.r9,  &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15};
  for (uint32_t i = 0; i < 16; ++i) *integers[i] = get64(0x78 + 8 * i);
  uint64_t* segments[] = {&r.cs, &r.ds, &r.es, &r.fs, &r.gs, &r.ss};
  for (uint32_t i = 0; i < 6; ++i) *segments[i] = get16(0x38 + 2 * i);
  uint32_t eflags = 0;
  std::memcpy(&eflags, context + 0x44, sizeof eflags);
  r.eflags = eflags;
  r.rip = get64(0xF8);
  return r;
}

DataTarget::DataTarget(const dump::ElfCore& core, const dump::ProcessMemory& memory,
                       uint64_t runtime_base)
    : core_(core), memory_(memory), runtime_base_(runtime_base) {}

HRESULT DataTarget::QueryInterface(const Guid* iid, void** out) {
  if (!iid || !out) return kE_INVALIDARG;
  *out = nullptr;
  if (*iid == kIID_IUnknown || *iid == kIID_ICLRDataTarget || *iid == kIID_ICLRDataTarget2) {
    *out = static_cast<ICLRDataTarget2*>(this);
  } else if (*iid == kIID_ICLRMetadataLocator) {
    *out = static_cast<ICLRMetadataLocator*>(this);
  } else if (*iid == kIID_ICLRRuntimeLocator && runtime_base_ != 0) {
    *out = static_cast<ICLRRuntimeLocator*>(this);
  } else {
    return kE_NOINTERFACE;
  }
  AddRef();
  return kS_OK;
}

ULONG DataTarget::Release() {
  // Never deletes: the runtime model owns this object and outlives the DAC.
  const ULONG left = --refs_;
  return left;
}

HRESULT DataTarget::GetMachineType(ULONG32* machine) {
  *machine = kMachineAmd64;
  return kS_OK;
}

HRESULT DataTarget::GetPointerSize(ULONG32* size) {
  *size = 8;
  return kS_OK;
}

HRESULT DataTarget::GetImageBase(const WCHAR* image_path, CLRDATA_ADDRESS* base) {
  const std::string wanted = AsciiLower(FileNameOf(Utf8(image_path)));
  for (const auto& f : core_.files()) {
    if (f.file_offset == 0 && AsciiLower(FileNameOf(f.path)) == wanted) {
      *base = f.start;
      return kS_OK;
    }
  }
  return kE_FAIL;
}

HRESULT DataTarget::ReadVirtual(CLRDATA_ADDRESS address, BYTE* buffer, ULONG32 requested,
                                ULONG32* done) {
  const size_t n = memory_.Read(address, {buffer, requested});
  if (done) *done = static_cast<ULONG32>(n);
  // Partial reads succeed: the DAC reads strings in blocks that may run
  // past the end of readable memory.
  return n > 0 || requested == 0 ? kS_OK : kE_FAIL;
}

HRESULT DataTarget::GetThreadContext(ULONG32 thread, ULONG32 /*flags*/, ULONG32 size,
                                     BYTE* context) {
  for (const auto& t : core_.threads()) {
    if (t.tid == thread) {
      FillContext(t, context, std::min(size, kContextSize));
      return kS_OK;
    }
  }
  return kE_FAIL;
}

HRESULT DataTarget::GetMetadata(const WCHAR* image_path, ULONG32 timestamp, ULONG32 image_size,
                                Guid* /*mvid*/, ULONG32 /*md_rva*/, ULONG32 /*flags*/,
                                ULONG32 buffer_size, BYTE* buffer, ULONG32* data_size) {
  auto file = MappedFile::Open(Utf8(image_path));
  if (!file) return kE_FAIL;
  auto pe = dump::PeFile::Parse(file->bytes(), file->path());
  // The file must be the build the dump loaded.
  if (!pe || pe->headers().timestamp != timestamp || pe->headers().size_of_image != image_size) {
    return kE_FAIL;
  }
  auto metadata = pe->Metadata();
  if (!metadata) return kE_FAIL;
  const size_t n = std::min<size_t>(buffer_size, metadata->size());
  std::memcpy(buffer, metadata->data(), n);
  if (data_size) *data_size = static_cast<ULONG32>(n);
  return kS_OK;
}

HRESULT DataTarget::GetRuntimeBase(CLRDATA_ADDRESS* base) {
  *base = runtime_base_;
  return runtime_base_ ? kS_OK : kE_FAIL;
}

}  // namespace clrdump::runtime::dac
