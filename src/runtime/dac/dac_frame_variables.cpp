// A managed frame's parameters and locals through IXCLRDataFrame and
// IXCLRDataValue.
#include <algorithm>

#include "runtime/dac/dac_runtime.h"

namespace clrdump::runtime::dac {
namespace {

// SOS's name buffer, in UTF-16 units.
constexpr ULONG32 kNameBufferSize = 2048;
// A corrupt frame must not make us ask for millions of values.
constexpr uint32_t kMaxVariables = 1 << 16;
// No parameter or local is this large; a larger answer is corrupt data.
constexpr ULONG32 kMaxValueSize = 1 << 20;

}  // namespace

FrameVariables DacRuntime::ReadParameters(IXCLRDataFrame& frame) {
  FrameVariables result;
  ULONG32 count = 0;
  if (frame.GetNumArguments(&count) < 0) return result;
  result.count = count;
  // One buffer for the whole frame: the runtime leaves it untouched for a
  // parameter without a name, and SOS then prints the previous name.
  std::u16string name(kNameBufferSize, u'\0');
  for (ULONG32 i = 0; i < std::min(count, kMaxVariables); ++i) {
    IXCLRDataValue* value = nullptr;
    ULONG32 needed = 0;
    if (frame.GetArgumentByIndex(i, &value, kNameBufferSize, &needed, name.data()) < 0 ||
        !value) {
      break;
    }
    FrameVariable v = ReadVariable(*value);
    value->Release();
    name.back() = u'\0';
    v.name = Utf16ToUtf8(std::u16string_view(name.c_str()));
    result.items.push_back(std::move(v));
  }
  return result;
}

FrameVariables DacRuntime::ReadLocals(IXCLRDataFrame& frame) {
  FrameVariables result;
  ULONG32 count = 0;
  if (frame.GetNumLocalVariables(&count) < 0) return result;
  result.count = count;
  // The runtime has no local names; it only clears the buffer.
  std::u16string name(kNameBufferSize, u'\0');
  for (ULONG32 i = 0; i < std::min(count, kMaxVariables); ++i) {
    IXCLRDataValue* value = nullptr;
    if (frame.GetLocalVariableByIndex(i, &value, kNameBufferSize, nullptr, name.data()) < 0 ||
        !value) {
      break;
    }
    result.items.push_back(ReadVariable(*value));
    value->Release();
  }
  return result;
}

FrameVariable DacRuntime::ReadVariable(IXCLRDataValue& value) {
  FrameVariable v;
  ULONG32 locations = 0;
  if (value.GetNumLocations(&locations) >= 0 && locations == 1) {
    v.single_location = true;
    ULONG32 flags = 0;
    CLRDATA_ADDRESS address = 0;
    if (value.GetLocationByIndex(0, &flags, &address) >= 0) {
      v.location = VariableLocation{flags == kValueLocationRegister, address};
    }
  }
  // The runtime answers an empty buffer with "buffer overflow" and the size
  // when it has bytes to give; anything else means it has none.
  ULONG32 size = 0;
  const HRESULT probe = value.GetBytes(0, &size, nullptr);
  if ((static_cast<uint32_t>(probe) & 0xFFFF) != kWin32BufferOverflow) return v;
  if (size > kMaxValueSize) {
    v.data = FrameVariable::Data::kUnreadable;
    return v;
  }
  v.bytes.assign(size, 0);
  ULONG32 read = 0;
  if (value.GetBytes(size, &read, v.bytes.data()) < 0) {
    v.bytes.clear();
    v.data = FrameVariable::Data::kUnreadable;
    return v;
  }
  v.bytes.resize(std::min(read, size));
  v.data = FrameVariable::Data::kRead;
  return v;
}

}  // namespace clrdump::runtime::dac
