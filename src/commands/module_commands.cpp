// Native module commands: `modules`/`lm`.
#include <fmt/format.h>

#include <regex>

#include "base/strings.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

Status RunModules(CommandContext& ctx, const ParsedArgs& args) {
  std::optional<std::regex> filter;
  if (auto pattern = args.Value("--name")) {
    try {
      filter.emplace(*pattern);
    } catch (const std::regex_error& e) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("Invalid regular expression '{}': {}", *pattern, e.what()));
    }
  }
  uint64_t total = 0;
  for (const auto& m : ctx.target.modules()) {
    // The total counts every module, shown or not, as dotnet-dump's does.
    total += m.size;
    if (filter && !std::regex_search(FileNameOf(m.path), *filter)) continue;
    ctx.out << fmt::format("{:016X} {:08X} {}\n", m.base, m.size, m.path);
  }
  ctx.out << fmt::format("Total image size: {}\n", total);
  return Ok{};
}

}  // namespace

void AddModuleCommands(Registry& registry) {
  registry.Add({"modules",
                {"lm"},
                "Displays the native modules in the process.",
                {{{"-n", "--name"}, "RegEx filter on module name (path not included).",
                  ValueType::kString}},
                std::nullopt,
                RunModules});
}

}  // namespace clrdump::cmd
