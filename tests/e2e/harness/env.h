// Where the end-to-end tests find their tools: our binary, the debuggees
// built by the SDK, and Microsoft's dotnet-dump (the oracle).
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/subprocess.h"

namespace clrdump::test {

std::string ClrdumpPath();
// Output directory of a built debuggee.
std::string DebuggeeDir(const std::string& name);
// A dump made by scripts/make-dumps.sh, e.g. "waiter.Heap", "crash.nested.Mini".
std::string SharedDump(const std::string& name);

// The oracle's path, or "" when it is not installed.
std::string OraclePath();
bool InCi();
// A fresh directory under the build tree, removed by nobody (small files).
std::string MakeTempDir(const std::string& tag);
bool IsRoot();

// argv that runs the Waiter debuggee: through the muxer, or through an
// apphost copy named `name` (a distinct process name per test).
std::vector<std::string> WaiterViaDotnet();
std::vector<std::string> WaiterApphost(const std::string& name = "Waiter");

// Makes a directory world-writable so a debuggee run as nobody can use it.
void OpenUp(const std::string& dir);

// Options that run a child as nobody, with a HOME of its own.
SpawnOptions AsNobody(const std::string& tag);
// A fresh directory only root may write (mode 0755).
std::string RootOnlyDir(const std::string& tag);

}  // namespace clrdump::test

// A test that cannot run says why; in CI that is a failure, never a pass.
#define CLRDUMP_REQUIRE(cond, why)                          \
  do {                                                      \
    if (!(cond)) {                                          \
      if (::clrdump::test::InCi()) FAIL() << "cannot run: " << (why); \
      GTEST_SKIP() << (why);                                \
    }                                                       \
  } while (0)
