// Finding a runtime's diagnostics socket, the way dotnet-dump does
// (target's TMPDIR from /proc/<pid>/environ, PID namespaces via NSpid and
// /proc/<pid>/root), and, when there is none, saying exactly why.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace clrdump::ipc {

// Newest `dotnet-diagnostic-<pid>-*-socket` in `dir` (which ends with '/'),
// preferring a dsrouter socket that is at least as new.
std::optional<std::string> FindSocketInDir(const std::string& dir, pid_t pid);

// Socket of a live process. Errors: kNotFound "Process N is not running."
// when it is gone; otherwise an error whose message explains why no usable
// socket exists (diagnostics disabled, not .NET, other user, TMPDIR, path
// length).
Result<std::string> ResolveProcessSocket(pid_t pid);

// Pids of processes that publish a diagnostics socket, ascending (the set
// dotnet-dump's `ps` and `-n` start from).
std::vector<pid_t> PublishedProcesses();

}  // namespace clrdump::ipc
