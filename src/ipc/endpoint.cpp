#include "ipc/endpoint.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "base/procfs.h"
#include "base/strings.h"

namespace clrdump::ipc {
namespace {

constexpr const char* kSocketPrefix = "dotnet-diagnostic-";
constexpr const char* kRouterPrefix = "dotnet-diagnostic-dsrouter-";
constexpr const char* kSocketSuffix = "-socket";
constexpr size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Where a process's sockets live from our point of view, and under which pid.
struct SearchPlace {
  std::string dir;  // ends with '/'
  pid_t pid = 0;    // pid inside the target's namespace
  std::optional<std::string> tmpdir_error;  // why the target's TMPDIR is unknown
  std::string target_tmp;                   // the target's temp path as it sees it
};

SearchPlace PlaceFor(pid_t pid) {
  SearchPlace place;
  auto tmpdir = proc::ReadEnvironVar(pid, "TMPDIR");
  if (tmpdir) {
    place.target_tmp = proc::TempPathFrom(tmpdir->value_or(""));
  } else {
    place.tmpdir_error = tmpdir.error().message;
    place.target_tmp = proc::OwnTempPath();
  }
  place.dir = place.target_tmp;
  place.pid = pid;
  auto nspids = proc::ReadNsPids(pid);
  if (nspids && nspids->size() > 1) {
    place.pid = nspids->back();
    place.dir = "/proc/" + std::to_string(pid) + "/root" + place.target_tmp;
  }
  return place;
}

struct Candidate {
  std::string path;
  timespec mtime{};
};

bool Newer(const timespec& a, const timespec& b) {
  return a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec : a.tv_nsec > b.tv_nsec;
}

std::optional<Candidate> NewestWithPrefix(const std::string& dir, const std::string& prefix) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return std::nullopt;
  std::optional<Candidate> best;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (!StartsWith(name, prefix) || !EndsWith(name, kSocketSuffix)) continue;
    Candidate c{dir + std::string(name), {}};
    struct stat st {};
    if (::stat(c.path.c_str(), &st) != 0) continue;
    c.mtime = st.st_mtim;
    if (!best || Newer(c.mtime, best->mtime)) best = c;
  }
  ::closedir(d);
  return best;
}

std::string ProcessLabel(pid_t pid) {
  auto name = proc::DotnetProcessName(pid);
  return name ? fmt::format("{} ({})", pid, *name) : std::to_string(pid);
}

std::optional<std::string> DiagnosticsDisabledVar(pid_t pid) {
  for (const char* var : {"DOTNET_EnableDiagnostics", "COMPlus_EnableDiagnostics",
                          "DOTNET_EnableDiagnostics_IPC", "COMPlus_EnableDiagnostics_IPC"}) {
    auto value = proc::ReadEnvironVar(pid, var);
    if (value && value->has_value() && **value == "0") return std::string(var) + "=0";
  }
  return std::nullopt;
}

// Why no socket exists for a live process, most specific reason first.
Error ExplainMissingSocket(pid_t pid, const SearchPlace& place) {
  const std::string label = ProcessLabel(pid);
  if (auto var = DiagnosticsDisabledVar(pid)) {
    return MakeError(ErrorCode::kUnsupported,
                     fmt::format("Process {} has its diagnostics server disabled ({} in its "
                                 "environment); restart it without that setting to collect a "
                                 "dump.",
                                 label, *var));
  }
  auto creds = proc::ReadCredentials(pid);
  const uid_t me = ::geteuid();
  if (creds && me != 0 && creds->uid != me) {
    return MakeError(ErrorCode::kPermission,
                     fmt::format("Process {} runs as user {} (uid {}), but clrdump runs as user "
                                 "{} (uid {}); its diagnostics socket is private to its user. "
                                 "Run clrdump as {}.",
                                 label, proc::UserName(creds->uid), creds->uid, proc::UserName(me),
                                 me,
                                 creds->uid == 0 ? std::string("root")
                                                 : proc::UserName(creds->uid) + " or as root"));
  }
  auto coreclr = proc::MapsFileEndingWith(pid, "/libcoreclr.so");
  if (coreclr && !*coreclr) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("Process {} is not a .NET process: it has not loaded "
                                 "libcoreclr.so and publishes no diagnostics socket.",
                                 label));
  }
  auto start = proc::ReadStartTime(pid);
  const std::string expected = fmt::format("{}{}{}-{}{}", place.dir, kSocketPrefix, place.pid,
                                           start ? *start : 0, kSocketSuffix);
  if (expected.size() > kMaxSocketPath) {
    return MakeError(ErrorCode::kUnsupported,
                     fmt::format("Process {} could not create its diagnostics socket: the path "
                                 "{} is {} bytes, over the {}-byte limit of Unix sockets. Start "
                                 "it with a shorter TMPDIR.",
                                 label, expected, expected.size(), kMaxSocketPath));
  }
  const std::string own = proc::OwnTempPath();
  if (place.tmpdir_error) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("Process {} has no diagnostics socket in {} (clrdump's TMPDIR), "
                                 "and its own TMPDIR is unknown ({}). Run clrdump with the same "
                                 "TMPDIR as the target.",
                                 label, own, *place.tmpdir_error));
  }
  return MakeError(ErrorCode::kNotFound,
                   fmt::format("Process {} has no diagnostics socket "
                               "{}{}-*-socket: its TMPDIR is {} (clrdump's is {}). The socket "
                               "may have been deleted by a temp cleaner, or the runtime has not "
                               "started its diagnostics server yet.",
                               label, place.dir, kSocketPrefix + std::to_string(place.pid),
                               place.target_tmp, own));
}

}  // namespace

std::optional<std::string> FindSocketInDir(const std::string& dir, pid_t pid) {
  auto normal = NewestWithPrefix(dir, fmt::format("{}{}-", kSocketPrefix, pid));
  auto router = NewestWithPrefix(dir, fmt::format("{}{}-", kRouterPrefix, pid));
  if (router && (!normal || !Newer(normal->mtime, router->mtime))) return router->path;
  if (normal) return normal->path;
  return std::nullopt;
}

Result<std::string> ResolveProcessSocket(pid_t pid) {
  if (!proc::ProcessExists(pid)) {
    return MakeError(ErrorCode::kNotFound, fmt::format("Process {} is not running.", pid));
  }
  const SearchPlace place = PlaceFor(pid);
  if (auto path = FindSocketInDir(place.dir, place.pid)) return *path;
  // Beyond dotnet-dump: a target that changed TMPDIR after start, or whose
  // environ we cannot read, may still have its socket in the usual places.
  for (const std::string& dir : {proc::OwnTempPath(), std::string("/tmp/")}) {
    if (dir == place.dir) continue;
    if (auto path = FindSocketInDir(dir, pid)) return *path;
  }
  return ExplainMissingSocket(pid, place);
}

std::vector<pid_t> PublishedProcesses() {
  std::set<pid_t> found;
  const std::string own = proc::OwnTempPath();
  if (DIR* d = ::opendir(own.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      unsigned long pid = 0, key = 0;
      char tail[16] = {};
      // Only the plain form dotnet-diagnostic-<pid>-<key>-socket counts here.
      if (std::sscanf(e->d_name, "dotnet-diagnostic-%lu-%lu%15s", &pid, &key, tail) == 3 &&
          std::string_view(tail) == "-socket" && proc::ProcessExists(static_cast<pid_t>(pid))) {
        found.insert(static_cast<pid_t>(pid));
      }
    }
    ::closedir(d);
  }
  for (pid_t pid : proc::ListPids()) {
    if (found.count(pid)) continue;
    const SearchPlace place = PlaceFor(pid);
    const bool other_ns = place.pid != pid;
    if (!other_ns && place.dir == own) continue;
    if (FindSocketInDir(place.dir, place.pid)) found.insert(pid);
  }
  return {found.begin(), found.end()};
}

}  // namespace clrdump::ipc
