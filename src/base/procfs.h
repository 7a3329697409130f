// Read-only facts about live processes from /proc, shaped the way .NET's
// System.Diagnostics.Process reports them (dotnet-dump's ps and -n rely on
// those semantics, so we reproduce them rather than inventing our own).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace clrdump::proc {

// True when the pid names a process, even one we may not signal (EPERM).
bool ProcessExists(pid_t pid);

// Whole file, up to `limit` bytes (procfs files report size 0, so we read
// until EOF). kNotFound for ENOENT/ESRCH, kPermission for EACCES/EPERM.
Result<std::string> ReadSmallFile(const std::string& path, size_t limit = 1 << 20);

// argv as NUL-separated in /proc/<pid>/cmdline, with the trailing empty
// element kept (dotnet-dump's Args column depends on it).
Result<std::vector<std::string>> ReadCmdlineParts(pid_t pid);

// Value of NAME in /proc/<pid>/environ; nullopt when unset.
Result<std::optional<std::string>> ReadEnvironVar(pid_t pid, const std::string& name);

// NSpid values of /proc/<pid>/status (one entry when in our namespace).
Result<std::vector<pid_t>> ReadNsPids(pid_t pid);

struct Credentials {
  uid_t uid = 0;  // effective
  gid_t gid = 0;  // effective
  std::vector<gid_t> groups;
};
Result<Credentials> ReadCredentials(pid_t pid);

// comm, at most 15 characters.
Result<std::string> ReadComm(pid_t pid);
// readlink of /proc/<pid>/exe, as the kernel gives it (a replaced or
// removed executable keeps its " (deleted)" suffix, which .NET shows too).
Result<std::string> ReadExePath(pid_t pid);
// .NET's Process.ProcessName: comm, lengthened from argv[0] when the kernel
// truncated it to 15 characters.
Result<std::string> DotnetProcessName(pid_t pid);
// Field 22 of /proc/<pid>/stat: start time in clock ticks since boot.
Result<uint64_t> ReadStartTime(pid_t pid);
// Whether a mapped file whose name ends with `suffix` is in /proc/<pid>/maps.
Result<bool> MapsFileEndingWith(pid_t pid, const std::string& suffix);

// Our own temp directory as .NET's Path.GetTempPath: $TMPDIR with a trailing
// '/', or "/tmp/".
std::string OwnTempPath();
// Normalizes a TMPDIR value the same way (empty -> "/tmp/").
std::string TempPathFrom(const std::string& tmpdir);

// Numeric entries of /proc, ascending.
std::vector<pid_t> ListPids();

// User name for a uid, or the number as text.
std::string UserName(uid_t uid);

}  // namespace clrdump::proc
