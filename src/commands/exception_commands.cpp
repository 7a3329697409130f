// `printexception`/`pe`, with SOS's output: an exception object's fields,
// its generated stack trace (optionally with source lines) and the nested
// exceptions of the current thread.
#include <fmt/format.h>

#include <charconv>

#include "base/strings.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

// The exception code every managed throw carries.
constexpr uint32_t kManagedExceptionCode = 0xE0434352;
// HRESULTs of exceptions SOS treats as raised by hardware (their saved
// IPs point at the faulting instruction, not after a call).
constexpr uint32_t kAsyncHResults[] = {0x80070216, 0x80131516, 0x80020012,
                                       0x80131537, 0x80004003, 0x80131541};
// A frame of the runtime's StackTraceInfo: ip, sp, MethodDesc, flags.
constexpr uint64_t kStackElementSize = 32;

struct PeOptions {
  bool nested = false;
  bool lines = false;
  std::optional<std::string> address;
};

uint64_t ParseAddress(std::string text) {
  if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) text = text.substr(2);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

class ExceptionPrinter {
 public:
  ExceptionPrinter(CommandContext& ctx, runtime::Runtime& rt, bool lines)
      : ctx_(ctx), rt_(rt), lines_(lines) {}

  void Print(uint64_t object);

 private:
  bool IsException(uint64_t method_table);
  void PrintStackTrace(const runtime::ExceptionInfo& info);
  void PrintFrame(uint64_t ip, uint64_t sp, uint64_t method_desc, bool adjust);
  std::string ModuleName(const runtime::MethodInfo& method);

  CommandContext& ctx_;
  runtime::Runtime& rt_;
  bool lines_;
};

bool ExceptionPrinter::IsException(uint64_t method_table) {
  auto globals = rt_.GetUsefulGlobals();
  if (!globals) return false;
  // Bounded: a corrupt parent chain must not loop.
  for (int depth = 0; method_table != 0 && depth < 256; ++depth) {
    if (method_table == globals->exception_mt) return true;
    auto parent = rt_.GetParentMethodTable(method_table);
    if (!parent) return false;
    method_table = *parent;
  }
  return false;
}

void ExceptionPrinter::Print(uint64_t object) {
  auto& out = ctx_.out;
  auto info = rt_.GetObject(object);
  if (!info) {
    out << fmt::format("Invalid exception object: {:016x}\n", object);
    return;
  }
  if (!IsException(info->method_table)) {
    out << "Not a valid exception object\n";
    return;
  }
  out << fmt::format("Exception object: {:016x}\n", object);
  auto type = rt_.GetMethodTableName(info->method_table);
  out << "Exception type:   " << (type ? *type : "<Unknown>") << "\n";
  auto ex = rt_.GetException(object);
  if (!ex) return;
  auto message = ex->message ? rt_.GetStringContents(ex->message) : Result<std::string>("");
  out << "Message:          "
      << (ex->message ? (message ? *message : "<Invalid Object>") : "<none>") << "\n";
  out << "InnerException:   ";
  if (ex->inner) {
    auto inner = rt_.GetObject(ex->inner);
    auto name = inner ? rt_.GetMethodTableName(inner->method_table) : Result<std::string>("");
    if (inner && name) {
      out << fmt::format("{}, Use printexception {:016X} to see more.\n", *name, ex->inner);
    } else {
      out << "<invalid MethodTable of inner exception>";
    }
  } else {
    out << "<none>\n";
  }
  out << "StackTrace (generated):\n";
  PrintStackTrace(*ex);
  out << "StackTraceString: ";
  if (ex->stack_trace_string) {
    auto text = rt_.GetStringContents(ex->stack_trace_string);
    out << (text ? *text : "<Invalid Object>") << "\n\n";
  } else {
    out << "<none>\n";
  }
  out << fmt::format("HResult: {:x}\n", ex->hresult);
}

void ExceptionPrinter::PrintStackTrace(const runtime::ExceptionInfo& ex) {
  auto& out = ctx_.out;
  const auto& memory = ctx_.target.memory();
  uint64_t array = ex.stack_trace;
  if (array == 0) {
    out << "<none>\n";
    return;
  }
  // With keep-alive objects the trace is an object[] whose element 0 is
  // the byte[] holding it.
  auto globals = rt_.GetUsefulGlobals();
  auto info = rt_.GetObject(array);
  if (info && globals && info->element_type == globals->object_mt) {
    array = memory.ReadValue<uint64_t>(array + 0x10).value_or(0);
  }
  const auto length = memory.ReadValue<uint32_t>(array + 8);
  if (!length || *length == 0) {
    out << "<Not Available>\n";
    return;
  }
  const uint64_t data = array + 0x10;
  const uint64_t count = memory.ReadValue<uint64_t>(data).value_or(0);
  if (count == 0) {
    out << "Unable to decipher generated stack trace\n";
    return;
  }
  out << "    SP               IP               Function\n";
  bool async = ex.xcode != kManagedExceptionCode;
  for (uint32_t hr : kAsyncHResults) async = async || ex.hresult == hr;
  // The array's own length bounds the frames, whatever the header claims.
  const uint64_t frames = std::min<uint64_t>(static_cast<uint32_t>(count),
                                             (*length > 16 ? *length - 16 : 0) / kStackElementSize);
  for (uint64_t i = 0; i < frames; ++i) {
    const uint64_t at = data + 16 + i * kStackElementSize;
    const auto ip = memory.ReadValue<uint64_t>(at);
    const auto sp = memory.ReadValue<uint64_t>(at + 8);
    const auto md = memory.ReadValue<uint64_t>(at + 16);
    if (!ip || !sp || !md) break;
    PrintFrame(async ? *ip + 1 : *ip, *sp, *md, !async || i > 0);
  }
  out << "\n";
}

// The module whose image holds `image_base`, as dotnet-dump's module
// service finds it.
std::string ExceptionPrinter::ModuleName(const runtime::MethodInfo& method) {
  const uint64_t base = method.module_image_base;
  for (const auto& m : ctx_.target.modules()) {
    if (base >= m.base && base - m.base < m.size) return FileNameOf(m.path);
  }
  // Not a module the dump maps: the runtime's own name for the file.
  return method.module_file.empty() ? "UNKNOWN" : FileNameOf(method.module_file);
}

void ExceptionPrinter::PrintFrame(uint64_t ip, uint64_t sp, uint64_t method_desc, bool adjust) {
  auto method = rt_.GetMethod(method_desc);
  if (!method) return;  // SOS skips frames it cannot resolve
  std::string name = method->name.empty() ? "UNKNOWN" : method->name;
  if (const size_t bang = name.find('!'); bang != std::string::npos) name = name.substr(bang + 1);
  std::string text =
      fmt::format("{:016X} {:016X} {}!{}", sp, ip, ModuleName(*method), name);
  if (ip != method->native_code) {
    text += fmt::format("+{:#x}", static_cast<uint32_t>(ip - method->native_code));
  }
  if (lines_) {
    const uint64_t lookup = adjust && ip > method->native_code ? ip - 1 : ip;
    if (auto code = rt_.LocateCode(lookup); code && code->il_offset) {
      if (auto line = ctx_.target.source_lines().Find(code->module_path, code->method_token,
                                                      *code->il_offset)) {
        text += fmt::format(" [{} @ {}]", line->document, line->line);
      }
    }
  }
  ctx_.out << "    " << text << "\n";
}

Result<PeOptions> ParsePeOptions(const std::vector<std::string>& tokens, std::ostream& out) {
  PeOptions o;
  for (const auto& t : tokens) {
    if (t == "-nested") {
      o.nested = true;
    } else if (t == "-lines" || t == "-l") {
      o.lines = true;
    } else if (!t.empty() && t[0] == '-') {
      out << "Unknown option: " << t << "\n";
      return MakeError(ErrorCode::kInvalidArgument, "");
    } else if (o.address) {
      out << "Incorrect argument: " << t << "\n";
      return MakeError(ErrorCode::kInvalidArgument, "");
    } else {
      o.address = t;
    }
  }
  return o;
}

std::optional<runtime::ManagedThread> CurrentManagedThread(Target& target, runtime::Runtime& rt) {
  const uint32_t tid = target.core().threads().at(target.current_thread()).tid;
  auto threads = rt.GetThreads();
  if (!threads) return std::nullopt;
  for (const auto& t : *threads) {
    if (t.os_id == tid && tid != 0) return t;
  }
  return std::nullopt;
}

Status PrintNested(CommandContext& ctx, runtime::Runtime& rt, ExceptionPrinter& printer,
                   const PeOptions& o, const std::optional<runtime::ManagedThread>& thread) {
  if (!thread) {
    ctx.out << "The current thread is unmanaged\n";
    return MakeError(ErrorCode::kInvalidArgument, "");
  }
  if (thread->first_nested_exception == 0) return Ok{};
  if (!o.nested) {
    ctx.out << "There are nested exceptions on this thread. Run with -nested for details\n";
    return Ok{};
  }
  // Bounded like every list read from the dump.
  uint64_t current = thread->first_nested_exception;
  for (int i = 0; current != 0 && i < 1024; ++i) {
    auto nested = rt.GetNestedException(current);
    if (!nested) {
      ctx.out << fmt::format("Error retrieving nested exception info {:016X}\n", current);
      break;
    }
    ctx.out << "\nNested exception " << std::string(61, '-') << "\n";
    printer.Print(nested->object);
    current = nested->next;
  }
  return Ok{};
}

Status RunPrintException(CommandContext& ctx, const ParsedArgs& args) {
  auto options = ParsePeOptions(args.Values("arguments"), ctx.out);
  if (!options) return options.error();
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  runtime::Runtime& rt = **runtime;
  ExceptionPrinter printer(ctx, rt, options->lines);
  // The thread list is read once: for the exception and for the nested ones.
  const auto thread = CurrentManagedThread(ctx.target, rt);
  if (options->address) {
    const uint64_t object = ParseAddress(*options->address);
    if (object == 0) {
      // SOS echoes its whole argument string here.
      std::string raw;
      for (const auto& t : args.Values("arguments")) raw += (raw.empty() ? "" : " ") + t;
      ctx.out << "Invalid exception object " << raw << "\n";
      return MakeError(ErrorCode::kInvalidArgument, "");
    }
    printer.Print(object);
  } else {
    if (!thread) {
      ctx.out << "The current thread is unmanaged\n";
      return Ok{};
    }
    const auto object = thread->last_thrown_handle
                            ? ctx.target.memory().ReadValue<uint64_t>(thread->last_thrown_handle)
                            : std::nullopt;
    if (!object || *object == 0) {
      ctx.out << "There is no current managed exception on this thread\n";
      return Ok{};
    }
    printer.Print(*object);
  }
  return PrintNested(ctx, rt, printer, *options, thread);
}

}  // namespace

void AddExceptionCommands(Registry& registry) {
  registry.Add({"printexception",
                {"pe"},
                "Displays and formats fields of any object derived from the Exception class at "
                "the specified address.",
                {},
                ArgumentSpec{"arguments", "Arguments to SOS command.", ValueType::kString, true},
                RunPrintException});
}

}  // namespace clrdump::cmd
