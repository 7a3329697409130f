// SOS's native command conventions, shared by the commands that reproduce
// SOS: its argument parser (GetCMDOption on Linux), its failure style, and
// FileNameForModule.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "commands/command.h"
#include "runtime/runtime.h"

namespace clrdump::cmd {

struct SosCommandLine {
  std::vector<std::string> options;                  // as declared, lower case
  std::map<std::string, std::string> option_values;  // for options that take one
  std::vector<uint64_t> values;                      // arguments as hex (0 when not a number)
  std::vector<std::string> tokens;                   // the same arguments as typed
  bool Has(std::string_view option) const;
};

// The argument words joined by single spaces, as SOS receives them.
std::string Joined(const std::vector<std::string>& tokens);

// SOS's reading of an address argument: hex, with or without 0x; anything
// else is 0, and too many digits UINT64_MAX.
uint64_t HexOrZero(std::string_view text);

// Prints SOS's message and fails without one of ours, as SOS does.
Error SosFailure(std::ostream& out, const std::string& message);

// SOS's GetCMDOption on Linux: options start with '-' (a '/' starts an
// argument) and come before the arguments; `valued` options take the next
// word as their value. Prints SOS's message on a parse failure.
Result<SosCommandLine> ParseSosCommandLine(const std::string& s,
                                           const std::vector<std::string>& known, size_t max_args,
                                           std::ostream& out,
                                           const std::vector<std::string>& valued = {});

// SOS's FileNameForModule: the PE file's name, else the debugger
// interface's; "" when neither is known.
std::string ModuleFileName(runtime::Runtime& rt, const runtime::ManagedModule& module);

// The single "arguments" argument of a command parsed the SOS way.
ArgumentSpec SosArguments();

}  // namespace clrdump::cmd
