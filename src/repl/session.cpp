#include "repl/session.h"

#include <fmt/format.h>

namespace clrdump::repl {
namespace {

// `help` output is wrapped like a console of this width; error help is not.
constexpr size_t kHelpWidth = 80;

ExecResult Fail(std::string message, const cmd::CommandSpec* usage_of = nullptr) {
  return {Outcome::kError, std::move(message), usage_of};
}

cmd::CommandSpec ExitSpec() {
  return {"exit", {"quit", "q"}, "Exits interactive mode.", {}, std::nullopt, {}};
}

cmd::CommandSpec HelpSpec() {
  return {"help",
          {"soshelp"},
          "Displays help for a command.",
          {},
          cmd::ArgumentSpec{"command", "Command to find help.", cmd::ValueType::kString, false},
          {}};
}

cmd::CommandSpec SosSpec() {
  return {"sos",
          {"ext"},
          "Executes various SOS debugging commands.",
          {},
          cmd::ArgumentSpec{"command_and_arguments", "SOS command and arguments.",
                            cmd::ValueType::kString, true},
          {}};
}

}  // namespace

void PrintReplError(const ExecResult& result, std::ostream& out) {
  if (!result.error.empty()) out << "ERROR: " << result.error << "\n";
  if (result.usage_of) out << "\n" << cmd::DetailedHelp(*result.usage_of, 0) << "\n";
}

void PrintBatchError(const ExecResult& result, std::ostream& out) {
  // Even an empty message ends its line here, as dotnet-dump's does.
  out << result.error << "\n";
  if (result.usage_of) out << "\n";
}

Session::Session(cmd::Target target, cmd::Registry registry)
    : target_(std::move(target)), registry_(std::move(registry)) {
  // The REPL's own commands are declared like the others so that `help`
  // lists them; their behaviour lives in Dispatch.
  registry_.Add(ExitSpec());
  registry_.Add(HelpSpec());
  registry_.Add(SosSpec());
}

ExecResult Session::Execute(const std::string& line, std::ostream& out) {
  const auto tokens = cmd::SplitCommandLine(line);
  if (tokens.empty()) return {};
  ExecResult result = Dispatch(tokens, out);
  out.flush();
  return result;
}

ExecResult Session::Dispatch(const std::vector<std::string>& tokens, std::ostream& out) {
  const std::string& name = tokens.front();
  const cmd::CommandSpec* spec = registry_.Find(name);
  if (!spec) return Fail(fmt::format("Unrecognized SOS command '{}'", name));
  if (spec->name == "exit") return {Outcome::kExit, {}, nullptr};
  if (spec->name == "help") return RunHelp(tokens, out);
  if (spec->name == "sos") {
    if (tokens.size() == 1) return RunHelp({"help"}, out);
    return Dispatch({tokens.begin() + 1, tokens.end()}, out);
  }
  auto args = cmd::ParseArguments(*spec, {tokens.begin() + 1, tokens.end()});
  if (!args) return Fail(args.error().message, spec);
  cancel_.store(false);
  cmd::CommandContext ctx{target_, out, &cancel_};
  auto status = spec->run(ctx, *args);
  if (!status) return Fail(status.error().message);
  return {};
}

ExecResult Session::RunHelp(const std::vector<std::string>& tokens, std::ostream& out) {
  if (tokens.size() < 2) {
    out << registry_.Listing();
    return {};
  }
  const cmd::CommandSpec* spec = registry_.Find(tokens[1]);
  if (!spec) return Fail(fmt::format("Help for {} not found", tokens[1]));
  out << cmd::DetailedHelp(*spec, kHelpWidth);
  return {};
}

}  // namespace clrdump::repl
