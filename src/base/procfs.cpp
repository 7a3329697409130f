#include "base/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>

#include "base/strings.h"
#include "base/unique_fd.h"

namespace clrdump::proc {
namespace {

std::string ProcPath(pid_t pid, const char* leaf) {
  return "/proc/" + std::to_string(pid) + "/" + leaf;
}

Error ErrnoError(int err, const std::string& what) {
  ErrorCode code = ErrorCode::kIo;
  if (err == ENOENT || err == ESRCH) code = ErrorCode::kNotFound;
  if (err == EACCES || err == EPERM) code = ErrorCode::kPermission;
  return MakeError(code, what + ": " + ErrnoText(err));
}

template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The value after "Key:\t" in /proc/<pid>/status, or nullopt.
std::optional<std::string> StatusField(const std::string& status, std::string_view key) {
  for (const auto& line : Split(status, '\n')) {
    if (StartsWith(line, key) && line.size() > key.size() && line[key.size()] == ':') {
      return std::string(TrimWhitespace(std::string_view(line).substr(key.size() + 1)));
    }
  }
  return std::nullopt;
}

std::vector<std::string> SplitFields(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

bool ProcessExists(pid_t pid) {
  if (pid <= 0) return false;
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

Result<std::string> ReadSmallFile(const std::string& path, size_t limit) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError(errno, path);
  std::string data;
  char buffer[8192];
  while (data.size() < limit) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, path);
    }
    if (n == 0) break;
    data.append(buffer, std::min(static_cast<size_t>(n), limit - data.size()));
  }
  return data;
}

Result<std::vector<std::string>> ReadCmdlineParts(pid_t pid) {
  auto raw = ReadSmallFile(ProcPath(pid, "cmdline"));
  if (!raw) return raw.error();
  if (raw->empty()) return std::vector<std::string>{};
  return Split(*raw, '\0');
}

Result<std::optional<std::string>> ReadEnvironVar(pid_t pid, const std::string& name) {
  auto raw = ReadSmallFile(ProcPath(pid, "environ"), 4 << 20);
  if (!raw) return raw.error();
  const std::string prefix = name + "=";
  std::optional<std::string> found;
  for (const auto& entry : Split(*raw, '\0')) {
    // The last assignment wins, as getenv would see after a putenv.
    if (StartsWith(entry, prefix)) found = entry.substr(prefix.size());
  }
  return found;
}

Result<std::vector<pid_t>> ReadNsPids(pid_t pid) {
  auto status = ReadSmallFile(ProcPath(pid, "status"));
  if (!status) return status.error();
  std::vector<pid_t> pids;
  if (auto field = StatusField(*status, "NSpid")) {
    for (const auto& text : SplitFields(*field)) {
      if (auto v = ParseNumber<pid_t>(text)) pids.push_back(*v);
    }
  }
  if (pids.empty()) pids.push_back(pid);
  return pids;
}

Result<Credentials> ReadCredentials(pid_t pid) {
  auto status = ReadSmallFile(ProcPath(pid, "status"));
  if (!status) return status.error();
  Credentials creds;
  auto uids = SplitFields(StatusField(*status, "Uid").value_or(""));
  auto gids = SplitFields(StatusField(*status, "Gid").value_or(""));
  if (uids.size() < 2 || gids.size() < 2) {
    return MakeError(ErrorCode::kMalformedInput, ProcPath(pid, "status") + ": no Uid/Gid lines");
  }
  creds.uid = ParseNumber<uid_t>(uids[1]).value_or(0);
  creds.gid = ParseNumber<gid_t>(gids[1]).value_or(0);
  for (const auto& g : SplitFields(StatusField(*status, "Groups").value_or(""))) {
    if (auto v = ParseNumber<gid_t>(g)) creds.groups.push_back(*v);
  }
  return creds;
}

Result<std::string> ReadComm(pid_t pid) {
  auto comm = ReadSmallFile(ProcPath(pid, "comm"));
  if (!comm) return comm.error();
  if (!comm->empty() && comm->back() == '\n') comm->pop_back();
  return comm;
}

Result<std::string> ReadExePath(pid_t pid) {
  const std::string path = ProcPath(pid, "exe");
  char buffer[4096];
  const ssize_t n = ::readlink(path.c_str(), buffer, sizeof buffer);
  if (n < 0) return ErrnoError(errno, path);
  return std::string(buffer, static_cast<size_t>(n));
}

Result<std::string> DotnetProcessName(pid_t pid) {
  auto comm = ReadComm(pid);
  if (!comm) return comm;
  // The kernel keeps 15 characters of the name; .NET then takes argv[0]'s
  // file name when it starts with those 15 characters.
  if (comm->size() < 15) return comm;
  auto argv = ReadCmdlineParts(pid);
  if (!argv || argv->empty()) return comm;
  const std::string& arg0 = argv->front();
  const size_t slash = arg0.rfind('/');
  std::string base = slash == std::string::npos ? arg0 : arg0.substr(slash + 1);
  return StartsWith(base, *comm) ? base : *comm;
}

Result<uint64_t> ReadStartTime(pid_t pid) {
  auto stat = ReadSmallFile(ProcPath(pid, "stat"));
  if (!stat) return stat.error();
  // comm may hold spaces and parentheses: fields resume after the last ')'.
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) {
    return MakeError(ErrorCode::kMalformedInput, ProcPath(pid, "stat") + ": no ')'");
  }
  const auto fields = SplitFields(std::string_view(*stat).substr(close + 1));
  // fields[0] is field 3 (state); starttime is field 22.
  if (fields.size() < 20) {
    return MakeError(ErrorCode::kMalformedInput, ProcPath(pid, "stat") + ": too few fields");
  }
  auto value = ParseNumber<uint64_t>(fields[19]);
  if (!value) return MakeError(ErrorCode::kMalformedInput, ProcPath(pid, "stat") + ": bad starttime");
  return *value;
}

Result<bool> MapsFileEndingWith(pid_t pid, const std::string& suffix) {
  auto maps = ReadSmallFile(ProcPath(pid, "maps"), 64 << 20);
  if (!maps) return maps.error();
  for (const auto& line : Split(*maps, '\n')) {
    if (line.size() >= suffix.size() &&
        line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return true;
    }
  }
  return false;
}

std::string TempPathFrom(const std::string& tmpdir) {
  if (tmpdir.empty()) return "/tmp/";
  return tmpdir.back() == '/' ? tmpdir : tmpdir + "/";
}

std::string OwnTempPath() {
  const char* tmpdir = std::getenv("TMPDIR");
  return TempPathFrom(tmpdir ? tmpdir : "");
}

std::vector<pid_t> ListPids() {
  std::vector<pid_t> pids;
  DIR* dir = ::opendir("/proc");
  if (!dir) return pids;
  while (const dirent* entry = ::readdir(dir)) {
    if (auto pid = ParseNumber<pid_t>(entry->d_name)) pids.push_back(*pid);
  }
  ::closedir(dir);
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::string UserName(uid_t uid) {
  passwd pwd{};
  passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(uid, &pwd, buffer, sizeof buffer, &found) == 0 && found) {
    return found->pw_name;
  }
  return std::to_string(uid);
}

}  // namespace clrdump::proc
