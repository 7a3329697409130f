#include "repl/repl.h"

#include <editline/readline.h>
#include <signal.h>

#include <atomic>
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

// A signal handler can reach no object but through a global: the session's
// flag, published only while RunInteractive runs.
std::atomic<std::atomic<bool>*> g_cancel_flag{nullptr};

void OnInterrupt(int) {
  if (auto* flag = g_cancel_flag.load()) flag->store(true);
}

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
  // Ctrl-C stops the running command, not clrdump.
  g_cancel_flag = &session.cancel_flag();
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: an interrupted read at the prompt returns, so the line
  // being typed is dropped instead of the whole session.
  action.sa_flags = 0;
  struct sigaction previous_action {};
  ::sigaction(SIGINT, &action, &previous_action);
  using_history();
  if (!history_path.empty()) read_history(history_path.c_str());
  out << kBanner;
  out.flush();
  std::string previous;
  while (true) {
    session.cancel_flag().store(false);
    char* raw = readline("> ");
    if (!raw) {
      if (!session.cancel_flag().load()) break;  // end of input
      out << "\n";
      continue;
    }
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
  ::sigaction(SIGINT, &previous_action, nullptr);
  g_cancel_flag = nullptr;
  g_completion_words = nullptr;
}

}  // namespace clrdump::repl
