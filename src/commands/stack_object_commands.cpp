// Managed objects referenced from the current thread's stack and registers:
// `dumpstackobjects`/`dso`. dotnet-dump's command takes every pointer-sized
// stack slot and register whose value lies within the GC heap, and keeps
// those that a careful walk of the value's segment finds as an object start.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/register_fields.h"
#include "commands/target.h"
#include "runtime/heap.h"
#include "runtime/heap_verify.h"

namespace clrdump::cmd {
namespace {

constexpr uint64_t kPointerSize = 8;
// Scanned above the stack pointer when nothing better bounds the stack.
constexpr uint64_t kDefaultStackSpan = 0xFFFF;
// Scanned above the outermost managed frame.
constexpr uint64_t kAboveLastFrame = 0x2000;
// Frames further apart than this are on disjoint stacks (an alternate
// signal stack and the thread's own).
constexpr uint64_t kGapThreshold = 0x400000;
constexpr size_t kChunk = 64 * 1024;

uint64_t AlignDown(uint64_t address) { return address & ~(kPointerSize - 1); }
uint64_t AlignUp(uint64_t address) {
  if (address > UINT64_MAX - kPointerSize) return AlignDown(address);
  return (address + kPointerSize - 1) & ~(kPointerSize - 1);
}

struct Range {
  uint64_t start = 0;
  uint64_t end = 0;
  bool Contains(uint64_t address) const { return address >= start && address < end; }
  bool Set() const { return start != 0 && end != 0; }
};

// A slot (stack address, or register index below the register count)
// holding a value that may be an object.
struct Candidate {
  uint64_t slot = 0;
  uint64_t value = 0;
};

// Hex as SOS's ParseAddress takes it: an optional "0x", at most 16 digits.
std::optional<uint64_t> ParseHex(std::string text) {
  if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) text.erase(0, 2);
  text.erase(0, std::min(text.find_first_not_of('0'), text.size()));
  if (text.size() > 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    const int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10;
    value = value << 4 | static_cast<uint64_t>(digit);
  }
  if (value == 0) return std::nullopt;  // SOS reads 0 as no address
  return value;
}

// Two disjoint groups of frames: scan the one holding the stack pointer,
// and the other as well.
Range SplitStacks(const std::vector<uint64_t>& sps, size_t gap_index, uint64_t sp,
                  Range& additional) {
  const uint64_t lower_min = sps.front(), lower_max = sps[gap_index - 1];
  const uint64_t upper_min = sps[gap_index], upper_max = sps.back();
  Range lower{AlignDown(lower_min), AlignUp(lower_max + kAboveLastFrame)};
  Range upper{AlignDown(upper_min), AlignUp(upper_max + kAboveLastFrame)};
  const auto near = [&](uint64_t min, uint64_t max) {
    return sp >= std::max(min, kGapThreshold) - kGapThreshold && sp <= max + kAboveLastFrame;
  };
  if (near(lower_min, lower_max)) {
    additional = upper;
    return {AlignDown(std::min(sp, lower_min)), lower.end};
  }
  if (near(upper_min, upper_max)) {
    additional = lower;
    return {AlignDown(std::min(sp, upper_min)), upper.end};
  }
  additional = (upper_max - upper_min) >= (lower_max - lower_min) ? upper : lower;
  return {AlignDown(sp), AlignUp(sp + kDefaultStackSpan)};
}

// Linux has no TEB to bound the stack: the managed frames do.
Range StackRange(runtime::Runtime& rt, uint32_t tid, uint64_t sp, Range& additional) {
  const Range fallback{AlignDown(sp), AlignUp(sp + kDefaultStackSpan)};
  auto frames = rt.WalkStack(tid, {});
  if (!frames) return fallback;
  std::vector<uint64_t> sps;
  for (const auto& f : *frames) {
    if (f.sp != 0) sps.push_back(f.sp);
  }
  if (sps.empty()) return fallback;
  std::sort(sps.begin(), sps.end());
  uint64_t largest = 0;
  size_t gap_index = 0;
  for (size_t i = 1; i < sps.size(); ++i) {
    if (sps[i] - sps[i - 1] > largest) {
      largest = sps[i] - sps[i - 1];
      gap_index = i;
    }
  }
  if (largest > kGapThreshold && gap_index > 0) return SplitStacks(sps, gap_index, sp, additional);
  const uint64_t frame_end = sps.back() + kAboveLastFrame;
  const bool alt_stack =
      sp > frame_end || (sp < sps.front() && sps.front() - sp > kGapThreshold);
  if (alt_stack) {
    additional = {AlignDown(sps.front()), AlignUp(frame_end)};
    return fallback;
  }
  return {AlignDown(std::min(sp, sps.front())), AlignUp(frame_end)};
}

void AddStackCandidates(const dump::ProcessMemory& memory, Range stack, uint64_t min,
                        uint64_t max, std::vector<Candidate>& out) {
  std::vector<uint8_t> buffer(kChunk);
  for (uint64_t address = stack.start; stack.Contains(address);) {
    const size_t read = AlignDown(memory.Read(address, buffer));
    if (read < kPointerSize) return;
    for (size_t i = 0; i < read; i += kPointerSize) {
      const uint64_t slot = address + i;
      if (!stack.Contains(slot)) return;
      uint64_t value = 0;
      std::memcpy(&value, buffer.data() + i, sizeof value);
      if (min <= value && value < max) out.push_back({slot, value});
    }
    address += read;
  }
}

void AddRegisterCandidates(const dump::X64Registers& regs, uint64_t min, uint64_t max,
                           std::vector<Candidate>& out) {
  for (size_t i = 0; i < std::size(kRegisters); ++i) {
    const auto& r = kRegisters[i];
    const uint64_t mask = r.size == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * r.size)) - 1;
    const uint64_t value = regs.*r.value & mask;
    if (min <= value && value < max) out.push_back({i, value});
  }
}

struct Found {
  uint64_t slot = 0;
  runtime::HeapObject object;
};

// The candidates of one segment (sorted by value) that its walk finds as
// object starts.
// With `verifier`, only objects ClrMD finds no problem with (IsObjectCorrupted).
void MatchOnSegment(CommandContext& ctx, runtime::ManagedHeap& heap,
                    const runtime::GcSegment& segment, const std::vector<Candidate>& group,
                    runtime::HeapVerifier* verifier, std::vector<Found>& out) {
  const uint64_t first = group.front().value, end = group.back().value + 1;
  size_t index = 0;
  heap.Walk(segment, [&](const runtime::HeapObject& object) {
    if (ctx.cancelled()) return false;
    if (object.address < first) return true;
    if (object.address >= end || index >= group.size()) return false;
    while (index < group.size() && group[index].value < object.address) ++index;
    const bool keep = !verifier || !verifier->FirstProblem(object.address);
    while (index < group.size() && group[index].value == object.address) {
      if (keep) out.push_back({group[index].slot, object});
      ++index;
    }
    return true;
  });
}

// ClrMD's segment search: segments are sorted, candidates are visited in
// increasing order, so the index only moves forward.
const runtime::GcSegment* SegmentOf(const std::vector<const runtime::GcSegment*>& segments,
                                    uint64_t value, size_t& index) {
  for (; index < segments.size(); ++index) {
    if (value < segments[index]->objects.start) return nullptr;
    if (value < segments[index]->objects.end) return segments[index];
  }
  return nullptr;
}

std::vector<Found> ObjectsIn(CommandContext& ctx, runtime::ManagedHeap& heap,
                             std::vector<Candidate> candidates,
                             runtime::HeapVerifier* verifier) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.value < b.value; });
  std::vector<Found> found;
  const auto& segments = heap.segments();
  const runtime::GcSegment* current = nullptr;
  std::vector<Candidate> group;
  size_t index = 0;
  for (const auto& c : candidates) {
    if (ctx.cancelled()) break;
    const runtime::GcSegment* segment = SegmentOf(segments, c.value, index);
    if (!segment) continue;
    if (segment != current && !group.empty()) {
      MatchOnSegment(ctx, heap, *current, group, verifier, found);
      group.clear();
    }
    current = segment;
    group.push_back(c);
  }
  if (!group.empty()) MatchOnSegment(ctx, heap, *current, group, verifier, found);
  return found;
}

std::string TypeName(runtime::ManagedHeap& heap, const runtime::HeapObject& object) {
  if (!object.valid()) return "ERROR";
  const std::string& name = heap.TypeName(object.method_table);
  return name.empty() ? fmt::format("Unknown (MethodTable: {:012x})", object.method_table)
                      : name;
}

// A real stack slot is never below the register count, so the slot tells
// registers apart, as in dotnet-dump.
void PrintObjects(CommandContext& ctx, runtime::ManagedHeap& heap, std::vector<Found> found) {
  std::stable_sort(found.begin(), found.end(),
                   [](const Found& a, const Found& b) { return a.slot < b.slot; });
  ctx.out << fmt::format("{:>16} {:>16} {}\n", "SP/REG", "Object", "Name");
  for (size_t i = 0; i < found.size(); ++i) {
    if (ctx.cancelled()) break;
    if (i > 0 && found[i].slot == found[i - 1].slot) continue;
    const auto& f = found[i];
    const std::string slot = f.slot < std::size(kRegisters) ? kRegisters[f.slot].name
                                                            : fmt::format("{:012x}", f.slot);
    ctx.out << fmt::format("{:>16} {:>16} {}\n", slot, fmt::format("{:012x}", f.object.address),
                           TypeName(heap, f.object));
  }
}

Result<Range> BoundsFromArguments(const std::vector<std::string>& bounds) {
  if (bounds.size() != 2) return MakeError(ErrorCode::kInvalidArgument, "Invalid arguments.");
  auto start = ParseHex(bounds[0]);
  if (!start) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("Failed to parse start address '{}'.", bounds[0]));
  }
  auto end = ParseHex(bounds[1]);
  if (!end) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("Failed to parse end address '{}'.", bounds[1]));
  }
  if (*start > *end) std::swap(*start, *end);
  return Range{AlignDown(*start), AlignUp(*end)};
}

Status RunDumpStackObjects(CommandContext& ctx, const ParsedArgs& args) {
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  auto heap = ctx.target.heap();
  if (!heap || (*heap)->segments().empty()) {
    return MakeError(ErrorCode::kNotFound, "Cannot walk heap.");
  }
  const size_t index = ctx.target.current_thread();
  const auto& thread = ctx.target.core().threads().at(index);
  Range stack, additional;
  const auto& bounds = args.Values("stackbounds");
  if (bounds.empty()) {
    stack = StackRange(**rt, thread.tid, thread.regs.rsp, additional);
  } else {
    auto parsed = BoundsFromArguments(bounds);
    if (!parsed) return parsed.error();
    stack = *parsed;
  }
  if (!stack.Set()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("Invalid range {:x} - {:x}", stack.start, stack.end));
  }
  ctx.out << fmt::format("OS Thread Id: 0x{:x} ({})\n", thread.tid, index);
  if (additional.Set()) {
    ctx.out << fmt::format("Note: Thread appears to be on alternate signal stack. Also scanning "
                           "normal thread stack {:x}-{:x}.\n",
                           additional.start, additional.end);
  }
  runtime::ManagedHeap& walker = **heap;
  const auto& segments = walker.segments();
  // ClrMD bounds candidates by the first segment's start and the last one's end.
  const uint64_t min = segments.front()->objects.start;
  const uint64_t max = segments.back()->objects.end - kPointerSize;
  std::vector<Candidate> candidates;
  AddStackCandidates(ctx.target.memory(), stack, min, max, candidates);
  AddRegisterCandidates(thread.regs, min, max, candidates);
  std::optional<runtime::HeapVerifier> verifier;
  if (args.Has("-verify")) verifier.emplace(walker, **rt);
  runtime::HeapVerifier* verify = verifier ? &*verifier : nullptr;
  std::vector<Found> found = ObjectsIn(ctx, walker, candidates, verify);
  if (additional.Set()) {
    std::vector<Candidate> more;
    AddStackCandidates(ctx.target.memory(), additional, min, max, more);
    AddRegisterCandidates(thread.regs, min, max, more);
    for (auto& f : ObjectsIn(ctx, walker, more, verify)) found.push_back(f);
  }
  PrintObjects(ctx, walker, std::move(found));
  return Ok{};
}

}  // namespace

constexpr const char* kDetails =
    "This command will display any managed objects it finds within the bounds of \n"
    "the current stack. Combined with the stack tracing commands like K and \n"
    "!ClrStack, it is a good aid to determining the values of locals and \n"
    "parameters.\n"
    "\n"
    "If you use the -verify option, each non-static CLASS field of an object\n"
    "candidate is validated. This helps to eliminate false positives. It is not\n"
    "on by default because very often in a debugging scenario, you are \n"
    "interested in objects with invalid fields.\n"
    "\n"
    "The abbreviation 'dso' can be used for brevity.\n";

void AddStackObjectCommands(Registry& registry) {
  registry.Add({"dumpstackobjects",
                {"dso", "DumpStackObjects"},
                "Displays all managed objects found within the bounds of the current stack.",
                {{{"-verify"},
                  "Verify each object and only print ones that are valid objects.",
                  ValueType::kFlag}},
                ArgumentSpec{"stackbounds", "The top and bottom of the stack (in hex).",
                             ValueType::kString, true},
                RunDumpStackObjects,
                kDetails});
}

}  // namespace clrdump::cmd
