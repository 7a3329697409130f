// One analysis session: the target, the registered commands, and the
// dispatch of a command line (help, exit, sos/ext prefixes, errors).
#pragma once

#include <atomic>
#include <ostream>
#include <string>

#include "commands/registry.h"
#include "commands/target.h"

namespace clrdump::repl {

enum class Outcome { kOk, kError, kExit };

struct ExecResult {
  Outcome outcome = Outcome::kOk;
  std::string error;  // may be empty: a failure with nothing to say
  // Set for command-line parse errors: the REPL follows the message with
  // this command's detailed help.
  const cmd::CommandSpec* usage_of = nullptr;
};

// How dotnet-dump reports a failure: in the REPL as "ERROR: <message>"
// (plus usage help after a parse error), for a -c command as the bare
// message.
void PrintReplError(const ExecResult& result, std::ostream& out);
void PrintBatchError(const ExecResult& result, std::ostream& out);

class Session {
 public:
  Session(cmd::Target target, cmd::Registry registry);

  // Runs one command line, writing its output to `out`; errors are
  // returned for the caller to print. Empty lines do nothing.
  ExecResult Execute(const std::string& line, std::ostream& out);
  const cmd::Registry& registry() const { return registry_; }
  // Set by a Ctrl-C handler; cleared when the next command starts.
  std::atomic<bool>& cancel_flag() { return cancel_; }

 private:
  ExecResult Dispatch(const std::vector<std::string>& tokens, std::ostream& out);
  ExecResult RunHelp(const std::vector<std::string>& tokens, std::ostream& out);

  cmd::Target target_;
  cmd::Registry registry_;
  std::atomic<bool> cancel_{false};
};

}  // namespace clrdump::repl
