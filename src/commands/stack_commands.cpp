// Managed stack commands with SOS's output: `clrstack` (-f -r -n -c N
// -all -a -p -l). The walk comes from the runtime model; this file only
// formats.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "base/strings.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

struct ClrStackOptions {
  bool full = false;        // -f: module prefixes and displacements
  bool registers = false;   // -r
  bool no_lines = false;    // -n
  bool all = false;         // -all
  bool parameters = false;  // -p, or -a
  bool locals = false;      // -l, or -a
  size_t max_frames = 0;    // -c N; 0 = all
};

// SOS's text from `tokens[i]` to the end of the line, as it quotes it.
std::string RestOfLine(const std::vector<std::string>& tokens, size_t i) {
  std::string rest;
  for (; i < tokens.size(); ++i) rest += (rest.empty() ? "" : " ") + tokens[i];
  return rest;
}

// Sets the flag an option names; false when it names none.
bool SetFlag(const std::string& name, ClrStackOptions& o) {
  const std::pair<const char*, bool*> flags[] = {
      {"-f", &o.full},       {"-r", &o.registers}, {"-n", &o.no_lines},
      {"-all", &o.all},      {"-p", &o.parameters}, {"-l", &o.locals}};
  for (const auto& [flag, field] : flags) {
    if (name == flag) {
      *field = true;
      return true;
    }
  }
  if (name != "-a") return false;
  o.parameters = o.locals = true;
  return true;
}

// SOS's option rules: case-insensitive names, each at most once, -c takes a
// decimal count; up to two arguments (a variable and a frame, used only by
// -i) may follow the options.
Result<ClrStackOptions> ParseClrStackOptions(const std::vector<std::string>& tokens,
                                             std::ostream& out) {
  const auto invalid = [&](const std::string& text) -> Error {
    out << text << "\n";
    return MakeError(ErrorCode::kInvalidArgument, "");
  };
  ClrStackOptions o;
  std::vector<std::string> seen;
  size_t arguments = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty() || tokens[i][0] != '-') {
      if (++arguments > 2) return invalid("Incorrect argument: " + RestOfLine(tokens, i));
      continue;
    }
    if (arguments > 0) return invalid("Wrong option: " + RestOfLine(tokens, i));
    const std::string t = AsciiLower(tokens[i]);
    if (std::find(seen.begin(), seen.end(), t) != seen.end()) {
      return invalid("Invalid option: option specified multiple times: " + tokens[i]);
    }
    seen.push_back(t);
    if (SetFlag(t, o)) continue;
    if (t == "-c") {
      if (i + 1 >= tokens.size()) return invalid("Missing value for option " + tokens[i]);
      const std::string& v = tokens[++i];
      size_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      o.max_frames = ec == std::errc() && end == v.data() + v.size() ? n : 0;
    } else if (t == "-i" || t == "-gc") {
      return MakeError(ErrorCode::kUnsupported,
                       "clrstack " + tokens[i] + " is not supported by clrdump yet");
    } else {
      return invalid("Unknown option: " + tokens[i]);
    }
  }
  return o;
}

void PrintRegisters(std::ostream& out, const dump::X64Registers& r) {
  const std::pair<const char*, uint64_t> regs[] = {
      {"rsp", r.rsp}, {"rbp", r.rbp}, {"rip", r.rip}, {"rax", r.rax}, {"rbx", r.rbx},
      {"rcx", r.rcx}, {"rdx", r.rdx}, {"rsi", r.rsi}, {"rdi", r.rdi}, {"r8", r.r8},
      {"r9", r.r9},   {"r10", r.r10}, {"r11", r.r11}, {"r12", r.r12}, {"r13", r.r13},
      {"r14", r.r14}, {"r15", r.r15}};
  for (size_t i = 0; i < std::size(regs); i += 3) {
    out << "   ";
    for (size_t j = i; j < std::min(i + 3, std::size(regs)); ++j) {
      out << fmt::format(" {:>3}={:016x}", regs[j].first, regs[j].second);
    }
    out << "\n";
  }
}

std::string ManagedCallSite(Target& target, const runtime::StackFrame& f,
                            const ClrStackOptions& o, bool adjust) {
  if (f.method_desc == 0) return "<unknown>";
  std::string text;
  if (o.full && !f.module_path.empty()) text += FileNameOf(f.module_path) + "!";
  text += f.method_name.empty() ? "<unknown method>" : f.method_name;
  if (o.full && f.ip != f.native_code) {
    text += fmt::format(" + {}", static_cast<int32_t>(f.ip - f.native_code));
  }
  // A return address is the instruction after the call: its line is the
  // call's, so every frame but an innermost one looks up ip - 1.
  const auto il = adjust ? f.il_offset_before : f.il_offset;
  if (!o.no_lines && il) {
    if (auto line = target.source_lines().Find(f.module_path, f.method_token, *il)) {
      text += fmt::format(" [{} @ {}]", line->document, line->line);
    }
  }
  return text;
}

// SOS shows a value by its first 1, 2, 4 or 8 bytes; other sizes as 0.
std::string VariableValue(const runtime::FrameVariable& v) {
  using Data = runtime::FrameVariable::Data;
  if (v.data == Data::kNone) return "<no data>";
  if (v.data == Data::kUnreadable) return "<unable to retrieve data>";
  uint64_t value = 0;
  const size_t n = v.bytes.size();
  if (n == 1 || n == 2 || n == 4 || n == 8) {
    for (size_t i = n; i-- > 0;) value = value << 8 | v.bytes[i];
  }
  // A non-zero value is printed as an object address (lower case), zero
  // as a pointer (upper case, though only digits show).
  return fmt::format("0x{:016x}", value);
}

// Returns false where SOS stops: the runtime could not answer an index.
bool PrintParameters(std::ostream& out, const runtime::FrameVariables& params) {
  if (!params.count) return false;
  // SOS never resets this flag within a frame: once a parameter showed
  // where it lives, every later one gets "= " even without a name.
  bool printed_location = false;
  for (uint32_t i = 0; i < *params.count; ++i) {
    if (i == 0) out << "    PARAMETERS:\n";
    if (i >= params.items.size()) return false;
    const auto& p = params.items[i];
    out << "        ";
    if (!p.name.empty()) out << p.name << " ";
    if (p.location) {
      out << (p.location->in_register ? std::string("(<CLR reg>) ")
                                      : fmt::format("(0x{:016X}) ", p.location->address));
      printed_location = true;
    }
    if (!p.name.empty() || printed_location) out << "= ";
    out << VariableValue(p) << "\n";
  }
  return true;
}

void PrintLocals(std::ostream& out, const runtime::FrameVariables& locals) {
  if (!locals.count) return;
  for (uint32_t i = 0; i < *locals.count; ++i) {
    if (i == 0) out << "    LOCALS:\n";
    out << "        ";
    if (i >= locals.items.size()) return;
    const auto& l = locals.items[i];
    if (l.single_location) {
      if (l.location) {
        out << (l.location->in_register ? std::string("<CLR reg> ")
                                        : fmt::format("0x{:016X} ", l.location->address));
      }
      out << "= ";
    }
    out << VariableValue(l) << "\n";
  }
}

void PrintVariables(std::ostream& out, const runtime::StackFrame& f, const ClrStackOptions& o) {
  const bool params_complete = !o.parameters || PrintParameters(out, f.parameters);
  if (params_complete && o.locals) PrintLocals(out, f.locals);
  out << "\n";
}

void PrintFrames(CommandContext& ctx, const std::vector<runtime::StackFrame>& frames,
                 const ClrStackOptions& o) {
  ctx.out << "        Child SP               IP Call Site\n";
  size_t managed = 0, internal = 0, printed = 0;
  for (const auto& f : frames) {
    if (ctx.cancelled()) {
      ctx.out << "<interrupted>\n";
      return;
    }
    if (f.frame_address != 0) {
      std::string site = fmt::format("[{}: {:016x}] ", f.frame_name.empty() ? "Frame" : f.frame_name,
                                     f.frame_address);
      if (f.method_desc != 0) {
        if (o.full && !f.module_path.empty()) site += FileNameOf(f.module_path) + "!";
        site += f.method_name.empty() ? "<unknown method>" : f.method_name;
      }
      ctx.out << fmt::format("{:016X} {:>16} {}\n", f.frame_address,
                             o.full ? "" : fmt::format("{:016x}", f.ip), site);
      ++internal;
    } else {
      const bool adjust = managed > 0 || internal > 0;
      ctx.out << fmt::format("{:016X} {:016X} {}\n", f.sp, f.ip,
                             ManagedCallSite(ctx.target, f, o, adjust));
      ++managed;
      if (o.parameters || o.locals) PrintVariables(ctx.out, f, o);
    }
    if (o.registers) PrintRegisters(ctx.out, f.registers);
    if (o.max_frames != 0 && ++printed == o.max_frames) break;
  }
}

runtime::StackWalkOptions WalkOptions(const ClrStackOptions& o) {
  return {.parameters = o.parameters, .locals = o.locals};
}

Status PrintOneThread(CommandContext& ctx, runtime::Runtime& rt, const ClrStackOptions& o) {
  const size_t index = ctx.target.current_thread();
  const uint32_t tid = ctx.target.core().threads().at(index).tid;
  ctx.out << fmt::format("OS Thread Id: 0x{:x} ({})\n", tid, index);
  auto frames = rt.WalkStack(tid, WalkOptions(o));
  if (!frames) {
    ctx.out << "Unable to walk the managed stack. The current thread is likely not a \n"
               "managed thread. You can run clrthreads to get a list of managed threads in\n"
               "the process\n"
               "Failed to start stack walk: 80070057\n";
    return Ok{};
  }
  PrintFrames(ctx, *frames, o);
  return Ok{};
}

Status PrintAllThreads(CommandContext& ctx, runtime::Runtime& rt, const ClrStackOptions& o) {
  auto threads = rt.GetThreads();
  if (!threads) {
    ctx.out << "Failed to request ThreadStore\n";
    return Ok{};
  }
  for (const auto& t : *threads) {
    if (ctx.cancelled()) break;
    if (t.os_id == 0) continue;
    ctx.out << fmt::format("OS Thread Id: 0x{:x}\n", t.os_id);
    auto frames = rt.WalkStack(t.os_id, WalkOptions(o));
    if (!frames) {
      ctx.out << "Failed to start stack walk: 80070057\n";
      continue;
    }
    PrintFrames(ctx, *frames, o);
  }
  return Ok{};
}

Status RunClrStack(CommandContext& ctx, const ParsedArgs& args) {
  auto options = ParseClrStackOptions(args.Values("arguments"), ctx.out);
  if (!options) return options.error();
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  return options->all ? PrintAllThreads(ctx, **runtime, *options)
                      : PrintOneThread(ctx, **runtime, *options);
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
