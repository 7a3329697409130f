// Runtime commands: `setclrpath`, `eeversion`.
#include <unistd.h>

#include <climits>

#include <fmt/format.h>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

std::string Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  const std::string base = ::getcwd(cwd, sizeof cwd) ? cwd : "/";
  return base + "/" + path;
}

Status RunSetClrPath(CommandContext& ctx, const ParsedArgs& args) {
  if (args.Has("--clear")) {
    ctx.target.set_clr_path("");
    return Ok{};
  }
  if (auto path = args.Value("path")) {
    ctx.target.set_clr_path(Absolute(*path));
    ctx.out << fmt::format("Set load path for DAC/DBI to '{}'\n", ctx.target.clr_path());
    return Ok{};
  }
  const std::string& current = ctx.target.clr_path();
  ctx.out << fmt::format("Load path for DAC/DBI: '{}'\n", current.empty() ? "<none>" : current);
  return Ok{};
}

Status RunEEVersion(CommandContext& ctx, const ParsedArgs& /*args*/) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  runtime::Runtime& rt = **runtime;
  const std::string& version = rt.location().version_string;
  ctx.out << runtime::VersionNumber(version) << "\n";
  if (!version.empty()) ctx.out << version << "\n";
  auto gc = rt.GetGcHeapInfo();
  if (!gc) {
    ctx.out << "GC Heap not initialized, so GC mode is not determined yet.\n";
  } else if (gc->server) {
    ctx.out << fmt::format("Server mode with {} gc heaps\n", gc->heap_count);
    if (auto datas = rt.GetGcDynamicAdaptationMode()) ctx.out << fmt::format("DATAS {} \n", *datas);
  } else {
    ctx.out << "Workstation mode\n";
  }
  if (gc && !gc->structures_valid) ctx.out << "In plan phase of garbage collection\n";
  // Scripts look for this line; it names this tool instead of SOS.
  ctx.out << "SOS Version: clrdump " << CLRDUMP_VERSION << "\n";
  return Ok{};
}

}  // namespace

void AddRuntimeCommands(Registry& registry) {
  registry.Add({"setclrpath",
                {},
                "Sets the path to load coreclr DAC/DBI files.",
                {{{"-c", "--clear"}, "Clears the runtime directory path.", ValueType::kFlag}},
                ArgumentSpec{"path", "Runtime directory path.", ValueType::kString, false},
                RunSetClrPath});
  registry.Add({"eeversion",
                {},
                "Displays information about the runtime version.",
                {},
                ArgumentSpec{"arguments", "Arguments to SOS command.", ValueType::kString, true},
                RunEEVersion});
}

}  // namespace clrdump::cmd
