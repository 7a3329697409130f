#include "commands/registry.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "base/strings.h"

namespace clrdump::cmd {
namespace {

std::string Invocation(const CommandSpec& spec) {
  std::string text = spec.name;
  for (const auto& alias : spec.aliases) text += ", " + alias;
  for (const auto& argument : spec.arguments) text += " <" + argument.name + ">";
  return text;
}

const char* TypeName(ValueType type) {
  switch (type) {
    case ValueType::kUInt32: return "System.UInt32";
    case ValueType::kUInt64: return "System.UInt64";
    case ValueType::kOptionalUInt64: return "System.Nullable`1[System.UInt64]";
    case ValueType::kInt32: return "System.Int32";
    default: return "System.String";
  }
}

// Accepts what .NET's integer parsers accept: decimal digits only, with a
// sign for Int32.
bool ValidNumber(const std::string& text, ValueType type) {
  if (type == ValueType::kInt32) {
    int32_t value = 0;
    const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
    auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() && begin != end;
  }
  if (type != ValueType::kUInt32 && type != ValueType::kUInt64 &&
      type != ValueType::kOptionalUInt64) {
    return true;
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  return type != ValueType::kUInt32 || value <= 0xFFFFFFFFu;
}

const OptionSpec* FindOption(const CommandSpec& spec, const std::string& token) {
  for (const auto& option : spec.options) {
    if (std::find(option.names.begin(), option.names.end(), token) != option.names.end()) {
      return &option;
    }
  }
  return nullptr;
}

// The argument the `index`th positional token goes to: each takes one in
// order, and a last one that takes many takes the rest.
const ArgumentSpec* ArgumentAt(const CommandSpec& spec, size_t index) {
  if (index < spec.arguments.size()) return &spec.arguments[index];
  if (!spec.arguments.empty() && spec.arguments.back().many) return &spec.arguments.back();
  return nullptr;
}

// System.CommandLine's usage of optional arguments, each nested in the
// brackets of the one before: "[<start> [<end>]]".
std::string ArgumentsUsage(const ArgumentList& arguments) {
  std::string usage;
  for (auto it = arguments.end(); it != arguments.begin();) {
    --it;
    usage = fmt::format("[<{}>{}{}{}]", it->name, it->many ? "..." : "", usage.empty() ? "" : " ",
                        usage);
  }
  return usage;
}

// Wraps `text` into lines of at most `width` columns after `indent` spaces
// on continuation lines; breaks after the last space that fits, keeping it.
std::vector<std::string> Wrap(const std::string& text, size_t width) {
  if (width == 0 || text.size() <= width) return {text};
  std::vector<std::string> lines;
  std::string rest = text;
  while (rest.size() > width) {
    size_t cut = rest.rfind(' ', width - 1);
    if (cut == std::string::npos || cut == 0) cut = width - 1;
    lines.push_back(rest.substr(0, cut + 1));
    rest = rest.substr(cut + 1);
  }
  lines.push_back(rest);
  return lines;
}

void AppendTable(std::string& out, const std::vector<std::pair<std::string, std::string>>& rows,
                 size_t width) {
  size_t first = 0;
  for (const auto& [left, right] : rows) first = std::max(first, left.size());
  const size_t indent = 2 + first + 2;
  for (const auto& [left, right] : rows) {
    if (right.empty()) {
      // System.CommandLine pads no help column for an option without help.
      out += "  " + left + "\n";
      continue;
    }
    const size_t avail = width > indent ? width - indent : 0;
    const auto lines = Wrap(right, width ? avail : 0);
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string head = i == 0 ? "  " + left : "";
      out += fmt::format("{:<{}}{}\n", head, indent, lines[i]);
    }
  }
}

}  // namespace

std::optional<std::string> ParsedArgs::Value(const std::string& canonical) const {
  auto it = values_.find(canonical);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

const std::vector<std::string>& ParsedArgs::Values(const std::string& canonical) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(canonical);
  return it == values_.end() ? kNone : it->second;
}

void ParsedArgs::Add(const std::string& canonical, std::string value) {
  values_[canonical].push_back(std::move(value));
}

void Registry::Add(CommandSpec spec) { commands_.push_back(std::move(spec)); }

const CommandSpec* Registry::Find(const std::string& name) const {
  for (const auto& spec : commands_) {
    if (spec.name == name) return &spec;
    if (std::find(spec.aliases.begin(), spec.aliases.end(), name) != spec.aliases.end()) {
      return &spec;
    }
  }
  return nullptr;
}

std::string Registry::Listing() const {
  std::vector<std::pair<std::string, std::string>> rows;
  size_t longest = 0;
  for (const auto& spec : commands_) {
    rows.emplace_back(Invocation(spec), spec.help);
    longest = std::max(longest, rows.back().first.size());
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return AsciiLower(a.first) < AsciiLower(b.first); });
  std::string out;
  for (const auto& [invocation, help] : rows) {
    out += fmt::format("{:<{}}{}\n", invocation, longest + 4, help);
  }
  return out;
}

Result<ParsedArgs> ParseArguments(const CommandSpec& spec,
                                  const std::vector<std::string>& tokens) {
  ParsedArgs parsed;
  size_t positionals = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (const OptionSpec* option = FindOption(spec, token)) {
      const std::string& canonical = option->names.back();
      if (option->type == ValueType::kFlag) {
        parsed.Add(canonical, "true");
        continue;
      }
      if (i + 1 >= tokens.size()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("Required argument missing for option: '{}'.", token));
      }
      const std::string& value = tokens[++i];
      if (parsed.Has(canonical)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("Option '{}' expects a single argument but 2 were provided.",
                                     token));
      }
      if (!ValidNumber(value, option->type)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("Cannot parse argument '{}' for option '{}' as expected "
                                     "type '{}'.",
                                     value, option->names.back(), TypeName(option->type)));
      }
      parsed.Add(canonical, value);
      continue;
    }
    if (const ArgumentSpec* argument = ArgumentAt(spec, positionals)) {
      if (!ValidNumber(token, argument->type)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("Cannot parse argument '{}' for command '{}' as expected "
                                     "type '{}'.",
                                     token, spec.name, TypeName(argument->type)));
      }
      parsed.Add(argument->name, token);
      ++positionals;
      continue;
    }
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("Unrecognized command or argument '{}'.", token));
  }
  return parsed;
}

std::string DetailedHelp(const CommandSpec& spec, size_t width) {
  std::string out = "Description:\n";
  for (const auto& line : Wrap(spec.help, width ? width - 2 : 0)) out += "  " + line + "\n";
  out += "\nUsage:\n  > " + spec.name;
  if (!spec.arguments.empty()) out += " " + ArgumentsUsage(spec.arguments);
  if (!spec.options.empty()) out += " [options]";
  out += "\n\n";
  if (!spec.arguments.empty()) {
    out += "Arguments:\n";
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& argument : spec.arguments) {
      rows.emplace_back("<" + argument.name + ">", argument.help);
    }
    AppendTable(out, rows, width);
    out += "\n";
  }
  if (!spec.options.empty()) {
    out += "Options:\n";
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& option : spec.options) {
      std::string names;
      for (const auto& n : option.names) names += (names.empty() ? "" : ", ") + n;
      rows.emplace_back(names, option.help);
    }
    AppendTable(out, rows, width);
    out += "\n";
  }
  return out + spec.details;
}

std::vector<std::string> SplitCommandLine(const std::string& line) {
  std::vector<std::string> tokens;
  std::string current;
  bool in_quotes = false;
  bool has_token = false;
  for (char c : line) {
    if (c == '"') {
      in_quotes = !in_quotes;
      has_token = true;
    } else if (!in_quotes && std::isspace(static_cast<unsigned char>(c))) {
      if (has_token) tokens.push_back(current);
      current.clear();
      has_token = false;
    } else {
      current += c;
      has_token = true;
    }
  }
  if (has_token) tokens.push_back(current);
  return tokens;
}

}  // namespace clrdump::cmd
