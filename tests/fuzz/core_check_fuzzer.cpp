// libFuzzer target: CheckElfCore must reject or accept any bytes without
// crashing, reading out of bounds, or allocating without limit.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "dump/core_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = ::memfd_create("core", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, data, size) == static_cast<ssize_t>(size)) {
    auto result = clrdump::dump::CheckElfCore("/proc/self/fd/" + std::to_string(fd));
    (void)result;
  }
  ::close(fd);
  return 0;
}
