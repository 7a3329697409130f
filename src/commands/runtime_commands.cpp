// Runtime selection commands: `setclrpath`.
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

}  // namespace

void AddRuntimeCommands(Registry& registry) {
  registry.Add({"setclrpath",
                {},
                "Sets the path to load coreclr DAC/DBI files.",
                {{{"-c", "--clear"}, "Clears the runtime directory path.", ValueType::kFlag}},
                ArgumentSpec{"path", "Runtime directory path.", ValueType::kString, false},
                RunSetClrPath});
}

}  // namespace clrdump::cmd
