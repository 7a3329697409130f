// libFuzzer target: the ELF core reader must reject or accept any bytes
// without crashing, reading out of bounds, or allocating without limit;
// an accepted core must also survive module enumeration and memory reads.
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "dump/core_check.h"
#include "dump/elf_core.h"
#include "dump/modules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = ::memfd_create("core", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, data, size) == static_cast<ssize_t>(size)) {
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    (void)clrdump::dump::CheckElfCore(path);
    if (auto core = clrdump::dump::ElfCore::Open(path)) {
      (void)clrdump::dump::EnumerateModules(**core);
      std::array<uint8_t, 4096> buffer{};
      for (const auto& segment : (*core)->segments()) {
        (void)(*core)->Read(segment.vaddr, buffer);
        (void)(*core)->Read(segment.vaddr + segment.memsz - 1, buffer, false);
      }
    }
  }
  ::close(fd);
  return 0;
}
