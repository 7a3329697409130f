// Managed thread commands, with SOS's output: `clrthreads` and
// `threadstate`.
#include <fmt/format.h>

#include <charconv>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

constexpr uint32_t kThreadPoolWorker = 0x01000000;
constexpr uint32_t kCompletionPort = 0x08000000;

// SOS's Decimal(): at most five digits of precision, printed signed, so a
// lock count of 0xFFFFFFFF shows as -00001 and overflows its column.
std::string LockCount(uint32_t value) {
  const size_t precision = std::min<size_t>(std::to_string(value).size(), 5);
  const auto signed_value = static_cast<int32_t>(value);
  std::string digits = std::to_string(signed_value < 0 ? -int64_t{signed_value} : signed_value);
  if (digits.size() < precision) digits.insert(0, precision - digits.size(), '0');
  return fmt::format("{:>5}", (signed_value < 0 ? "-" : "") + digits);
}

std::string ExceptionColumn(Target& target, runtime::Runtime& rt, const runtime::ThreadStore& s,
                            const runtime::ManagedThread& t) {
  std::string text;
  if (t.address == s.finalizer_thread) text += "(Finalizer) ";
  if (t.address == s.gc_thread) text += "(GC) ";
  if (t.state & kThreadPoolWorker) {
    text += "(Threadpool Worker) ";
  } else if (t.state & kCompletionPort) {
    text += "(Threadpool Completion Port) ";
  }
  if (t.last_thrown_handle == 0) return text;
  const auto object = target.memory().ReadValue<uint64_t>(t.last_thrown_handle);
  const auto mt = object && *object ? target.memory().ReadValue<uint64_t>(*object) : std::nullopt;
  if (!mt) return text;
  auto name = rt.GetMethodTableName(*mt);
  text += name ? fmt::format("{} {:016x}", *name, *object)
               : fmt::format("<Invalid Object> ({:016x})", *object);
  if (t.first_nested_exception != 0) text += " (nested exceptions)";
  return text;
}

std::optional<size_t> DebuggerIndex(const Target& target, uint32_t os_id) {
  const auto& threads = target.core().threads();
  for (size_t i = 0; os_id != 0 && i < threads.size(); ++i) {
    if (threads[i].tid == os_id) return i;
  }
  return std::nullopt;
}

void PrintHeader(std::ostream& out, const runtime::ThreadStore& s) {
  out << fmt::format("ThreadCount:      {}\nUnstartedThread:  {}\nBackgroundThread: {}\n"
                     "PendingThread:    {}\nDeadThread:       {}\nHosted Runtime:   no\n",
                     s.thread_count, s.unstarted_count, s.background_count, s.pending_count,
                     s.dead_count);
  out << fmt::format("{:108}Lock  \n", "");
  out << fmt::format("{:>4} {:>4} {:>8} {:<16} {:>8} {:<11} {:<33} {:<16} {:<5} {:<3} {}\n",
                     "DBG", "ID", "OSID", "ThreadOBJ", "State", "GC Mode", "GC Alloc Context",
                     "Domain", "Count", "Apt", "Exception");
}

struct ClrThreadsFlags {
  bool live = false;
  bool special = false;
  bool managed_exception = false;
};

Result<ClrThreadsFlags> ParseClrThreadsFlags(const ParsedArgs& args, std::ostream& out) {
  ClrThreadsFlags flags;
  for (const auto& token : args.Values("arguments")) {
    if (token == "-live") {
      flags.live = true;
    } else if (token == "-special") {
      flags.special = true;
    } else if (token == "-managedexception") {
      flags.managed_exception = true;
    } else {
      // SOS prints this itself and fails without a message.
      out << "Unknown option: " << token << "\n";
      return MakeError(ErrorCode::kInvalidArgument, "");
    }
  }
  return flags;
}

Status SwitchToExceptionThread(CommandContext& ctx, const std::vector<runtime::ManagedThread>& all) {
  for (const auto& t : all) {
    if (t.last_thrown_handle == 0) continue;
    const auto object = ctx.target.memory().ReadValue<uint64_t>(t.last_thrown_handle);
    const auto index = DebuggerIndex(ctx.target, t.os_id);
    if (!object || *object == 0 || !index) continue;
    ctx.target.set_current_thread(*index);
    ctx.out << fmt::format("Found managed exception on thread {:x}\n", t.os_id);
    return Ok{};
  }
  return Ok{};
}

Status RunClrThreads(CommandContext& ctx, const ParsedArgs& args) {
  auto flags = ParseClrThreadsFlags(args, ctx.out);
  if (!flags) return flags.error();
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  runtime::Runtime& rt = **runtime;
  auto store = rt.GetThreadStore();
  if (!store) return store.error();
  auto threads = rt.GetThreads();
  if (!threads) return threads.error();
  if (flags->managed_exception) return SwitchToExceptionThread(ctx, *threads);
  PrintHeader(ctx.out, *store);
  for (const auto& t : *threads) {
    const auto index = DebuggerIndex(ctx.target, t.os_id);
    if (flags->live && !index) continue;
    std::string domain = fmt::format("{:016X}", t.domain);
    if (t.domain == 0) {
      auto from_context = rt.GetDomainFromContext(0);
      domain = from_context ? fmt::format("{:016X}", *from_context) : "<error>";
    }
    ctx.out << fmt::format(
        "{:>4} {:>4} {:>8x} {:016X} {:>8x} {:<11} {:016X}:{:016X} {:<16} {} {:<3} {}\n",
        index ? std::to_string(*index) : "XXXX", t.managed_id, t.os_id, t.address, t.state,
        t.cooperative ? "Cooperative" : "Preemptive", t.alloc_ptr, t.alloc_limit, domain,
        LockCount(t.lock_count), "Ukn", ExceptionColumn(ctx.target, rt, *store, t));
  }
  // Special threads are only listed on Windows, as in SOS.
  if (flags->special) ctx.out << "\n-special not supported.\n";
  return Ok{};
}

constexpr const char* kThreadStateNames[32] = {
    "Thread Abort Requested", "GC Suspend Pending", "User Suspend Pending",
    "Debug Suspend Pending", "GC On Transitions", "Legal to Join", "Yield Requested",
    "Hijacked by the GC", "Blocking GC for Stack Overflow", "Background", "Unstarted", "Dead",
    "CLR Owns", "CoInitialized", "In Single Threaded Apartment", "In Multi Threaded Apartment",
    "Reported Dead", "Fully initialized", "Task Reset", "Sync Suspended", "Debug Will Sync",
    "Stack Crawl Needed", "Suspend Unstarted", "Aborted", "Thread Pool Worker Thread",
    "Interruptible", "Interrupted", "Completion Port Thread", "Abort Initiated", "Finalized",
    "Failed to Start", "Detached"};

// SOS's expression evaluator reads a bare number as hex.
uint64_t ParseHexExpression(std::string text) {
  if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) text = text.substr(2);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

Status RunThreadState(CommandContext& ctx, const ParsedArgs& args) {
  std::string raw;
  for (const auto& token : args.Values("arguments")) raw += (raw.empty() ? "" : " ") + token;
  const uint64_t state = ParseHexExpression(raw);
  bool any = false;
  for (int bit = 0; bit < 32; ++bit) {
    if (state & (uint64_t{1} << bit)) {
      ctx.out << "    " << kThreadStateNames[bit] << "\n";
      any = true;
    }
  }
  if (!any) ctx.out << fmt::format("    No thread states for '{}'\n", raw);
  return Ok{};
}

ArgumentSpec SosArguments() {
  return {"arguments", "Arguments to SOS command.", ValueType::kString, true};
}

}  // namespace

void AddClrThreadCommands(Registry& registry) {
  registry.Add({"clrthreads", {}, "Lists the managed threads running.", {}, SosArguments(),
                RunClrThreads});
  registry.Add({"threadstate", {}, "Pretty prints the meaning of a threads state.", {},
                SosArguments(), RunThreadState});
}

}  // namespace clrdump::cmd
