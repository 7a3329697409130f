#include "dump/core_check.h"

#include "dump/elf_core.h"

namespace clrdump::dump {

Result<CoreSummary> CheckElfCore(const std::string& path) {
  auto core = ElfCore::Open(path);
  if (!core) return core.error();
  return CoreSummary{(*core)->file_size(), (*core)->threads().size(),
                     (*core)->segments().size()};
}

}  // namespace clrdump::dump
