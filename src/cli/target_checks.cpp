#include "cli/target_checks.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "base/procfs.h"
#include "base/strings.h"

namespace clrdump::cli {
namespace {

std::string ReadLink(const std::string& path) {
  char buffer[256];
  const ssize_t n = ::readlink(path.c_str(), buffer, sizeof buffer);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

// Whether a process with `creds` may create entries in a directory.
bool MayWrite(const proc::Credentials& creds, const struct stat& st) {
  if (creds.uid == 0) return true;
  if (st.st_uid == creds.uid) return (st.st_mode & S_IWUSR) && (st.st_mode & S_IXUSR);
  const bool in_group = st.st_gid == creds.gid ||
                        std::find(creds.groups.begin(), creds.groups.end(), st.st_gid) !=
                            creds.groups.end();
  if (in_group) return (st.st_mode & S_IWGRP) && (st.st_mode & S_IXGRP);
  return (st.st_mode & S_IWOTH) && (st.st_mode & S_IXOTH);
}

std::string UserLabel(uid_t uid) { return fmt::format("{} (uid {})", proc::UserName(uid), uid); }

}  // namespace

Result<PortConfig> ParseConnectPort(const std::string& config) {
  if (TrimWhitespace(config).empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "Missing IPC endpoint config.");
  }
  const auto parts = Split(config, ',');
  if (parts.size() > 2) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("Unknown IPC endpoint config format, {}.", config));
  }
  PortConfig port{parts[0], false};
  if (parts.size() == 2) {
    const std::string keyword = AsciiLower(parts[1]);
    if (keyword != "connect" && keyword != "listen") {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("Unknown IPC endpoint config keyword, {} in {}.", parts[1],
                                   config));
    }
    port.connect = keyword == "connect";
  }
  if (StartsWith(port.address, "uds://")) {
    port.address = port.address.substr(6);
  } else if (StartsWith(port.address, "uds:")) {
    port.address = port.address.substr(4);
  } else if (const size_t colon = port.address.find("://"); colon != std::string::npos) {
    return MakeError(ErrorCode::kUnsupported,
                     fmt::format("{} not supported.", port.address.substr(0, colon)));
  }
  return port;
}

std::string TargetRootPrefix(pid_t pid) {
  const std::string theirs = ReadLink("/proc/" + std::to_string(pid) + "/ns/mnt");
  const std::string ours = ReadLink("/proc/self/ns/mnt");
  if (theirs.empty() || theirs == ours) return "";
  return "/proc/" + std::to_string(pid) + "/root";
}

TemplateValues TargetTemplateValues(pid_t pid) {
  TemplateValues values;
  auto nspids = proc::ReadNsPids(pid);
  values.pid = nspids ? nspids->back() : pid;
  if (auto exe = proc::ReadExePath(pid)) {
    // createdump names the executable, not the kernel's note about it.
    values.exe_name = FileNameOf(WithoutDeletedSuffix(*exe));
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) values.host_name = host;
  return values;
}

Status CheckTargetCanWrite(pid_t pid, const std::string& path) {
  auto creds = proc::ReadCredentials(pid);
  if (!creds) return Ok{};  // cannot tell; let the runtime try
  const std::string dir = path.substr(0, std::max<size_t>(path.rfind('/'), 1));
  const std::string local = TargetRootPrefix(pid) + dir;
  struct stat st {};
  if (::stat(local.c_str(), &st) != 0) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("Cannot write the dump: the output directory {} does not "
                                 "exist{}.",
                                 dir, local == dir ? "" : " in the target's file system"));
  }
  if (!S_ISDIR(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("Cannot write the dump: {} is not a directory.", dir));
  }
  struct statvfs vfs {};
  if (::statvfs(local.c_str(), &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
    return MakeError(ErrorCode::kPermission,
                     fmt::format("Cannot write the dump: {} is on a read-only file system.", dir));
  }
  if (!MayWrite(*creds, st)) {
    return MakeError(ErrorCode::kPermission,
                     fmt::format("Cannot write the dump: it is written by process {}, which runs "
                                 "as {} and cannot write to {} (owner {}, mode {:04o}). Choose "
                                 "an output directory that user can write.",
                                 pid, UserLabel(creds->uid), dir, UserLabel(st.st_uid),
                                 st.st_mode & 07777));
  }
  return Ok{};
}

Error ExplainAccessDenied(pid_t pid, const Error& error) {
  auto creds = proc::ReadCredentials(pid);
  const uid_t me = ::geteuid();
  if (!creds || creds->uid == me) return error;
  const std::string fix = creds->uid == 0
                              ? std::string("as root")
                              : fmt::format("as {} or as root", proc::UserName(creds->uid));
  return MakeError(ErrorCode::kPermission,
                   fmt::format("{}: process {} runs as {}, but clrdump runs as {}; its "
                               "diagnostics socket is private to its user. Run clrdump {}.",
                               error.message, pid, UserLabel(creds->uid), UserLabel(me), fix));
}

}  // namespace clrdump::cli
