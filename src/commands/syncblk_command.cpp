// `syncblk`, with native SOS's output: the sync blocks whose monitor is
// held (all of them with -all, or the one asked for), their owners, and
// the table's totals.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/sos_command_line.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

// GetValueForCMD's COSIZE_T on 64-bit: hex digits (after an optional 0x)
// are read with _atoi64, decimal up to the first non-digit, so "0x10" is 0;
// any other word goes to the expression evaluator (hex numbers only, here).
uint64_t SizeValue(std::string_view token) {
  std::string_view digits = token;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  if (!std::ranges::all_of(digits, [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return HexOrZero(token);
  }
  uint64_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') break;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// What SOS prints for a holding thread: its OS id (hex) and debugger
// index; nullopt when the runtime does not know the thread.
std::optional<std::string> OwnerColumn(CommandContext& ctx, runtime::Runtime& rt,
                                       uint64_t thread) {
  if (thread == ~uint64_t{0}) return " orphaned ";
  if (thread == 0) return "    none  ";
  auto t = rt.GetThread(thread);
  if (!t) return std::nullopt;
  const auto& threads = ctx.target.core().threads();
  for (size_t i = 0; t->os_id != 0 && i < threads.size(); ++i) {
    if (threads[i].tid == t->os_id) return fmt::format("{:x}{:4} ", t->os_id, i);
  }
  return fmt::format("{:x} XXX ", t->os_id);
}

// SOS's object type name: Free, the DAC's name, or <error>.
std::string TypeName(runtime::Runtime& rt, runtime::ManagedHeap& heap, uint64_t object) {
  auto mt = heap.ReadPointer(object);
  if (!mt || *mt == 0) return "<error>";
  const uint64_t method_table = *mt & ~uint64_t{7};
  if (method_table == heap.globals().free_mt) return "Free";
  auto name = rt.GetMethodTableName(method_table);
  return name ? *name : "<error>";
}

Status RunSyncBlk(CommandContext& ctx, const ParsedArgs& args) {
  auto parsed = ParseSosCommandLine(Joined(args.Values("arguments")), {"-all", "/d"}, 1, ctx.out);
  // SOS fails the command here, which ends a batch.
  if (!parsed) return parsed.error();
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  const bool all = parsed->Has("-all");
  const uint64_t asked = parsed->tokens.empty() ? 0 : SizeValue(parsed->tokens[0]);
  auto first = (*rt)->GetSyncBlockEntry(1);
  if (!first) {
    ctx.out << "Error requesting SyncBlk data\n";
    return Ok{};
  }
  const uint32_t count = first->table_count;
  ctx.out << "Index         SyncBlock MonitorHeld Recursion Owning Thread Info          "
             "SyncBlock Owner\n";
  uint32_t free_count = 0;
  for (uint32_t index = 1; index <= count; ++index) {
    if (ctx.cancelled()) return Ok{};
    if (asked && index != asked) continue;
    auto entry = (*rt)->GetSyncBlockEntry(index);
    if (!entry) {
      ctx.out << fmt::format("SyncBlock {} is invalid{}\n", index,
                             index != asked ? ", continuing..." : "");
      continue;
    }
    const runtime::SyncBlock& b = entry->block;
    const bool print = all || index == asked || (b.monitor_held > 0 && !entry->free);
    if (print) {
      ctx.out << fmt::format("{:5} ", index);
      if (!entry->free || index != asked) {
        ctx.out << fmt::format("{:016X}  {:11} {:9} {:016X} ", b.address,
                               static_cast<int32_t>(b.monitor_held),
                               static_cast<int32_t>(b.recursion), b.holding_thread);
        auto owner = OwnerColumn(ctx, **rt, b.holding_thread);
        if (!owner) {
          ctx.out << fmt::format("Failed to request Thread at {:016X}\n", b.holding_thread);
          return Ok{};
        }
        ctx.out << *owner;
        ctx.out << (entry->free ? fmt::format("  {:8}", 0)
                                : fmt::format("  {:016x} {}", b.object,
                                              TypeName(**rt, **heap, b.object)));
      }
    }
    if (entry->free) {
      ++free_count;
      if (print) ctx.out << " Free";
    }
    if (print) ctx.out << "\n";
  }
  ctx.out << "-----------------------------\n"
          << fmt::format("Total           {}\nFree            {}\n", static_cast<int32_t>(count),
                         free_count);
  return Ok{};
}

}  // namespace

void AddSyncBlkCommand(Registry& registry) {
  registry.Add({"syncblk",
                {},
                "Displays the SyncBlock holder info.",
                {},
                SosArguments(),
                RunSyncBlk});
}

}  // namespace clrdump::cmd
