#include "cli/analyze_verb.h"

#include <sys/stat.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "commands/families.h"
#include "commands/target.h"
#include "dump/elf_core.h"
#include "repl/ascii_filter.h"
#include "repl/repl.h"
#include "repl/session.h"

namespace clrdump::cli {
namespace {

// createdump adds a fake region holding this signature; dumps without it
// (kernel cores, gdb) usually lack memory SOS needs.
constexpr uint64_t kDiagInfoAddress = 0x00007ffffff10000;
constexpr char kDiagInfoSignature[] = "DIAGINFOHEADER";

bool HasDiagInfo(const dump::ElfCore& core) {
  std::array<uint8_t, sizeof kDiagInfoSignature - 1> bytes{};
  return core.Read(kDiagInfoAddress, bytes) == bytes.size() &&
         std::memcmp(bytes.data(), kDiagInfoSignature, bytes.size()) == 0;
}

std::string HistoryPath() {
  const char* home = std::getenv("HOME");
  if (!home || !*home) return {};
  const std::string dir = std::string(home) + "/.dotnet";
  ::mkdir(dir.c_str(), 0700);
  return dir + "/clrdump.history";
}

}  // namespace

int RunAnalyze(const AnalyzeOptions& options, const Terminal& terminal, std::ostream& raw_out,
               std::ostream& err) {
  struct stat st {};
  if (::stat(options.dump_path.c_str(), &st) != 0) {
    err << "File does not exist: '" << options.dump_path << "'.\n";
    return 1;
  }
  repl::AsciiFilterStream out(raw_out);
  out << "Loading core dump: " << options.dump_path << " ...\n";
  out.flush();
  auto core = dump::ElfCore::Open(options.dump_path);
  if (!core) {
    out << core.error().message << "\n";
    return 1;
  }
  if (!HasDiagInfo(**core)) {
    out << "WARNING: This dump doesn't contain memory the .NET runtime's dump functionality "
           "usually adds. System dumps may be missing memory regions required by SOS commands. "
           "For best results, collect dumps using the appropriate tool for your scenario:  "
           "https://aka.ms/dotnet-dump-collection\n";
  }
  repl::Session session(cmd::Target(std::move(*core)), cmd::AllCommands());
  for (const auto& command : options.commands) {
    const repl::ExecResult result = session.Execute(command, out);
    if (result.outcome == repl::Outcome::kExit) return 0;
    if (result.outcome == repl::Outcome::kError) {
      repl::PrintBatchError(result, out);
      out.flush();
      return 1;
    }
  }
  // Like dotnet-dump: `analyze d -c cmd > file` runs the commands and stops.
  if (terminal.stdout_is_terminal || !terminal.stdin_is_terminal) {
    if (terminal.stdin_is_terminal) {
      repl::RunInteractive(session, out, HistoryPath());
    } else {
      repl::RunRedirected(session, std::cin, out);
    }
  }
  out.flush();
  return 0;
}

}  // namespace clrdump::cli
