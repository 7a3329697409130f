#include "harness/differential.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "harness/env.h"

namespace clrdump::test {
namespace {

// One accepted difference: a whole stream ("out", "err", "both"),
// "lines:<regex>" for stdout lines that may differ (matching lines are
// dropped from both sides before comparing), or "strip:<regex>" for text
// within lines that may differ (removed from both sides).
struct Accepted {
  std::string stream;
  std::optional<std::regex> lines;
  std::optional<std::regex> strip;
};

std::map<std::string, Accepted> LoadAccepted() {
  std::map<std::string, Accepted> accepted;
  std::ifstream file(CLRDUMP_TEST_ACCEPTED);
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t t1 = line.find('\t');
    const size_t t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    Accepted a{line.substr(t1 + 1, t2 - t1 - 1), std::nullopt, std::nullopt};
    if (a.stream.rfind("lines:", 0) == 0) a.lines = std::regex(a.stream.substr(6));
    if (a.stream.rfind("strip:", 0) == 0) a.strip = std::regex(a.stream.substr(6));
    accepted[line.substr(0, t1)] = a;
  }
  return accepted;
}

std::string DropLines(const std::string& text, const std::regex& pattern) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (!std::regex_search(line, pattern)) out += line + "\n";
  }
  return out;
}

RunResult RunTool(const std::string& tool, const std::vector<std::string>& args,
                  const SpawnOptions& options) {
  std::vector<std::string> argv = {tool};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, options, std::chrono::seconds(300));
}

}  // namespace

std::string NormalizeRun(std::string text) {
  return std::regex_replace(text, std::regex("core_\\d{8}_\\d{6}"), "core_<TIME>");
}

void CompareWithOracle(const std::string& oracle, const std::string& name,
                       const std::vector<std::string>& args, const SpawnOptions& options,
                       const std::function<void()>& between) {
  const RunResult theirs = RunTool(oracle, args, options);
  if (between) between();
  const RunResult ours = RunTool(ClrdumpPath(), args, options);
  ASSERT_FALSE(ours.timed_out || theirs.timed_out) << name;
  EXPECT_EQ(ours.exit_code, theirs.exit_code)
      << name << "\nours: " << ours.out << ours.err << "\ntheirs: " << theirs.out << theirs.err;
  static const std::map<std::string, Accepted> accepted = LoadAccepted();
  const auto it = accepted.find(name);
  const std::string allowed = it == accepted.end() ? "" : it->second.stream;
  std::string our_out = NormalizeRun(ours.out), their_out = NormalizeRun(theirs.out);
  const std::string our_err = NormalizeRun(ours.err), their_err = NormalizeRun(theirs.err);
  const bool differed = our_out != their_out || our_err != their_err;
  if (it != accepted.end() && it->second.lines) {
    our_out = DropLines(our_out, *it->second.lines);
    their_out = DropLines(their_out, *it->second.lines);
  }
  if (it != accepted.end() && it->second.strip) {
    our_out = std::regex_replace(our_out, *it->second.strip, "");
    their_out = std::regex_replace(their_out, *it->second.strip, "");
  }
  if (allowed != "out" && allowed != "both") {
    EXPECT_EQ(our_out, their_out) << name << " (stdout)";
  }
  if (allowed != "err" && allowed != "both") {
    EXPECT_EQ(our_err, their_err) << name << " (stderr)";
  }
  if (it != accepted.end()) {
    EXPECT_TRUE(differed) << name
                          << " is listed in accepted_differences.tsv but no longer differs";
    if (allowed == "err") {
      // Our side of an accepted difference is still one clear error line.
      EXPECT_EQ(std::count(ours.err.begin(), ours.err.end(), '\n'), 1) << ours.err;
    }
  }
}

void CompareCasesThroughDashC(const std::string& oracle, const std::string& dump,
                              const std::vector<AnalyzeCase>& cases) {
  for (const AnalyzeCase& c : cases) {
    std::vector<std::string> args = {"analyze", dump};
    for (const auto& command : c.commands) {
      args.push_back("-c");
      args.push_back(command);
    }
    args.push_back("-c");
    args.push_back("exit");
    CompareWithOracle(oracle, c.name, args);
  }
}

void CompareCasesInSession(const std::string& oracle, const std::string& dump,
                           const std::vector<AnalyzeCase>& cases, const std::string& name) {
  const std::string script = MakeTempDir(name) + "/commands";
  {
    std::ofstream file(script);
    for (const AnalyzeCase& c : cases) {
      if (!c.in_session) continue;
      for (const auto& command : c.commands) file << command << "\n\n";
    }
    file << "q\n";
  }
  SpawnOptions options;
  options.stdin_file = script;
  CompareWithOracle(oracle, name, {"analyze", dump}, options);
}

void SharedDumpDiff::SetUp() {
  oracle_ = OraclePath();
  CLRDUMP_REQUIRE(!oracle_.empty(), "the dotnet-dump oracle is not installed (run "
                                    "scripts/setup.sh, or set CLRDUMP_ORACLE)");
  dump_ = SharedDump(GetParam());
  CLRDUMP_REQUIRE(std::ifstream(dump_).good(), "no dump at " + dump_ + " (make_dumps failed?)");
}

}  // namespace clrdump::test
