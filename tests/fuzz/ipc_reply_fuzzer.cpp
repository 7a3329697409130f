// libFuzzer target: the reply codec (header, then a ProcessInfo3-shaped
// payload) must fail cleanly on any bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "ipc/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  auto header = clrdump::ipc::DecodeHeader(bytes);
  if (!header || size < clrdump::ipc::kHeaderSize) return 0;
  clrdump::ipc::PayloadReader reader(bytes.subspan(clrdump::ipc::kHeaderSize));
  (void)reader.U32("version");
  (void)reader.U64("processId");
  (void)reader.Bytes("cookie", 16);
  for (int i = 0; i < 6; ++i) (void)reader.String("string");
  return 0;
}
