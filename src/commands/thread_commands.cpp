// Native thread commands: `threads`/`setthread` and `registers`/`r`.
#include <fmt/format.h>

#include <charconv>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/register_fields.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

std::optional<uint64_t> ParseUnsigned(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Status SelectThread(Target& target, const std::string& text, bool by_tid) {
  const auto& threads = target.core().threads();
  const auto value = ParseUnsigned(text);
  if (by_tid) {
    for (size_t i = 0; value && i < threads.size(); ++i) {
      if (threads[i].tid == *value) {
        target.set_current_thread(i);
        return Ok{};
      }
    }
    return MakeError(ErrorCode::kNotFound, "Invalid thread id: " + text);
  }
  if (!value || *value >= threads.size()) {
    return MakeError(ErrorCode::kNotFound, "Invalid thread index: " + text);
  }
  target.set_current_thread(static_cast<size_t>(*value));
  return Ok{};
}

Status RunThreads(CommandContext& ctx, const ParsedArgs& args) {
  if (auto which = args.Value("thread")) return SelectThread(ctx.target, *which, args.Has("--tid"));
  const auto& threads = ctx.target.core().threads();
  for (size_t i = 0; i < threads.size(); ++i) {
    const auto& t = threads[i];
    ctx.out << fmt::format("{}{} 0x{:04X} ({})\n", i == ctx.target.current_thread() ? '*' : ' ',
                           i, t.tid, t.tid);
    if (!args.Has("--verbose")) continue;
    // Linux has no TEB; dotnet-dump prints 0.
    ctx.out << fmt::format("    IP  0x{:016X}\n    SP  0x{:016X}\n    FP  0x{:016X}\n"
                           "    TEB 0x{:016X}\n",
                           t.regs.rip, t.regs.rsp, t.regs.rbp, 0);
  }
  return Ok{};
}

Status RunRegisters(CommandContext& ctx, const ParsedArgs& args) {
  const auto& t = ctx.target.core().threads().at(ctx.target.current_thread());
  const bool verbose = args.Has("--verbose");
  for (size_t i = 0; i < std::size(kRegisters); ++i) {
    const auto& r = kRegisters[i];
    if (verbose) {
      ctx.out << fmt::format("{} Index = {} Offset = {} Size = {}\n", r.name, i, r.offset, r.size);
    }
    const uint64_t mask = r.size == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * r.size)) - 1;
    ctx.out << fmt::format("{} = 0x{:0{}X}\n", r.name, t.regs.*r.value & mask, r.size * 2);
  }
  return Ok{};
}

}  // namespace

void AddThreadCommands(Registry& registry) {
  registry.Add({"threads",
                {"setthread"},
                "Lists the threads in the target or sets the current thread.",
                {{{"-t", "--tid"}, "<thread> is an OS thread id.", ValueType::kFlag},
                 {{"-v", "--verbose"}, "Displays more details.", ValueType::kFlag}},
                ArgumentSpec{"thread",
                             "The thread index or id to set, otherwise displays the list of "
                             "threads.",
                             ValueType::kUInt32, false},
                RunThreads});
  registry.Add({"registers",
                {"r"},
                "Displays the thread's registers.",
                {{{"-v", "--verbose"}, "Displays more details.", ValueType::kFlag}},
                std::nullopt,
                RunRegisters});
}

}  // namespace clrdump::cmd
