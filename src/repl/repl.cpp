#include "repl/repl.h"

#include <editline/readline.h>
#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace clrdump::repl {

void RunRedirected(Session& session, std::istream& in, std::ostream& out) {
  out << kBanner << "<END_COMMAND_OUTPUT>\n";
  out.flush();
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    out << "> " << line << "\n";
    const ExecResult result = session.Execute(line, out);
    if (result.outcome == Outcome::kExit) return;
    if (result.outcome == Outcome::kError) PrintReplError(result, out);
    out << (result.outcome == Outcome::kOk ? "<END_COMMAND_OUTPUT>\n" : "<END_COMMAND_ERROR>\n");
    out.flush();
  }
}

namespace {

// libedit's completion callback has no user pointer: the command names are
// handed over through this list for the duration of RunInteractive only.
std::vector<std::string>* g_completion_words = nullptr;

char* CompletionGenerator(const char* text, int state) {
  static size_t index;
  if (state == 0) index = 0;
  const size_t length = std::strlen(text);
  while (g_completion_words && index < g_completion_words->size()) {
    const std::string& word = (*g_completion_words)[index++];
    if (word.compare(0, length, text) == 0) return strdup(word.c_str());
  }
  return nullptr;
}

char** Complete(const char* text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;
  if (start != 0) return nullptr;  // only command names are completed
  return rl_completion_matches(text, CompletionGenerator);
}

}  // namespace

void RunInteractive(Session& session, std::ostream& out, const std::string& history_path) {
  std::vector<std::string> words;
  for (const auto& spec : session.registry().commands()) {
    words.push_back(spec.name);
    words.insert(words.end(), spec.aliases.begin(), spec.aliases.end());
  }
  g_completion_words = &words;
  rl_attempted_completion_function = Complete;
  using_history();
  if (!history_path.empty()) read_history(history_path.c_str());
  out << kBanner;
  out.flush();
  std::string previous;
  while (char* raw = readline("> ")) {
    std::string line = raw;
    std::free(raw);
    // An empty line repeats the previous command, as in dotnet-dump.
    if (line.find_first_not_of(" \t") == std::string::npos) line = previous;
    if (line.empty()) continue;
    add_history(line.c_str());
    const ExecResult result = session.Execute(line, out);
    if (result.outcome == Outcome::kExit) break;
    if (result.outcome == Outcome::kError) PrintReplError(result, out);
    if (result.outcome == Outcome::kOk) previous = line;
    out.flush();
  }
  if (!history_path.empty()) write_history(history_path.c_str());
  g_completion_words = nullptr;
}

}  // namespace clrdump::repl
