#include "cli/collect_verb.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <ctime>

#include <fmt/format.h>

#include "base/procfs.h"
#include "base/strings.h"
#include "cli/dump_paths.h"
#include "cli/target_checks.h"
#include "dump/core_check.h"
#include "ipc/client.h"
#include "ipc/endpoint.h"

namespace clrdump::cli {
namespace {

constexpr int kFailed = 255;  // dotnet-dump returns -1

const char* WritingLabel(ipc::DumpType type) {
  switch (type) {
    case ipc::DumpType::kFull: return "full";
    case ipc::DumpType::kHeap: return "dump with heap";
    case ipc::DumpType::kMini: return "dump";
    case ipc::DumpType::kTriage: return "triage dump";
  }
  return "dump";
}

// dotnet-dump's target validation, with its messages.
Result<std::optional<pid_t>> ResolveTarget(const CollectOptions& o) {
  const bool has_pid = o.pid && *o.pid != 0;
  const int given = int{has_pid} + int{o.name.has_value()} + int{o.diagnostic_port.has_value()};
  if (given == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "[ERROR] Must specify either --process-id, --name, --diagnostic-port, or "
                     "--dsrouter.");
  }
  if (has_pid && *o.pid < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("[ERROR] {} is not a valid process ID", *o.pid));
  }
  if (given > 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "[ERROR] Only one of the --name, --process-id, --diagnostic-port, or "
                     "--dsrouter options may be specified.");
  }
  if (has_pid) {
    if (*o.pid > INT_MAX) return MakeError(ErrorCode::kNotFound,
                                           fmt::format("Process {} is not running.", *o.pid));
    return std::optional<pid_t>(static_cast<pid_t>(*o.pid));
  }
  if (!o.name) return std::optional<pid_t>();
  std::vector<pid_t> matches;
  for (pid_t pid : ipc::PublishedProcesses()) {
    auto name = proc::DotnetProcessName(pid);
    if (name && *name == *o.name) matches.push_back(pid);
  }
  if (matches.empty()) {
    return MakeError(ErrorCode::kNotFound,
                     "[ERROR] There is no active process with the given name: " + *o.name);
  }
  if (matches.size() > 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "[ERROR] There are more than one active processes with the given name: " +
                         *o.name);
  }
  return std::optional<pid_t>(matches.front());
}

// The socket to talk to, and the target's pid when it can be known.
struct Endpoint {
  std::string socket;
  std::optional<pid_t> pid;
};

Result<Endpoint> ResolveEndpoint(const CollectOptions& o, std::optional<pid_t> pid,
                                 std::ostream& out) {
  if (o.diagnostic_port) {
    auto port = ParseConnectPort(*o.diagnostic_port);
    if (!port) return port.error();
    if (!port->connect) {
      // dotnet-dump prints this one on stdout.
      out << "dotnet-dump only supports connect mode to a runtime.\n";
      return MakeError(ErrorCode::kUnsupported, "");
    }
    Endpoint endpoint{port->address, std::nullopt};
    // Learn who is behind the port so the output and the result can be checked.
    if (auto info = ipc::DiagnosticsClient(endpoint.socket).GetProcessInfo()) {
      const auto target = static_cast<pid_t>(info->pid);
      if (proc::ProcessExists(target)) endpoint.pid = target;
    }
    return endpoint;
  }
  auto socket = ipc::ResolveProcessSocket(*pid);
  if (!socket) return socket.error();
  return Endpoint{*socket, pid};
}

// After the runtime said OK: the file must exist and be a complete core.
Status VerifyDump(const std::string& path, std::optional<pid_t> pid) {
  TemplateValues values;
  std::string root;
  if (pid) {
    values = TargetTemplateValues(*pid);
    root = TargetRootPrefix(*pid);
  }
  auto name = ExpandDumpTemplate(path, values);
  if (!name) return name.error();
  std::string local = root + name->path;
  if (name->has_time) {
    auto match = NewestMatch(root + name->pattern);
    if (!match) return match.error();
    local = *match;
  }
  auto core = dump::CheckElfCore(local);
  if (!core) {
    return MakeError(core.error().code,
                     "The runtime reported success, but the dump is not usable: " +
                         core.error().message);
  }
  return Ok{};
}

}  // namespace

std::optional<ipc::DumpType> ParseDumpType(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "full") return ipc::DumpType::kFull;
  if (lower == "heap") return ipc::DumpType::kHeap;
  if (lower == "mini") return ipc::DumpType::kMini;
  if (lower == "triage") return ipc::DumpType::kTriage;
  return std::nullopt;
}

int RunCollect(const CollectOptions& options, std::ostream& out, std::ostream& err) {
  auto fail = [&err](const Error& e) {
    if (!e.message.empty()) err << e.message << "\n";
    err.flush();
    return kFailed;
  };
  auto target = ResolveTarget(options);
  if (!target) return fail(target.error());

  char cwd[PATH_MAX];
  const std::string here = ::getcwd(cwd, sizeof cwd) ? cwd : "/";
  // createdump runs with the target's working directory, so the path
  // must be absolute before it leaves us.
  const std::string path =
      FullPath(options.output.value_or(DefaultDumpName(std::time(nullptr))), here);
  out << "Writing " << WritingLabel(options.type) << " to " << path << "\n";
  out.flush();

  auto endpoint = ResolveEndpoint(options, *target, out);
  if (!endpoint) return fail(endpoint.error());
  if (endpoint->pid) {
    if (auto writable = CheckTargetCanWrite(*endpoint->pid, path); !writable) {
      return fail(writable.error());
    }
  }
  uint32_t flags = 0;
  if (options.diag) flags |= ipc::dump_flags::kLoggingEnabled;
  if (options.crash_report) flags |= ipc::dump_flags::kCrashReportEnabled;
  ipc::DiagnosticsClient client(endpoint->socket);
  if (auto written = client.WriteDump(options.type, path, flags); !written) {
    if (written.error().code == ErrorCode::kPermission && endpoint->pid) {
      return fail(ExplainAccessDenied(*endpoint->pid, written.error()));
    }
    return fail(written.error());
  }
  if (auto verified = VerifyDump(path, endpoint->pid); !verified) {
    return fail(verified.error());
  }
  out << "Complete\n";
  out.flush();
  return 0;
}

}  // namespace clrdump::cli
