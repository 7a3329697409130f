// `clrdump analyze <dump> [-c <command>]...`: opens an ELF core and runs
// SOS-style commands, from -c and then from the REPL, as dotnet-dump does.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace clrdump::cli {

struct AnalyzeOptions {
  std::string dump_path;
  std::vector<std::string> commands;
};

struct Terminal {
  bool stdin_is_terminal = false;
  bool stdout_is_terminal = false;
};

// 0, or 1 when the dump cannot be opened or a -c command fails.
int RunAnalyze(const AnalyzeOptions& options, const Terminal& terminal, std::ostream& out,
               std::ostream& err);

}  // namespace clrdump::cli
