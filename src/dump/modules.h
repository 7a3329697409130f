// The module list of a core, derived from NT_FILE the way dotnet-dump
// (ClrMD) derives it, so `modules` lists the same rows with the same bases
// and sizes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dump/elf_core.h"

namespace clrdump::dump {

enum class ImageKind { kElf, kPe };

struct Module {
  uint64_t base = 0;
  // ELF: the span of its file mappings; PE: SizeOfImage; then clamped so
  // it does not run into the next module.
  uint64_t size = 0;
  std::string path;  // as recorded, without a " (deleted)" suffix
  ImageKind kind = ImageKind::kElf;
};

// Modules by ascending base. Excludes the dynamic loader (AT_BASE), /dev
// mappings, and files that are neither ELF nor PE images in memory.
std::vector<Module> EnumerateModules(const ElfCore& core);

}  // namespace clrdump::dump
