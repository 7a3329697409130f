// Managed thread commands served by the runtime model: `clrthreads`.
#include <fmt/format.h>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

Status RunClrThreads(CommandContext& ctx, const ParsedArgs& /*args*/) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  auto store = (*runtime)->GetThreadStore();
  if (!store) return store.error();
  auto threads = (*runtime)->GetThreads();
  if (!threads) return threads.error();
  ctx.out << fmt::format("ThreadCount:      {}\n", store->thread_count);
  ctx.out << fmt::format("UnstartedThread:  {}\n", store->unstarted_count);
  ctx.out << fmt::format("BackgroundThread: {}\n", store->background_count);
  ctx.out << fmt::format("PendingThread:    {}\n", store->pending_count);
  ctx.out << fmt::format("DeadThread:       {}\n", store->dead_count);
  for (const auto& t : *threads) {
    ctx.out << fmt::format("{} {:x} {:016X} {:x}\n", t.managed_id, t.os_id, t.address, t.state);
  }
  return Ok{};
}

}  // namespace

void AddClrThreadCommands(Registry& registry) {
  registry.Add({"clrthreads", {}, "Lists the managed threads running.", {}, std::nullopt,
                RunClrThreads});
}

}  // namespace clrdump::cmd
