#include "harness/env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace clrdump::test {

namespace fs = std::filesystem;

std::string ClrdumpPath() { return CLRDUMP_TEST_BINARY; }

std::string DebuggeeDir(const std::string& name) {
  return std::string(CLRDUMP_TEST_DEBUGGEES) + "/" + name;
}

std::string SharedDump(const std::string& name) {
  return std::string(CLRDUMP_TEST_DUMPS) + "/" + name;
}

std::string OraclePath() {
  const char* configured = std::getenv("CLRDUMP_ORACLE");
  const std::string path = configured && *configured ? configured : CLRDUMP_TEST_ORACLE;
  return ::access(path.c_str(), X_OK) == 0 ? path : std::string();
}

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci && *ci && std::string(ci) != "false";
}

std::string MakeTempDir(const std::string& tag) {
  const fs::path root = fs::path(CLRDUMP_TEST_SCRATCH);
  fs::create_directories(root);
  std::string templ = (root / (tag + "-XXXXXX")).string();
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed in " + root.string());
  return templ;
}

bool IsRoot() { return ::geteuid() == 0; }

std::vector<std::string> WaiterViaDotnet() {
  return {"dotnet", DebuggeeDir("Waiter") + "/Waiter.dll"};
}

std::vector<std::string> WaiterApphost(const std::string& name) {
  const fs::path original = fs::path(DebuggeeDir("Waiter")) / "Waiter";
  const fs::path copy = fs::path(DebuggeeDir("Waiter")) / name;
  if (name != "Waiter" && !fs::exists(copy)) {
    // The apphost finds Waiter.dll by a name baked in at build time, so a
    // renamed copy runs the same app under another process name.
    const fs::path partial = copy.string() + ".partial";
    fs::copy_file(original, partial, fs::copy_options::overwrite_existing);
    fs::rename(partial, copy);
  }
  return {copy.string()};
}

SpawnOptions AsNobody(const std::string& tag) {
  const std::string home = MakeTempDir(tag + "-home");
  OpenUp(home);
  SpawnOptions options;
  options.run_as = "nobody:nogroup";
  options.env["HOME"] = home;
  return options;
}

std::string RootOnlyDir(const std::string& tag) {
  const std::string dir = MakeTempDir(tag);
  ::chmod(dir.c_str(), 0755);
  return dir;
}

void OpenUp(const std::string& dir) {
  ::chmod(dir.c_str(), 01777);
  // The parents must be traversable too.
  for (fs::path p = fs::path(dir).parent_path(); p.has_relative_path(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) ::chmod(p.c_str(), st.st_mode | S_IXOTH);
  }
}

}  // namespace clrdump::test
