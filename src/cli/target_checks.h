// Facts about the target process that `collect` checks before and after a
// dump request, where dotnet-dump would only relay an opaque HRESULT.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"
#include "cli/dump_paths.h"

namespace clrdump::cli {

struct PortConfig {
  std::string address;
  bool connect = false;  // dotnet-dump's grammar: no keyword means listen
};

// ADDRESS[,connect|listen], ADDRESS a path or uds:PATH, with the messages
// of dotnet-dump's IpcEndpointConfig parser.
Result<PortConfig> ParseConnectPort(const std::string& config);

// "/proc/<pid>/root" when the target lives in another mount namespace
// (paths it names must be looked up through it), else "".
std::string TargetRootPrefix(pid_t pid);

// What createdump substitutes for %p, %e and %h in the target.
TemplateValues TargetTemplateValues(pid_t pid);

// The dump is created by the target's user: fail with a clear message when
// that user cannot create `path` (its directory missing or not writable).
Status CheckTargetCanWrite(pid_t pid, const std::string& path);

// Rewrites a permission error from the socket into one naming both users.
Error ExplainAccessDenied(pid_t pid, const Error& error);

}  // namespace clrdump::cli
