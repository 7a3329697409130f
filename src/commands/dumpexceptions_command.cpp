// `dumpexceptions`, with dotnet-dump's output: every exception object on
// the GC heap (optionally of one generation or type) with its message and
// the first frame of its stack trace, read as ClrMD reads them.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/heap_filter.h"
#include "commands/roots_output.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::HeapObject;
using runtime::ManagedHeap;

// ClrMD's StackTraceInfo: a header of two pointers (the first holds the
// frame count), then frames of ip, sp, MethodDesc and flags.
constexpr uint64_t kTraceHeaderSize = 16;
constexpr uint64_t kTraceFrameSize = 32;

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

class ExceptionTypes {
 public:
  explicit ExceptionTypes(ManagedHeap& heap) : heap_(heap) {}

  // Whether the type or one of its bases is System.Exception.
  bool IsException(uint64_t method_table) {
    auto [it, added] = known_.try_emplace(method_table, false);
    if (!added) return it->second;
    bool result = false;
    uint64_t mt = method_table;
    // Bounded: a corrupt parent chain must not loop.
    for (int depth = 0; mt != 0 && depth < 256 && !result; ++depth) {
      result = mt == heap_.globals().exception_mt;
      const runtime::HeapType* type = heap_.Type(mt);
      mt = type ? type->data.parent : 0;
    }
    return known_[method_table] = result;
  }

 private:
  ManagedHeap& heap_;
  std::unordered_map<uint64_t, bool> known_;
};

// The first frame of the exception's stack trace as ClrMD reads it:
// nullopt when there is none, "" when its method is unknown.
std::optional<std::string> FirstFrame(ManagedHeap& heap, runtime::Runtime& rt,
                                      uint64_t stack_trace) {
  if (stack_trace == 0) return std::nullopt;
  const uint64_t length = heap.ReadU32(stack_trace + 8).value_or(0);
  if (length < kTraceHeaderSize) return std::nullopt;
  const uint64_t data = stack_trace + 16;
  const auto count = static_cast<int32_t>(heap.ReadU32(data).value_or(0));
  if (count <= 0 || (length - kTraceHeaderSize) / kTraceFrameSize == 0) return std::nullopt;
  const uint64_t method_desc = heap.ReadPointer(data + kTraceHeaderSize + 16).value_or(0);
  auto name = rt.GetMethodDescName(method_desc);
  return name ? *name : std::string();
}

void PrintException(CommandContext& ctx, ManagedHeap& heap, runtime::Runtime& rt, Table& table,
                    const HeapObject& object) {
  table.WriteRow({PointerCell(object.address), PointerCell(object.method_table),
                  heap.TypeName(object.method_table)});
  auto info = rt.GetException(object.address);
  std::optional<std::string> message;
  if (info && info->message && heap.Type(heap.ReadPointer(info->message).value_or(0))) {
    auto text = rt.GetStringContents(info->message);
    if (text) message = *text;
  }
  ctx.out << "        Message: " << message.value_or("<null>") << "\n";
  if (auto frame = FirstFrame(heap, rt, info ? info->stack_trace : 0)) {
    ctx.out << "        StackFrame: " << *frame << "\n";
  }
}

Status RunDumpExceptions(CommandContext& ctx, const ParsedArgs& args) {
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  ManagedHeap& h = **heap;
  HeapFilter filter(h);
  if (auto gen = args.Value("-gen"); gen && gen->find_first_not_of(" \t") != std::string::npos) {
    auto g = ParseGeneration(*gen);
    if (!g) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Unknown generation: " + *gen +
                           ". Only gen0, gen1, gen2, loh (large), poh (pinned) and foh (frozen) "
                           "are supported");
    }
    filter.set_generation(*g);
  }
  std::optional<std::string> type;
  if (auto t = args.Value("-type"); t && t->find_first_not_of(" \t") != std::string::npos) {
    type = Lower(*t);
  }
  Table table(ctx.out, {columns::Pointer(), columns::Pointer(), columns::TypeName()});
  table.WriteHeader({"Address", "MethodTable", "Message", "Name"});
  ExceptionTypes exceptions(h);
  // Both together mean neither, as in dotnet-dump.
  const bool by_liveness = args.Has("-live") != args.Has("-dead");
  const bool want_live = args.Has("-live");
  const runtime::AddressSet* live = nullptr;
  Status live_status = Ok{};
  // The live set is computed when the first exception reaches the test, so
  // its messages follow the header as in dotnet-dump.
  auto passes_liveness = [&](uint64_t address) {
    if (!by_liveness) return true;
    if (!live) {
      auto set = LiveObjects(ctx, true);
      if (!set) {
        live_status = set.error();
        return false;
      }
      live = *set;
    }
    return live->Contains(address) == want_live;
  };
  int total = 0;
  for (const runtime::GcSegment* segment : filter.Segments(nullptr, true)) {
    h.Walk(*segment, [&](const HeapObject& object) {
      if (ctx.cancelled() || !live_status) return false;
      if (!object.valid() || !filter.Accepts(*segment, object)) return true;
      if (!exceptions.IsException(object.method_table)) return true;
      if (!passes_liveness(object.address)) return true;
      if (type && Lower(h.TypeName(object.method_table)).find(*type) == std::string::npos) {
        return true;
      }
      ++total;
      PrintException(ctx, h, **rt, table, object);
      return true;
    });
    if (!live_status) return live_status;
    if (ctx.cancelled()) return Ok{};
  }
  ctx.out << "\n    Total: " << total << " objects\n";
  return Ok{};
}

}  // namespace

void AddDumpExceptionsCommand(Registry& registry) {
  registry.Add({"dumpexceptions",
                {},
                "Displays a list of all managed exceptions.",
                {{{"-live"}, "", ValueType::kFlag},
                 {{"-dead"}, "", ValueType::kFlag},
                 {{"-gen"}, "", ValueType::kString},
                 {{"-type"}, "", ValueType::kString}},
                std::nullopt,
                RunDumpExceptions});
}

}  // namespace clrdump::cmd
