// Objects, strings, exceptions and methods through ISOSDacInterface(2).
#include <fmt/format.h>

#include "runtime/dac/dac_runtime.h"

namespace clrdump::runtime::dac {
namespace {

// SOS refuses strings longer than this; so do we.
constexpr uint32_t kMaxStringLength = 0x200000;

}  // namespace

Result<ObjectInfo> DacRuntime::GetObject(uint64_t address) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpObjectData d{};
  if (HRESULT hr = sos_->GetObjectData(address, &d); hr < 0) return DacError("GetObjectData", hr);
  return ObjectInfo{d.MethodTable,     d.Size,         d.dwNumComponents,
                    d.dwComponentSize, d.ArrayDataPtr, d.ElementTypeHandle};
}

Result<uint64_t> DacRuntime::GetParentMethodTable(uint64_t method_table) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpMethodTableData d{};
  if (HRESULT hr = sos_->GetMethodTableData(method_table, &d); hr < 0) {
    return DacError("GetMethodTableData", hr);
  }
  return d.ParentMethodTable;
}

Result<UsefulGlobals> DacRuntime::GetUsefulGlobals() {
  std::lock_guard<std::mutex> lock(mutex_);
  // These MethodTables never change in a dump: asked once, then kept.
  if (useful_globals_) return *useful_globals_;
  DacpUsefulGlobalsData d{};
  if (HRESULT hr = sos_->GetUsefulGlobals(&d); hr < 0) return DacError("GetUsefulGlobals", hr);
  useful_globals_ = UsefulGlobals{d.ArrayMethodTable, d.StringMethodTable, d.ObjectMethodTable,
                                  d.ExceptionMethodTable, d.FreeMethodTable};
  return *useful_globals_;
}

Result<std::string> DacRuntime::GetStringContents(uint64_t address) {
  // A string object is {MethodTable*, int32 length, chars...}.
  uint32_t length = 0;
  ULONG32 done = 0;
  if (target_.ReadVirtual(address + 8, reinterpret_cast<BYTE*>(&length), sizeof length, &done) !=
          kS_OK ||
      done != sizeof length) {
    return MakeError(ErrorCode::kNotFound, fmt::format("cannot read string at {:#x}", address));
  }
  if (length > kMaxStringLength) {
    return MakeError(ErrorCode::kMalformedInput,
                     fmt::format("string at {:#x} claims {} characters", address, length));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::u16string text(length + 1, u'\0');
  unsigned int needed = 0;
  if (HRESULT hr = sos_->GetObjectStringData(address, length + 1, text.data(), &needed); hr < 0) {
    return DacError("GetObjectStringData", hr);
  }
  text.resize(std::char_traits<char16_t>::length(text.c_str()));
  return Utf16ToUtf8(text);
}

Result<ExceptionInfo> DacRuntime::GetException(uint64_t address) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!sos2_) return MakeError(ErrorCode::kUnsupported, "the DAC has no ISOSDacInterface2");
  DacpExceptionObjectData d{};
  if (HRESULT hr = sos2_->GetObjectExceptionData(address, &d); hr < 0) {
    return DacError("GetObjectExceptionData", hr);
  }
  return ExceptionInfo{d.Message, d.InnerException, d.StackTrace, d.StackTraceString,
                       static_cast<uint32_t>(d.HResult), static_cast<uint32_t>(d.XCode)};
}

Result<NestedException> DacRuntime::GetNestedException(uint64_t nested) {
  std::lock_guard<std::mutex> lock(mutex_);
  CLRDATA_ADDRESS object = 0, next = 0;
  if (HRESULT hr = sos_->GetNestedExceptionData(nested, &object, &next); hr < 0) {
    return DacError("GetNestedExceptionData", hr);
  }
  return NestedException{object, next};
}

Result<MethodInfo> DacRuntime::GetMethod(uint64_t method_desc) {
  std::lock_guard<std::mutex> lock(mutex_);
  DacpMethodDescData d{};
  if (HRESULT hr = sos_->GetMethodDescData(method_desc, 0, &d, 0, nullptr, nullptr); hr < 0) {
    return DacError("GetMethodDescData", hr);
  }
  MethodInfo info{d.NativeCodeAddr, d.ModulePtr, d.MDToken, MethodDescName(method_desc), 0, {}};
  DacpModuleData module{};
  CLRDATA_ADDRESS base = 0;
  if (sos_->GetModuleData(d.ModulePtr, &module) >= 0) {
    if (sos_->GetPEFileBase(module.PEAssembly, &base) >= 0) info.module_image_base = base;
    // Asked with a real buffer: the DAC writes to it even when sizing.
    std::u16string name(1024, u'\0');
    unsigned int needed = 0;
    if (sos_->GetPEFileName(module.PEAssembly, static_cast<unsigned int>(name.size()),
                            name.data(), &needed) >= 0) {
      name.resize(std::char_traits<char16_t>::length(name.c_str()));
      info.module_file = Utf16ToUtf8(name);
    }
  }
  return info;
}

std::optional<CodeLocation> DacRuntime::LocateCode(uint64_t ip) {
  std::lock_guard<std::mutex> lock(mutex_);
  CLRDATA_ENUM handle = 0;
  if (process_->StartEnumMethodInstancesByAddress(ip, nullptr, &handle) != kS_OK) {
    return std::nullopt;
  }
  IXCLRDataMethodInstance* method = nullptr;
  std::optional<CodeLocation> location;
  if (process_->EnumMethodInstanceByAddress(&handle, &method) == kS_OK && method) {
    location = CodeLocation{};
    location->il_offset = IlOffset(*method, ip);
    IXCLRDataModule* module = nullptr;
    uint32_t token = 0;
    if (method->GetTokenAndScope(&token, &module) >= 0 && module) {
      location->method_token = token;
      location->module_path = ModuleFileName(*module);
      module->Release();
    }
    method->Release();
  }
  process_->EndEnumMethodInstancesByAddress(handle);
  return location;
}

}  // namespace clrdump::runtime::dac
