#include "commands/sos_command_line.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace clrdump::cmd {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// An option's value is the next word, never quoted.
Result<size_t> ReadOptionValue(const std::string& s, size_t pos, const std::string& option,
                               std::string* value, std::ostream& out) {
  while (pos < s.size() && IsSpace(s[pos])) ++pos;
  if (pos == s.size()) return SosFailure(out, "Missing value for option " + option);
  size_t end = pos;
  while (end < s.size() && !IsSpace(s[end])) ++end;
  *value = s.substr(pos, end - pos);
  return end;
}

}  // namespace

bool SosCommandLine::Has(std::string_view option) const {
  return std::ranges::find(options, option) != options.end();
}

std::string Joined(const std::vector<std::string>& tokens) {
  std::string raw;
  for (const auto& t : tokens) raw += (raw.empty() ? "" : " ") + t;
  return raw;
}

uint64_t HexOrZero(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  if (!std::ranges::all_of(text, hex)) return 0;
  if (text.size() > 16) return UINT64_MAX;  // SOS's answer to an overflow
  uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return value;
}

Error SosFailure(std::ostream& out, const std::string& message) {
  out << message << "\n";
  return MakeError(ErrorCode::kInvalidArgument, "");
}

Result<SosCommandLine> ParseSosCommandLine(const std::string& s,
                                           const std::vector<std::string>& known, size_t max_args,
                                           std::ostream& out,
                                           const std::vector<std::string>& valued) {
  SosCommandLine parsed;
  bool arguments_started = false;
  size_t pos = 0;
  while (pos < s.size()) {
    if (IsSpace(s[pos])) {
      ++pos;
      continue;
    }
    // A quote groups an argument, not an option.
    const bool quoted = s[pos] == '\'' && (pos + 1 >= s.size() || s[pos + 1] != '-');
    if (quoted) ++pos;
    size_t end = pos;
    while (end < s.size() && (quoted ? s[end] != '\'' : !IsSpace(s[end]))) ++end;
    if (quoted && end == s.size()) return SosFailure(out, "Missing quote in " + s.substr(pos));
    const std::string token = s.substr(pos, end - pos);
    if (token.empty() || token[0] != '-') {
      if (parsed.values.size() >= max_args) {
        return SosFailure(out, "Incorrect argument: " + s.substr(pos));
      }
      arguments_started = true;
      parsed.values.push_back(HexOrZero(token));
      parsed.tokens.push_back(token);
    } else if (arguments_started) {
      return SosFailure(out, "Wrong option: " + s.substr(pos));
    } else if (token.size() > 79) {
      return SosFailure(out, "Invalid option " + s.substr(pos));
    } else {
      const std::string lower = Lower(token);
      if (std::ranges::find(known, lower) == known.end()) {
        return SosFailure(out, "Unknown option: " + token);
      }
      if (parsed.Has(lower)) {
        return SosFailure(out, "Invalid option: option specified multiple times: " + token);
      }
      parsed.options.push_back(lower);
      if (std::ranges::find(valued, lower) != valued.end()) {
        auto next = ReadOptionValue(s, end, token, &parsed.option_values[lower], out);
        if (!next) return next.error();
        end = *next;
      }
    }
    pos = quoted ? end + 1 : end;
  }
  return parsed;
}

std::string ModuleFileName(runtime::Runtime& rt, const runtime::ManagedModule& module) {
  if (module.pe_file == 0) return {};
  if (rt.GetPEFileBase(module.pe_file)) {
    auto name = rt.GetPEFileName(module.pe_file);
    if (name && !name->empty()) return *name;
  }
  auto name = rt.GetModuleFileName(module.address);
  return name ? *name : std::string();
}

ArgumentSpec SosArguments() {
  return {"arguments", "Arguments to SOS command.", ValueType::kString, true};
}

}  // namespace clrdump::cmd
