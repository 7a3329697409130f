// The set of commands a session knows: lookup by name or alias (case
// sensitive, as in dotnet-dump), argument parsing against a CommandSpec,
// and help text rendered from the specs.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "commands/command.h"

namespace clrdump::cmd {

class Registry {
 public:
  void Add(CommandSpec spec);
  const CommandSpec* Find(const std::string& name) const;
  const std::vector<CommandSpec>& commands() const { return commands_; }

  // `help` without arguments: one line per command, sorted
  // case-insensitively, invocations padded to the longest plus four.
  std::string Listing() const;

 private:
  std::vector<CommandSpec> commands_;
};

// System.CommandLine-style parse of the tokens after the command name.
// Errors (kInvalidArgument) carry dotnet-dump's messages.
Result<ParsedArgs> ParseArguments(const CommandSpec& spec, const std::vector<std::string>& tokens);

// "Description / Usage / Arguments / Options" text; lines are wrapped to
// `width` columns (0: no wrapping).
std::string DetailedHelp(const CommandSpec& spec, size_t width);

// Splits a command line on whitespace, with double quotes grouping.
std::vector<std::string> SplitCommandLine(const std::string& line);

}  // namespace clrdump::cmd
