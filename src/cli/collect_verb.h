// `clrdump collect`: asks a runtime to write a dump of itself, then checks
// that the file really is a complete ELF core before reporting success.
#pragma once

#include <sys/types.h>

#include <optional>
#include <ostream>
#include <string>

#include "base/result.h"
#include "ipc/protocol.h"

namespace clrdump::cli {

struct CollectOptions {
  std::optional<long long> pid;
  std::optional<std::string> name;
  std::optional<std::string> output;
  std::optional<std::string> diagnostic_port;
  ipc::DumpType type = ipc::DumpType::kFull;
  bool diag = false;
  bool crash_report = false;
};

// "full", "heap", "mini", "triage" in any case.
std::optional<ipc::DumpType> ParseDumpType(const std::string& text);

// dotnet-dump's exit codes: 0, or 255 (its `return -1`).
int RunCollect(const CollectOptions& options, std::ostream& out, std::ostream& err);

}  // namespace clrdump::cli
