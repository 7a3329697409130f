// Child processes for end-to-end tests: run a command to completion with a
// deadline, or keep a debuggee running and kill it when the test ends (even
// when the test fails), so no test can leave a process behind or hang.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace clrdump::test {

struct SpawnOptions {
  std::map<std::string, std::string> env;  // added to (or overriding) ours
  std::vector<std::string> unset_env;
  std::optional<std::string> cwd;
  // Standard input for Run(): this file, else /dev/null.
  std::optional<std::string> stdin_file;
  // "user:group": runs the child under setpriv as them (needs root).
  std::optional<std::string> run_as;
};

struct RunResult {
  int exit_code = -1;  // 128+signal when killed
  std::string out;
  std::string err;
  bool timed_out = false;
};

RunResult Run(const std::vector<std::string>& argv, const SpawnOptions& options = {},
              std::chrono::seconds timeout = std::chrono::seconds(120));

// A long-running child whose stdout is read line by line.
class Debuggee {
 public:
  Debuggee(const std::vector<std::string>& argv, const SpawnOptions& options = {});
  ~Debuggee();
  Debuggee(const Debuggee&) = delete;
  Debuggee& operator=(const Debuggee&) = delete;

  pid_t pid() const { return pid_; }
  // Waits for a stdout line starting with `prefix`; returns it, or nullopt
  // on timeout or EOF.
  std::optional<std::string> WaitForLine(const std::string& prefix,
                                         std::chrono::seconds timeout = std::chrono::seconds(30));
  // Sends a line to stdin.
  bool Send(const std::string& line);
  // True while the process runs and is not stopped (state not T/t/Z).
  bool RunningAndNotStopped() const;

 private:
  void RemoveDiagnosticsSocket() const;

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::string tmpdir_;  // where its runtime puts its diagnostics socket
};

}  // namespace clrdump::test
