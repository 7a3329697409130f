// clrdump entry point: parses the verb and its options (CLI11), then hands
// off to the verb. Exit codes follow dotnet-dump: 0 success, 1 usage error,
// 255 for a failed operation.
#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/analyze_verb.h"
#include "cli/collect_verb.h"
#include "cli/ps_verb.h"

namespace {

int TerminalWidth() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

void AddCollect(CLI::App& app, clrdump::cli::CollectOptions& o, std::string& type) {
  auto* c = app.add_subcommand("collect", "Capture dumps from a process");
  c->add_option("-p,--process-id", o.pid, "The process id to collect a memory dump.");
  c->add_option("-o,--output", o.output,
                "The path where collected dumps should be written. Defaults to "
                "'./core_YYYYMMDD_HHMMSS' where YYYYMMDD is Year/Month/Day and HHMMSS is "
                "Hour/Minute/Second. Otherwise, it is the full path and file name of the dump.");
  c->add_flag("--diag", o.diag, "Enable dump collection diagnostic logging.");
  c->add_flag("--crashreport", o.crash_report, "Enable crash report generation.");
  c->add_option("--type", type,
                "The dump type determines the kinds of information that are collected from the "
                "process. Full - all memory including the module images. Heap - module lists, "
                "thread lists, all stacks, exception and handle information, and all memory "
                "except for mapped images. Mini - module lists, thread lists, exception "
                "information and all stacks. Triage - like Mini with PII removed.")
      ->type_name("<Full|Heap|Mini|Triage>")
      ->default_str("Full")
      ->check([](const std::string& v) {
        return clrdump::cli::ParseDumpType(v)
                   ? std::string()
                   : "Cannot parse argument '" + v +
                         "' for option '--type'. Expected one of: Full, Heap, Mini, Triage";
      });
  c->add_option("-n,--name", o.name, "The name of the process to collect a memory dump.");
  c->add_option("--diagnostic-port,--dport", o.diagnostic_port,
                "The path to a diagnostic port to be used. Must be a runtime connect port.");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"clrdump: collect and analyze .NET process dumps (dotnet-dump compatible)",
               "clrdump"};
  app.set_version_flag("--version", std::string(CLRDUMP_VERSION));
  app.require_subcommand(1);
  app.set_help_flag("-h,--help,-?", "Show help and usage information");

  clrdump::cli::CollectOptions collect;
  std::string type = "Full";
  AddCollect(app, collect, type);
  app.add_subcommand("ps", "Lists the dotnet processes that dumps can be collected from.");
  clrdump::cli::AnalyzeOptions analyze;
  auto* a = app.add_subcommand(
      "analyze", "Starts an interactive shell with debugging commands to explore a dump");
  a->add_option("dump_path", analyze.dump_path, "Name of the dump file to analyze.")->required();
  a->add_option("-c,--command", analyze.commands,
                "Runs the command on start. Multiple instances of this parameter can be used in "
                "an invocation to chain commands. Commands will get run in the order that they "
                "are provided on the command line. If you want clrdump to exit after the "
                "commands, your last command should be 'exit'.")
      ->allow_extra_args(false);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 1;
  }
  if (app.got_subcommand("ps")) {
    return clrdump::cli::RunPs(std::cout, std::cerr, ::isatty(STDOUT_FILENO), TerminalWidth());
  }
  if (app.got_subcommand("analyze")) {
    return clrdump::cli::RunAnalyze(
        analyze, {::isatty(STDIN_FILENO) != 0, ::isatty(STDOUT_FILENO) != 0}, std::cout,
        std::cerr);
  }
  collect.type = *clrdump::cli::ParseDumpType(type);
  return clrdump::cli::RunCollect(collect, std::cout, std::cerr);
}
