// Managed stack commands: `clrstack`.
#include <fmt/format.h>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

Status PrintThreadStack(CommandContext& ctx, runtime::Runtime& rt, size_t index) {
  const auto& thread = ctx.target.core().threads().at(index);
  ctx.out << fmt::format("OS Thread Id: 0x{:x} ({})\n", thread.tid, index);
  auto frames = rt.WalkStack(thread.tid);
  if (!frames) return frames.error();
  ctx.out << "        Child SP               IP Call Site\n";
  for (const auto& f : *frames) {
    if (f.frame_address != 0) {
      ctx.out << fmt::format("{:016X} {:016x} [{}: {:016x}] {}\n", f.frame_address, f.ip,
                             f.frame_name, f.frame_address, f.method_name);
    } else {
      ctx.out << fmt::format("{:016X} {:016X} {}\n", f.sp, f.ip, f.method_name);
    }
  }
  return Ok{};
}

Status RunClrStack(CommandContext& ctx, const ParsedArgs& /*args*/) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  return PrintThreadStack(ctx, **runtime, ctx.target.current_thread());
}

}  // namespace

void AddStackCommands(Registry& registry) {
  registry.Add({"clrstack",
                {},
                "Provides a stack trace of managed code only.",
                {},
                ArgumentSpec{"arguments", "Arguments to SOS command.", ValueType::kString, true},
                RunClrStack});
}

}  // namespace clrdump::cmd
