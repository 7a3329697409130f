// SOS's command-line parsing (GetCMDOption on Linux) for the native SOS
// commands that take options with values: options start with '-', match
// case-insensitively and come before the arguments; an argument is a hex
// expression (anything else evaluates to 0). Failures print SOS's message.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace clrdump::cmd {

struct SosOption {
  std::string name;  // lower case, e.g. "-type"
  bool has_value = false;
};

struct SosArgs {
  std::map<std::string, std::string> options;  // by lower-case name; "" for flags
  std::vector<uint64_t> values;
  bool Has(const std::string& name) const { return options.count(name) > 0; }
};

// The tokens as SOS received them, joined by single spaces.
std::string JoinSosTokens(const std::vector<std::string>& tokens);

// How SOS reads an argument: as hex (COHEX), or as a size (COSIZE_T: a
// token of hex digits is read as a decimal number, so "0x10" is 0).
enum class SosValueType { kHex, kSize };

// nullopt after printing SOS's complaint (with its newline) to `out`.
std::optional<SosArgs> ParseSosArgs(const std::string& line, const std::vector<SosOption>& known,
                                    size_t max_values, std::ostream& out,
                                    SosValueType value_type = SosValueType::kHex);

// SOS's GetExpression for a plain number: hex, with or without 0x; 0 when
// it is not one.
uint64_t SosHexValue(std::string_view text);

}  // namespace clrdump::cmd
