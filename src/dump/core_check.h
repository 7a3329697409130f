// A structural check of an ELF core file: the evidence `collect` needs
// before it may say "Complete". It opens the file with the same reader
// `analyze` uses, so both accept exactly the same dumps.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"

namespace clrdump::dump {

struct CoreSummary {
  uint64_t file_size = 0;
  uint64_t thread_count = 0;   // NT_PRSTATUS notes
  uint64_t load_segments = 0;  // PT_LOAD headers
};

// Fails with kNotFound (no file), kIo, or kMalformedInput naming the offset
// and size at fault: not an x86-64 ELF core, no NT_PRSTATUS note, or a
// segment that extends past the end of the file.
Result<CoreSummary> CheckElfCore(const std::string& path);

}  // namespace clrdump::dump
