// What the GC recorded about itself: `analyzeoom` (dotnet-dump's managed
// AnalyzeOOMCommand over ClrMD's OomInfo) and `dumpgcdata` (SOS's native
// DumpGCData over the GC_CONFIG_DRIVEN statistics).
#include <fmt/format.h>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::GcInterestingInfo;
using runtime::GcOomInfo;

// ClrMD's OutOfMemoryReason values, as AnalyzeOOMCommand words them.
std::string ReasonText(int32_t reason) {
  switch (reason) {
    case 1:  // Budget
    case 3:  // CantReserve
      return "OOM was due to an internal .Net error, likely a bug in the GC";
    case 2: return "Didn't have enough memory to commit";
    case 4: return "Didn't have enough memory to allocate an LOH segment";
    case 5: return "Low on memory during GC";
    case 6: return "Could not do a full GC";
    default: return std::to_string(reason);  // an enum's ToString of an unnamed value
  }
}

// ClrMD's GetMemoryFailureReason values.
std::string FailureText(int32_t failure) {
  switch (failure) {
    case 1: return "Failed to reserve memory";
    case 2: return "Didn't have enough memory to commit beginning of the segment";
    case 3: return "Didn't have enough memory to commit the new ephemeral segment";
    case 4: return "Didn't have enough memory to grow the internal GC data structures";
    case 5: return "Didn't have enough memory to commit the internal GC data structures";
    default: return std::to_string(failure);
  }
}

void PrintOom(std::ostream& out, const GcOomInfo& oom) {
  out << ReasonText(oom.reason) << "\n";
  if (oom.memory_failure == 0) return;
  out << fmt::format("Details: {} {} {} bytes\n", oom.large_object_heap ? "LOH" : "SOH",
                     FailureText(oom.memory_failure), IntegerCell(oom.size));
  if (oom.available_pagefile_mb != 0) {
    out << fmt::format(" - on GC entry available commit space was {} MB\n",
                       IntegerCell(oom.available_pagefile_mb));
  }
}

Status RunAnalyzeOom(CommandContext& ctx, const ParsedArgs&) {
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  bool found = false;
  for (const auto& sub : (*heap)->sub_heaps()) {
    auto oom = (*rt)->GetGcOomInfo(sub.address);
    // ClrMD treats an unreadable record like an empty one.
    if (!oom || (oom->reason == 0 && oom->memory_failure == 0)) continue;
    found = true;
    PrintOom(ctx.out, *oom);
  }
  if (!found) ctx.out << "There was no managed OOM due to allocations on the GC heap\n";
  return Ok{};
}

constexpr const char* kDataPoints[] = {
    "pre short",        "post short",       "merged pins",
    "converted pins",   "pre pin",          "post pin",
    "pre and post pin", "pre short padded", "post short padded"};

struct CompactReason {
  const char* name;
  bool mandatory;  // the GC must compact (M) rather than wants to (W)
};
constexpr CompactReason kCompactReasons[] = {
    {"low on ephemeral space", true},
    {"high fragmentation", false},
    {"couldn't allocate gaps", true},
    {"user specfied compact LOH", true},  // SOS's spelling
    {"last GC before OOM", true},
    {"induced compacting GC", true},
    {"fragmented gen0 (ephemeral GC)", false},
    {"high memory load (ephemeral GC)", false},
    {"high memory load and frag", true},
    {"very high memory load and frag", true},
    {"no gc mode", true}};

constexpr const char* kExpandMechanisms[] = {
    "reused seg with normal fit", "reused seg with best fit", "expand promoting eph",
    "expand with a new seg",      "no memory for a new seg",  "expand in next full GC"};

constexpr const char* kBitMechanisms[] = {"using mark list", "demotion"};

constexpr const char* kGlobalMechanisms[] = {"concurrent GCs",        "compacting GCs",
                                             "promoting GCs",         "GCs that did demotion",
                                             "card bundles",          "elevation logic"};

// SOS prints these size_t counters with %d: their low 32 bits, signed.
int32_t AsPrintfInt(uint64_t value) { return static_cast<int32_t>(static_cast<uint32_t>(value)); }

void PrintInterestingInfo(std::ostream& out, const GcInterestingInfo& info) {
  out << "Interesting data points\n";
  for (size_t i = 0; i < info.data_points.size(); ++i) {
    out << fmt::format("{:>20}: {}\n", kDataPoints[i], AsPrintfInt(info.data_points[i]));
  }
  out << "\nCompacting reasons\n";
  for (size_t i = 0; i < info.compact_reasons.size(); ++i) {
    const CompactReason& r = kCompactReasons[i];
    out << fmt::format("[{}]{:>35}: {}\n", r.mandatory ? "M" : "W", r.name,
                       AsPrintfInt(info.compact_reasons[i]));
  }
  out << "\nExpansion mechanisms\n";
  for (size_t i = 0; i < info.expand_mechanisms.size(); ++i) {
    out << fmt::format("{:>30}: {}\n", kExpandMechanisms[i],
                       AsPrintfInt(info.expand_mechanisms[i]));
  }
  out << "\nOther mechanisms enabled\n";
  for (size_t i = 0; i < info.bit_mechanisms.size(); ++i) {
    out << fmt::format("{:>20}: {}\n", kBitMechanisms[i], AsPrintfInt(info.bit_mechanisms[i]));
  }
}

Status RunDumpGcData(CommandContext& ctx, const ParsedArgs&) {
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  if (!(*heap)->server()) {
    // SOS ignores a failure here and prints the zeroed counters.
    auto global = (*rt)->GetGcGlobalMechanisms();
    const runtime::GcGlobalMechanisms counts = global ? *global : runtime::GcGlobalMechanisms{};
    for (size_t i = 0; i < counts.size(); ++i) {
      ctx.out << fmt::format("{:<30}: {}\n", kGlobalMechanisms[i], AsPrintfInt(counts[i]));
    }
    ctx.out << "\n[info per heap]\n";
    auto info = (*rt)->GetGcInterestingInfo(0);
    if (!info) {
      ctx.out << "Error requesting interesting GC info\n";
      return Ok{};
    }
    PrintInterestingInfo(ctx.out, *info);
    return Ok{};
  }
  ctx.out << "\n[info per heap]\n";
  for (const auto& sub : (*heap)->sub_heaps()) {
    auto info = (*rt)->GetGcInterestingInfo(sub.address);
    if (!info) {
      ctx.out << fmt::format("Heap {}: Error requesting interesting GC info\n", sub.index);
      return Ok{};
    }
    ctx.out << fmt::format("--------info for heap {}--------\n", sub.index);
    PrintInterestingInfo(ctx.out, *info);
    ctx.out << "\n";
  }
  return Ok{};
}

}  // namespace

void AddGcInfoCommands(Registry& registry) {
  registry.Add({"analyzeoom",
                {"AnalyzeOOM"},
                "Displays the info of the last OOM that occurred on an allocation request to the "
                "GC heap.",
                {},
                std::nullopt,
                RunAnalyzeOom});
  registry.Add({"dumpgcdata",
                {},
                "Displays information about the GC data.",
                {},
                ArgumentSpec{"arguments", "Arguments to SOS command.", ValueType::kString, true},
                RunDumpGcData});
}

}  // namespace clrdump::cmd
