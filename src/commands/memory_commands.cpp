// Memory display commands: `d`/`readmemory` and its presets db, dc, da, du,
// dw, dd, dp and dq, with dotnet-dump's layout and its session memory: the
// format options and the next address persist from one invocation to the
// next, so a bare `d` continues where the previous dump stopped.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

// dotnet-dump sizes counts, offsets and its output buffers with .NET's
// 32-bit int; inputs beyond it are refused here instead of overflowing.
constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();
constexpr uint64_t kAddressMax = std::numeric_limits<uint64_t>::max();
constexpr int32_t kPointerSize = 8;  // Linux x64 only
constexpr uint64_t kPageSize = 0x1000;

// Remembered across invocations, like dotnet-dump's static options.
struct DumpState {
  int32_t count = 32;
  int32_t length = 0;
  int32_t width = 0;
  bool ascii = false;
  bool unicode = false;
  bool ascii_string = false;
  bool unicode_string = false;
  uint64_t next_address = 0;
};

// The options a preset command sets before the user's own are applied.
struct Preset {
  const char* name;
  const char* help;
  bool ascii, unicode, ascii_string, unicode_string;
  int32_t count, length, width;
};

constexpr Preset kPresets[] = {
    {"db", "Dumps memory as bytes.", true, false, false, false, 128, 1, 16},
    {"dc", "Dumps memory as chars.", false, true, false, false, 64, 2, 8},
    {"da", "Dumps memory as zero-terminated byte strings.", false, false, true, false, 128, 1, 0},
    {"du", "Dumps memory as zero-terminated char strings.", false, false, false, true, 128, 2, 0},
    {"dw", "Dumps memory as words (ushort).", false, false, false, false, 128, 2, 0},
    {"dd", "Dumps memory as dwords (uint).", false, false, false, false, 64, 4, 0},
    {"dp", "Dumps memory as pointers.", false, false, false, false, 32, -1, 0},
    {"dq", "Dumps memory as qwords (ulong).", false, false, false, false, 32, 8, 0},
};

// One invocation's parsed input; unset values keep the remembered state.
struct Request {
  std::optional<uint64_t> address;
  std::optional<uint64_t> end;
  std::optional<int32_t> count, length, width;
  std::optional<bool> ascii, unicode, ascii_string, unicode_string;
  bool hex_prefix = false;
  bool show_address = true;
};

bool IsDotNetWhitespace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::string TrimDotNetWhitespace(const std::string& text) {
  size_t begin = 0, end = text.size();
  while (begin < end && IsDotNetWhitespace(text[begin])) ++begin;
  while (end > begin && IsDotNetWhitespace(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

// SOS address syntax: hex with an optional "0x", leading zeros and one
// WinDbg backtick ignored. Anything else, "0" included, is no address at
// all, so the dump continues from the remembered one, as in dotnet-dump.
std::optional<uint64_t> ParseAddress(std::string text) {
  if (TrimDotNetWhitespace(text).empty()) return std::nullopt;
  if (text.rfind("0x", 0) == 0) text.erase(0, 2);
  text.erase(0, std::min(text.find_first_not_of('0'), text.size()));
  const size_t tick = text.find('`');
  if (tick != std::string::npos && tick + 1 < text.size()) text.erase(tick, 1);
  text = TrimDotNetWhitespace(text);
  const size_t first = std::min(text.find_first_not_of('0'), text.size());
  if (text.empty() || text.size() - first > 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    const int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10;
    value = value << 4 | static_cast<uint64_t>(digit);
  }
  return value;
}

Error BadValue(const std::string& value, const std::string& option, const char* type) {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("Cannot parse argument '{}' for option '{}' as expected type '{}'.",
                               value, option, type));
}

// .NET's Int32 parse: optional sign, decimal digits, surrounding whitespace.
Result<std::optional<int32_t>> Int32Option(const ParsedArgs& args, const std::string& option) {
  const auto raw = args.Value(option);
  if (!raw) return std::optional<int32_t>{};
  const std::string text = TrimDotNetWhitespace(*raw);
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) i = 1;
  if (i == text.size()) return BadValue(*raw, option, "System.Int32");
  int64_t value = 0;
  for (; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      return BadValue(*raw, option, "System.Int32");
    }
    value = value * 10 + (text[i] - '0');
    if (value > kIntMax + 1) return BadValue(*raw, option, "System.Int32");
  }
  if (negative) value = -value;
  if (value > kIntMax) return BadValue(*raw, option, "System.Int32");
  return std::optional<int32_t>{static_cast<int32_t>(value)};
}

// A flag is "true" when given bare; a value, when the parser passes one,
// follows .NET's Boolean parse.
Result<std::optional<bool>> BoolOption(const ParsedArgs& args, const std::string& option) {
  const auto raw = args.Value(option);
  if (!raw) return std::optional<bool>{};
  std::string text = TrimDotNetWhitespace(*raw);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "true") return std::optional<bool>{true};
  if (text == "false") return std::optional<bool>{false};
  return BadValue(*raw, option, "System.Boolean");
}

Result<Request> ParseRequest(const ParsedArgs& args) {
  Request r;
  if (auto text = args.Value("address")) r.address = ParseAddress(*text);
  if (auto text = args.Value("--end")) r.end = ParseAddress(*text);
  for (auto [field, name] :
       {std::pair{&Request::count, "--count"}, std::pair{&Request::length, "--length"},
        std::pair{&Request::width, "--width"}}) {
    auto value = Int32Option(args, name);
    if (!value) return value.error();
    r.*field = *value;
  }
  for (auto [field, name] :
       {std::pair{&Request::ascii, "--ascii"}, std::pair{&Request::unicode, "--unicode"},
        std::pair{&Request::ascii_string, "--ascii-string"},
        std::pair{&Request::unicode_string, "--unicode-string"}}) {
    auto value = BoolOption(args, name);
    if (!value) return value.error();
    r.*field = *value;
  }
  auto hex = BoolOption(args, "--hex-prefix");
  if (!hex) return hex.error();
  auto show = BoolOption(args, "--show-address");
  if (!show) return show.error();
  r.hex_prefix = hex->value_or(false);
  r.show_address = show->value_or(true);
  return r;
}

void Apply(DumpState& state, const Preset* preset, const Request& r) {
  if (preset) {
    state.ascii = preset->ascii;
    state.unicode = preset->unicode;
    state.ascii_string = preset->ascii_string;
    state.unicode_string = preset->unicode_string;
    state.count = preset->count;
    state.length = preset->length;
    state.width = preset->width;
  }
  state.count = r.count.value_or(state.count);
  state.length = r.length.value_or(state.length);
  state.width = r.width.value_or(state.width);
  state.ascii = r.ascii.value_or(state.ascii);
  state.unicode = r.unicode.value_or(state.unicode);
  state.ascii_string = r.ascii_string.value_or(state.ascii_string);
  state.unicode_string = r.unicode_string.value_or(state.unicode_string);
}

// The little-endian element at `address`, if all its bytes are readable.
std::optional<uint64_t> ReadElement(const dump::ProcessMemory& memory, uint64_t address,
                                    int32_t length) {
  std::array<uint8_t, 8> bytes{};
  const auto size = static_cast<size_t>(length);
  if (memory.Read(address, std::span(bytes).first(size)) < size) return std::nullopt;
  uint64_t value = 0;
  for (size_t i = size; i-- > 0;) value = value << 8 | bytes[i];
  return value;
}

// A character of the text column: '?' when unreadable, '.' when outside
// printable ASCII (a NUL included).
char ColumnChar(const dump::ProcessMemory& memory, uint64_t address, bool unicode) {
  const auto value = ReadElement(memory, address, unicode ? 2 : 1);
  if (!value) return '?';
  return *value < 0x20 || *value > 0x7E ? '.' : static_cast<char>(*value);
}

struct Layout {
  int32_t length;
  int32_t width;
  bool hex_prefix;
  bool show_address;
  bool text_column;
  bool unicode_column;
};

// The length of the widest (first) row: .NET cannot build a string longer
// than int.MaxValue characters.
uint64_t RowChars(const Layout& l, uint64_t bytes) {
  const auto width = static_cast<uint64_t>(l.width);
  const auto length = static_cast<uint64_t>(l.length);
  uint64_t chars = (l.show_address ? 17 : 0) + width * (1 + (l.hex_prefix ? 2 : 0) + 2 * length);
  if (l.text_column) chars += 2 + std::min(width, bytes / length);
  return chars;
}

// One row of `width` columns from `address`; `bytes` is what remains to be
// dumped, columns past it are blank.
std::string FormatRow(const dump::ProcessMemory& memory, const Layout& l, uint64_t address,
                      uint64_t bytes) {
  std::string row = l.show_address ? fmt::format("{:016x}:", address) : std::string();
  const size_t digits = 2 * static_cast<size_t>(l.length);
  const auto step = static_cast<uint64_t>(l.length);
  for (uint64_t offset = 0, column = 0; column < static_cast<uint64_t>(l.width);
       ++column, offset += step) {
    row += ' ';
    const auto value =
        offset < bytes ? ReadElement(memory, address + offset, l.length) : std::nullopt;
    if (value) {
      row += fmt::format("{}{:0{}x}", l.hex_prefix ? "0x" : "", *value, digits);
    } else {
      if (l.hex_prefix) row += "  ";
      row.append(digits, offset < bytes ? '?' : ' ');
    }
  }
  if (l.text_column) {
    row += "  ";
    for (uint64_t offset = 0, column = 0; column < static_cast<uint64_t>(l.width) && offset < bytes;
         ++column, offset += step) {
      row += ColumnChar(memory, address + offset, l.unicode_column);
    }
  }
  return row;
}

// A count or width that is not positive means the default, and the
// default is what is remembered.
Status DumpRows(DumpState& state, const Request& r, CommandContext& ctx) {
  const int32_t length = state.length;
  state.count = state.count > 0 ? state.count : 32;
  state.width = state.width > 0 ? state.width : 32 / length;
  uint64_t bytes = static_cast<uint64_t>(state.count) * static_cast<uint64_t>(length);
  if (bytes > static_cast<uint64_t>(kIntMax)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("Cannot dump {} {}-byte elements: more than {} bytes at once.",
                                 state.count, length, kIntMax));
  }
  const Layout layout{.length = length,
                      .width = state.width,
                      .hex_prefix = r.hex_prefix,
                      .show_address = r.show_address,
                      .text_column = state.ascii || state.unicode,
                      .unicode_column = state.unicode};
  if (RowChars(layout, bytes) > static_cast<uint64_t>(kIntMax)) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("Rows of {} {}-byte elements are too long to print.", state.width, length));
  }
  const uint64_t step = static_cast<uint64_t>(state.width) * static_cast<uint64_t>(length);
  uint64_t address = state.next_address;
  while (bytes > 0) {
    // An interrupted or failed dump leaves the remembered address where it
    // was, as dotnet-dump does; the rows already printed stay printed.
    if (ctx.cancelled()) {
      ctx.out << "<interrupted>\n";
      return Ok{};
    }
    if (address > kAddressMax - step) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("The row at {:016x} runs past the end of the address space.", address));
    }
    ctx.out << FormatRow(ctx.target.memory(), layout, address, bytes) << '\n';
    address += step;
    bytes -= std::min(bytes, step);
  }
  state.next_address = address;
  return Ok{};
}

// Where readable memory resumes after the unreadable byte at `from`, if
// within `limit` bytes. Core segments and mapped files start on pages.
std::optional<uint64_t> NextReadable(const dump::ProcessMemory& memory, uint64_t from,
                                     uint64_t limit) {
  std::array<uint8_t, 1> probe{};
  for (uint64_t page = (from | (kPageSize - 1)) + 1; page != 0 && page - from <= limit;
       page += kPageSize) {
    if (memory.Read(page, probe) == 1) return page;
  }
  return std::nullopt;
}

Error StringError(uint64_t start, const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("The string at {:016x} {}.", start, why));
}

// dotnet-dump reads a string character by character, each unreadable one
// shown as '?', until a zero. Gaps are crossed a page at a time; a gap the
// string could not cross within .NET's maximum string length is an error
// here (dotnet-dump runs out of memory after minutes).
Status DumpString(DumpState& state, CommandContext& ctx) {
  const dump::ProcessMemory& memory = ctx.target.memory();
  const bool unicode = state.unicode_string;
  const uint64_t size = unicode ? 2 : 1;
  const uint64_t start = state.next_address;
  uint64_t& address = state.next_address;
  const std::string too_long =
      fmt::format("has no terminating zero in its first {} characters", kIntMax);
  std::string text;
  std::array<uint8_t, 4096> chunk{};
  while (!ctx.cancelled()) {
    if (address > kAddressMax - size) return StringError(start, "runs past the address space");
    const uint64_t room = kAddressMax - address;
    const size_t want = room < chunk.size() ? static_cast<size_t>(room) + 1 : chunk.size();
    const size_t n = memory.Read(address, std::span(chunk).first(want));
    size_t i = 0;
    for (; i + size <= n; i += size) {
      if (address > kAddressMax - size) return StringError(start, "runs past the address space");
      if (text.size() >= static_cast<size_t>(kIntMax)) return StringError(start, too_long);
      const uint32_t value = unicode ? uint32_t{chunk[i]} | uint32_t{chunk[i + 1]} << 8 : chunk[i];
      address += size;
      if (value == 0) {
        ctx.out << "Text: '" << text << "'\n";
        return Ok{};
      }
      text += value < 0x20 || value > 0x7E ? '.' : static_cast<char>(value);
    }
    if (n == want) continue;
    // The character at `address` is unreadable: cut short by a gap (one
    // '?'), or inside one (a '?' for each character up to readable memory).
    uint64_t chars = 1;
    if (i == n) {
      const uint64_t left = static_cast<uint64_t>(kIntMax) - text.size();
      const auto resume = NextReadable(memory, address, left * size);
      if (!resume) {
        return StringError(start, fmt::format("has no terminating zero before unreadable "
                                              "memory at {:016x}",
                                              address));
      }
      chars = (*resume - address + size - 1) / size;
    }
    if (text.size() + chars > static_cast<uint64_t>(kIntMax)) return StringError(start, too_long);
    text.append(chars, '?');
    address += chars * size;
  }
  ctx.out << "<interrupted>\n";
  return Ok{};
}

// dotnet-dump's order matters for what a later bare `d` sees: the address
// and the cleaned element size are remembered even when the command fails.
Status Invoke(DumpState& state, const Request& r, CommandContext& ctx) {
  if (r.address) state.next_address = *r.address;
  if (state.length < 0) state.length = kPointerSize;
  if (state.length != 1 && state.length != 2 && state.length != 4 && state.length != 8) {
    state.length = 4;
  }
  if (r.end) {
    if (*r.end <= state.next_address) {
      return MakeError(ErrorCode::kInvalidArgument, "Cannot dump a negative range");
    }
    const uint64_t range = *r.end - state.next_address;
    if (range > static_cast<uint64_t>(kIntMax)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("Cannot dump {:016x} to {:016x}: more than {} bytes at once.",
                                   state.next_address, *r.end, kIntMax));
    }
    state.count = static_cast<int32_t>(range / static_cast<uint64_t>(state.length));
  }
  if (state.ascii_string || state.unicode_string) return DumpString(state, ctx);
  return DumpRows(state, r, ctx);
}

std::vector<OptionSpec> DumpOptions() {
  return {
      {{"-e", "--end"}, "Ending address to dump.", ValueType::kString},
      // Int32 in dotnet-dump (negative values mean "the default"): parsed
      // by the command, which the shared parser's unsigned types cannot do.
      {{"-c", "--count"}, "Number of elements to dump.", ValueType::kString},
      {{"-l", "--length"}, "Size of elements to dump.", ValueType::kString},
      {{"-w", "--width"}, "Number of elements to dump per row.", ValueType::kString},
      {{"-a", "--ascii"}, "Print ascii dump as well.", ValueType::kFlag},
      {{"-u", "--unicode"}, "Print unicode dump as well.", ValueType::kFlag},
      {{"--ascii-string"}, "Print as ascii string as well.", ValueType::kFlag},
      {{"--unicode-string"}, "Print as unicode string as well.", ValueType::kFlag},
      {{"-h", "--hex-prefix"}, "Add a hex prefix (0x) to the data displayed.", ValueType::kFlag},
      {{"--show-address"}, "Display the addresses of data found.", ValueType::kFlag},
  };
}

CommandSpec DumpSpec(std::string name, std::vector<std::string> aliases, std::string help,
                     const Preset* preset, std::shared_ptr<DumpState> state) {
  return {std::move(name),
          std::move(aliases),
          std::move(help),
          DumpOptions(),
          ArgumentSpec{"address", "Address to dump.", ValueType::kString, false},
          [preset, state](CommandContext& ctx, const ParsedArgs& args) -> Status {
            auto request = ParseRequest(args);
            if (!request) return request.error();
            Apply(*state, preset, *request);
            return Invoke(*state, *request, ctx);
          }};
}

}  // namespace

void AddMemoryCommands(Registry& registry) {
  // One state per registry, that is per session, shared by all the forms.
  auto state = std::make_shared<DumpState>();
  registry.Add(DumpSpec("d", {"readmemory"}, "Dumps memory contents.", nullptr, state));
  for (const Preset& preset : kPresets) {
    registry.Add(DumpSpec(preset.name, {}, preset.help, &preset, state));
  }
}

}  // namespace clrdump::cmd
