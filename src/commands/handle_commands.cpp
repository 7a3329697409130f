// `gchandles`, with native SOS's output: every GC handle with its object,
// then per-type statistics and handle counts (per AppDomain with
// -perdomain).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include <strings.h>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/sos_command_line.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::GcHandle;
using runtime::HandleKind;

// SOS's handle type names, in HandleKind's numbering.
constexpr const char* kKindNames[] = {"WeakShort", "WeakLong", "Strong",     "Pinned",
                                      "Variable",  "RefCounted", "Dependent", "AsyncPinned",
                                      "SizedRef",  "WeakWinRT", "WeakInteriorPointer"};

// SOS's handle-count labels, in its print order, with the kind counted.
struct CountRow {
  const char* label;
  int kind;  // -1: kinds SOS does not know
};
constexpr CountRow kCountRows[] = {
    {"Strong Handles:", 2},       {"Pinned Handles:", 3},
    {"Async Pinned Handles:", 7}, {"Ref Count Handles:", 5},
    {"Weak Long Handles:", 1},    {"Weak Short Handles:", 0},
    {"Weak WinRT Handles:", 9},   {"Weak Interior Pointer Handles:", 10},
    {"Variable Handles:", 4},     {"SizedRef Handles:", 8},
    {"Dependent Handles:", 6},    {"Other Handles:", -1}};

struct TypeStat {
  uint64_t count = 0;
  uint64_t size = 0;
};

struct DomainStats {
  uint64_t domain = 0;
  std::map<uint64_t, TypeStat> types;  // by MethodTable
  std::map<int, uint64_t> kinds;       // handle counts
};

int KindIndex(HandleKind kind) {
  const auto k = static_cast<uint32_t>(kind);
  return k < std::size(kKindNames) ? static_cast<int>(k) : -1;
}

// The object a handle holds, as SOS sizes and names it.
struct HandleTarget {
  uint64_t object = 0;
  uint64_t method_table = 0;
  uint64_t size = 0;
  std::string name;
  bool counted = false;  // a valid, non-free object
};

// SOS gives up on the whole walk at an object whose MethodTable it cannot
// read: the message (without a newline) comes back as the error.
Result<HandleTarget> ReadTarget(runtime::ManagedHeap& heap, runtime::Runtime& rt,
                                uint64_t handle) {
  HandleTarget t;
  auto object = heap.ReadPointer(handle);
  if (!object) {
    t.name = "<error>";
    return t;
  }
  t.object = *object;
  auto raw_mt = heap.ReadPointer(t.object);
  if (!raw_mt) {
    return MakeError(ErrorCode::kMalformedInput,
                     fmt::format("Failed to read memory at Object {:016x}.", t.object));
  }
  if (*raw_mt == 0) {
    return MakeError(ErrorCode::kMalformedInput,
                     fmt::format("Object {:016x} has a corrupt method table.", t.object));
  }
  t.method_table = *raw_mt & ~uint64_t{7};
  const runtime::HeapType* type = heap.Type(t.method_table);
  if (t.method_table == heap.globals().free_mt) {
    t.name = "<free>";
  } else if (!type) {
    t.name = "<error>";
  } else {
    uint64_t count = 0;
    if (type->data.component_size) {
      count = heap.ReadU32(t.object + 8).value_or(0) + (type->is_string ? 1 : 0);
    }
    t.size = std::max<uint64_t>(type->data.base_size + type->data.component_size * count, 24);
    t.counted = true;
  }
  if (t.name.empty()) {
    auto name = rt.GetMethodTableName(t.method_table);
    t.name = name ? *name : "<error>";
  }
  return t;
}

std::string Row(uint64_t handle, const char* kind, const HandleTarget& t, const std::string& data) {
  return fmt::format("{:016X} {:<11.11} {:016X} {:>8} {:>16} {}\n", handle, kind, t.object, t.size,
                     data, t.name);
}

std::string DataColumn(const GcHandle& h) {
  switch (h.kind) {
    case HandleKind::kRefCounted: return std::to_string(h.ref_count);
    case HandleKind::kDependent:
    case HandleKind::kWeakWinRT:
    case HandleKind::kWeakInteriorPointer: return fmt::format("{:016X}", h.secondary);
    default: return "";
  }
}

// SOS's HeapStat: ascending total size; equal sizes by descending
// MethodTable (the order its tree sort leaves them in).
void PrintStatistics(std::ostream& out, runtime::Runtime& rt, const DomainStats& stats) {
  out << "Statistics:\n" << fmt::format("{:>16} {:>8} {:>12} {}\n", "MT", "Count", "TotalSize",
                                        "Class Name");
  std::vector<std::pair<uint64_t, TypeStat>> rows(stats.types.begin(), stats.types.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.size != b.second.size ? a.second.size < b.second.size : a.first > b.first;
  });
  uint64_t total = 0;
  for (const auto& [mt, s] : rows) {
    auto name = rt.GetMethodTableName(mt);
    out << fmt::format("{:016x} {:>8} {:>12} {}\n", mt, static_cast<int32_t>(s.count), s.size,
                       name ? *name : "UNKNOWN");
    total += s.count;
  }
  out << fmt::format("Total {} objects\n", static_cast<int32_t>(total));
}

void PrintCounts(std::ostream& out, const DomainStats& stats) {
  out << "Handles:\n";
  for (const CountRow& row : kCountRows) {
    auto it = stats.kinds.find(row.kind);
    if (it == stats.kinds.end() || it->second == 0) continue;
    out << fmt::format("    {:<21.21} {}\n", row.label, static_cast<int32_t>(it->second));
  }
}

struct Options {
  bool per_domain = false;
  bool stat = false;
  std::optional<HandleKind> kind;
};

// nullopt after printing SOS's message (without a newline, as it does).
std::optional<Options> ParseOptions(const ParsedArgs& args, std::ostream& out) {
  auto parsed = ParseSosCommandLine(Joined(args.Values("arguments")),
                                    {"-perdomain", "-stat", "-type", "/d"}, 0, out, {"-type"});
  if (!parsed) {
    out << "Failed to parse command line arguments.";
    return std::nullopt;
  }
  Options o{parsed->Has("-perdomain"), parsed->Has("-stat"), std::nullopt};
  if (parsed->Has("-type")) {
    const std::string& wanted = parsed->option_values.at("-type");
    // SOS accepts every kind by name except Unknown.
    for (size_t k = 0; k < std::size(kKindNames); ++k) {
      if (strcasecmp(wanted.c_str(), kKindNames[k]) == 0) o.kind = static_cast<HandleKind>(k);
    }
    if (!o.kind) {
      out << "Unknown handle type '" << wanted << "'.";
      return std::nullopt;
    }
  }
  return o;
}

// The statistics buckets: one, or the shared, system and each AppDomain.
std::optional<std::vector<DomainStats>> MakeBuckets(runtime::Runtime& rt, bool per_domain) {
  std::vector<DomainStats> buckets;
  if (!per_domain) return std::vector<DomainStats>(1);
  auto store = rt.GetAppDomainStore();
  if (!store) return std::nullopt;
  if (store->shared_domain) buckets.push_back({store->shared_domain, {}, {}});
  if (store->system_domain) buckets.push_back({store->system_domain, {}, {}});
  auto list = rt.GetAppDomainList(store->domain_count);
  if (!list) return std::nullopt;
  for (uint64_t d : *list) buckets.push_back({d, {}, {}});
  return buckets;
}

// Lists the handles and counts them into `buckets`; false when SOS would
// stop (its message printed).
bool WalkHandles(CommandContext& ctx, runtime::ManagedHeap& heap, runtime::Runtime& rt,
                 const Options& options, std::vector<DomainStats>& buckets) {
  // SOS on Linux asks for four handles at a time.
  auto walk = rt.WalkHandles(4);
  if (!walk) {
    ctx.out << "Failed to walk the handle table.";
    return false;
  }
  for (const GcHandle& h : walk->handles) {
    if (ctx.cancelled()) return false;
    if (options.kind && *options.kind != h.kind) continue;
    DomainStats* bucket = &buckets.front();
    if (options.per_domain) {
      auto it = std::ranges::find(buckets, h.app_domain, &DomainStats::domain);
      bucket = it == buckets.end() ? nullptr : &*it;
    }
    const auto target = ReadTarget(heap, rt, h.address);
    if (!target) {
      ctx.out << target.error().message;
      return false;
    }
    const HandleTarget& t = *target;
    if (bucket && t.counted) {
      bucket->types[t.method_table].count++;
      bucket->types[t.method_table].size += t.size;
    }
    const int kind = KindIndex(h.kind);
    if (bucket) bucket->kinds[kind]++;
    if (!options.stat) {
      ctx.out << Row(h.address, kind < 0 ? "Unknown" : kKindNames[kind], t, DataColumn(h));
    }
  }
  if (walk->failure) {
    ctx.out << fmt::format("Error {:x} while walking the handle table.\n", *walk->failure);
  }
  return true;
}

void PrintSummaries(CommandContext& ctx, runtime::Runtime& rt, const Options& options,
                    const std::vector<DomainStats>& buckets) {
  auto store = options.per_domain ? rt.GetAppDomainStore()
                                  : Result<runtime::AppDomainStore>(runtime::AppDomainStore{});
  for (const DomainStats& stats : buckets) {
    if (options.per_domain) {
      ctx.out << std::string(78, '-') << "\n"
              << fmt::format("GC Handle Statistics for AppDomain {:016X}", stats.domain);
      if (store && stats.domain == store->shared_domain) {
        ctx.out << " (Shared Domain)\n";
      } else if (store && stats.domain == store->system_domain) {
        ctx.out << " (System Domain)\n";
      } else {
        ctx.out << "\n";
      }
    }
    if (!options.stat) ctx.out << "\n";
    PrintStatistics(ctx.out, rt, stats);
    // Filtered by kind, every handle is of it: SOS skips the counts.
    if (!options.kind) {
      ctx.out << "\n";
      PrintCounts(ctx.out, stats);
    }
  }
}

Status RunGcHandles(CommandContext& ctx, const ParsedArgs& args) {
  auto options = ParseOptions(args, ctx.out);
  if (!options) return Ok{};
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  auto buckets = MakeBuckets(**rt, options->per_domain);
  if (!buckets) {
    ctx.out << "Error getting per-appdomain handle information";
    return Ok{};
  }
  if (!options->stat) {
    ctx.out << fmt::format("{:>16} {:<11} {:>16} {:>8} {:>16} {}\n", "Handle", "Type", "Object",
                           "Size", "Data", "Type");
  }
  if (WalkHandles(ctx, **heap, **rt, *options, *buckets)) {
    PrintSummaries(ctx, **rt, *options, *buckets);
  }
  return Ok{};
}

}  // namespace

void AddHandleCommands(Registry& registry) {
  registry.Add({"gchandles",
                {},
                "Provides statistics about GCHandles in the process.",
                {},
                SosArguments(),
                RunGcHandles});
}

}  // namespace clrdump::cmd
