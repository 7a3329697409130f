// The read-eval-print loop: interactive (libedit line editing, history,
// completion) when stdin is a terminal, or dotnet-dump's test-runner
// protocol with <END_COMMAND_OUTPUT>/<END_COMMAND_ERROR> markers when it
// is not.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "repl/session.h"

namespace clrdump::repl {

inline constexpr const char* kBanner =
    "Ready to process analysis commands. Type 'help' to list available commands or 'help "
    "[command]' to get detailed help on a command.\n"
    "Type 'quit' or 'exit' to exit the session.\n";

// Reads command lines from `in` until EOF or exit, marking the end of each
// command's output. Returns when the session ends.
void RunRedirected(Session& session, std::istream& in, std::ostream& out);

// Interactive loop on the terminal; history in `history_path` ("" for none).
void RunInteractive(Session& session, std::ostream& out, const std::string& history_path);

}  // namespace clrdump::repl
