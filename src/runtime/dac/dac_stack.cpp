// Managed stack walks through IXCLRDataStackWalk.
#include <array>

#include <fmt/format.h>

#include "runtime/dac/dac_runtime.h"

namespace clrdump::runtime::dac {

Result<std::vector<StackFrame>> DacRuntime::WalkStack(uint32_t os_thread_id,
                                                      const StackWalkOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  IXCLRDataTask* task = nullptr;
  if (HRESULT hr = process_->GetTaskByOSThreadID(os_thread_id, &task); hr < 0 || !task) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("thread {:#x} is not a managed thread", os_thread_id));
  }
  IXCLRDataStackWalk* walk = nullptr;
  HRESULT hr = task->CreateStackWalk(kStackWalkAllFrames, &walk);
  task->Release();
  if (hr < 0 || !walk) return DacError("CreateStackWalk", hr);
  std::vector<StackFrame> frames;
  // A corrupt stack must not loop forever.
  constexpr size_t kMaxFrames = 100000;
  while (frames.size() < kMaxFrames) {
    auto frame = CurrentFrame(*walk, options);
    if (!frame) break;
    frames.push_back(std::move(*frame));
    if (walk->Next() != kS_OK) break;
  }
  walk->Release();
  return frames;
}

std::optional<StackFrame> DacRuntime::CurrentFrame(IXCLRDataStackWalk& walk,
                                                   const StackWalkOptions& options) {
  std::array<uint8_t, kContextSize> context{};
  ULONG32 size = 0;
  constexpr ULONG32 kContextAll = 0x10001F;
  if (walk.GetContext(kContextAll, kContextSize, &size, context.data()) != kS_OK) {
    return std::nullopt;
  }
  StackFrame f;
  f.registers = ContextRegisters(context.data());
  f.ip = f.registers.rip;
  f.sp = f.registers.rsp;
  uint64_t frame_address = 0;
  if (walk.Request(kStackWalkRequestFrameData, 0, nullptr, sizeof frame_address,
                   reinterpret_cast<uint8_t*>(&frame_address)) == kS_OK) {
    f.frame_address = frame_address;
  }
  if (f.frame_address != 0) {
    f.frame_name = FrameName(f.frame_address);
    CLRDATA_ADDRESS md = 0;
    if (sos_->GetMethodDescPtrFromFrame(f.frame_address, &md) >= 0) f.method_desc = md;
  } else {
    CLRDATA_ADDRESS md = 0;
    if (sos_->GetMethodDescPtrFromIP(f.ip, &md) >= 0) f.method_desc = md;
  }
  IXCLRDataFrame* frame = nullptr;
  if (f.frame_address == 0 && walk.GetFrame(&frame) >= 0 && frame) {
    AddSourceFacts(*frame, f);
    if (options.parameters) f.parameters = ReadParameters(*frame);
    if (options.locals) f.locals = ReadLocals(*frame);
    frame->Release();
  }
  if (f.method_desc != 0) {
    f.method_name = MethodDescName(f.method_desc);
    DacpMethodDescData data{};
    if (sos_->GetMethodDescData(f.method_desc, f.ip, &data, 0, nullptr, nullptr) >= 0) {
      f.native_code = data.NativeCodeAddr;
    }
  }
  return f;
}

void DacRuntime::AddSourceFacts(IXCLRDataFrame& frame, StackFrame& f) {
  IXCLRDataMethodInstance* method = nullptr;
  if (frame.GetMethodInstance(&method) < 0 || !method) return;
  f.il_offset = IlOffset(*method, f.ip);
  f.il_offset_before = IlOffset(*method, f.ip - 1);
  IXCLRDataModule* module = nullptr;
  uint32_t token = 0;
  if (method->GetTokenAndScope(&token, &module) >= 0 && module) {
    f.method_token = token;
    f.module_path = ModuleFileName(*module);
    module->Release();
  }
  method->Release();
}

std::string DacRuntime::ModuleFileName(IXCLRDataModule& module) {
  std::u16string name(1024, u'\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    ULONG32 needed = 0;
    const auto size = static_cast<ULONG32>(name.size());
    if (module.GetFileName(size, &needed, name.data()) < 0) return {};
    if (needed <= size) {
      name.resize(std::char_traits<char16_t>::length(name.c_str()));
      return Utf16ToUtf8(name);
    }
    if (needed > kMaxName) return {};
    name.assign(needed, u'\0');
  }
  return {};
}

std::optional<uint32_t> DacRuntime::IlOffset(IXCLRDataMethodInstance& method, uint64_t ip) {
  ULONG32 needed = 0;
  ULONG32 offset = 0;
  if (method.GetILOffsetsByAddress(ip, 1, &needed, &offset) < 0 || needed == 0) {
    return std::nullopt;
  }
  return offset;
}

std::string DacRuntime::FrameName(uint64_t frame_address) {
  uint64_t identifier = 0;
  ULONG32 done = 0;
  if (target_.ReadVirtual(frame_address, reinterpret_cast<uint8_t*>(&identifier),
                          sizeof identifier, &done) != kS_OK ||
      done != sizeof identifier) {
    return {};
  }
  return ReadDacString([&](unsigned int count, WCHAR* buffer, unsigned int* needed) {
    return sos_->GetFrameName(identifier, count, buffer, needed);
  });
}

std::string DacRuntime::MethodDescName(uint64_t md) {
  return ReadDacString([&](unsigned int count, WCHAR* buffer, unsigned int* needed) {
    return sos_->GetMethodDescName(md, count, buffer, needed);
  });
}

}  // namespace clrdump::runtime::dac
