#include "commands/sos_args.h"

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

size_t SkipSpaces(const std::string& s, size_t pos) {
  while (pos < s.size() && IsSpace(s[pos])) ++pos;
  return pos;
}

size_t TokenEnd(const std::string& s, size_t pos) {
  while (pos < s.size() && !IsSpace(s[pos])) ++pos;
  return pos;
}

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// GetValueForCMD's COSIZE_T on 64-bit: hex digits (after an optional 0x)
// are read with _atoi64, decimal up to the first non-digit; any other token
// goes to the expression evaluator (hex numbers only, here).
uint64_t SosSizeValue(std::string_view token) {
  std::string_view digits = token;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  if (!std::ranges::all_of(digits, IsHexDigit)) return SosHexValue(token);
  uint64_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') break;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

std::string JoinSosTokens(const std::vector<std::string>& tokens) {
  std::string line;
  for (const auto& t : tokens) line += (line.empty() ? "" : " ") + t;
  return line;
}

uint64_t SosHexValue(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.empty() || !std::ranges::all_of(text, IsHexDigit)) return 0;
  if (text.size() > 16) return UINT64_MAX;
  uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return value;
}

std::optional<SosArgs> ParseSosArgs(const std::string& s, const std::vector<SosOption>& known,
                                    size_t max_values, std::ostream& out,
                                    SosValueType value_type) {
  SosArgs parsed;
  bool values_started = false;
  size_t pos = SkipSpaces(s, 0);
  while (pos < s.size()) {
    // A quote groups an argument (not an option) with its spaces.
    const bool quoted = s[pos] == '\'' && (pos + 1 >= s.size() || s[pos + 1] != '-');
    if (quoted) ++pos;
    size_t end = pos;
    if (quoted) {
      while (end < s.size() && s[end] != '\'') ++end;
      if (end == s.size()) {
        out << "Missing quote in " << s.substr(pos) << "\n";
        return std::nullopt;
      }
    } else {
      end = TokenEnd(s, pos);
    }
    const std::string token = s.substr(pos, end - pos);
    if (token.empty() || token[0] != '-') {
      if (parsed.values.size() >= max_values) {
        out << "Incorrect argument: " << s.substr(pos) << "\n";
        return std::nullopt;
      }
      values_started = true;
      parsed.values.push_back(value_type == SosValueType::kSize ? SosSizeValue(token)
                                                                : SosHexValue(token));
    } else if (values_started) {
      out << "Wrong option: " << s.substr(pos) << "\n";
      return std::nullopt;
    } else if (token.size() > 79) {
      out << "Invalid option " << s.substr(pos) << "\n";
      return std::nullopt;
    } else {
      const std::string name = Lower(token);
      auto option = std::ranges::find(known, name, &SosOption::name);
      if (option == known.end()) {
        out << "Unknown option: " << token << "\n";
        return std::nullopt;
      }
      if (parsed.Has(name)) {
        out << "Invalid option: option specified multiple times: " << token << "\n";
        return std::nullopt;
      }
      std::string value;
      if (option->has_value) {
        const size_t start = SkipSpaces(s, end);
        if (start == s.size()) {
          out << "Missing value for option " << token << "\n";
          return std::nullopt;
        }
        end = TokenEnd(s, start);
        value = s.substr(start, end - start);
      }
      parsed.options[name] = value;
    }
    pos = SkipSpaces(s, quoted ? end + 1 : end);
  }
  return parsed;
}

}  // namespace clrdump::cmd
