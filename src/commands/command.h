// Commands are declared once, as data: name, aliases, options, arguments,
// help and handler. Parsing, `help` and `help <command>` are all derived
// from these declarations, with System.CommandLine's conventions so the
// output matches dotnet-dump's.
#pragma once

#include <atomic>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/result.h"

namespace clrdump::cmd {

class Target;

// kOptionalUInt64: a `ulong?` option of dotnet-dump (named so in errors).
enum class ValueType { kFlag, kString, kUInt32, kUInt64, kOptionalUInt64, kInt32 };

struct OptionSpec {
  std::vector<std::string> names;  // e.g. {"-v", "--verbose"}; the last is canonical
  std::string help;
  ValueType type = ValueType::kFlag;
};

struct ArgumentSpec {
  std::string name;  // shown as <name>
  std::string help;
  ValueType type = ValueType::kString;
  bool many = false;  // takes every remaining positional token
};

// A command's positional arguments in order, each optional, as
// System.CommandLine declares them. Only the last may take many tokens. A
// single ArgumentSpec, or std::nullopt for none, converts to a list, which
// is how most commands declare theirs.
class ArgumentList {
 public:
  ArgumentList() = default;
  ArgumentList(std::nullopt_t) {}
  ArgumentList(ArgumentSpec only) { specs_.push_back(std::move(only)); }
  ArgumentList(std::initializer_list<ArgumentSpec> specs) : specs_(specs) {}

  bool empty() const { return specs_.empty(); }
  size_t size() const { return specs_.size(); }
  const ArgumentSpec& operator[](size_t i) const { return specs_[i]; }
  const ArgumentSpec& back() const { return specs_.back(); }
  std::vector<ArgumentSpec>::const_iterator begin() const { return specs_.begin(); }
  std::vector<ArgumentSpec>::const_iterator end() const { return specs_.end(); }

 private:
  std::vector<ArgumentSpec> specs_;
};

class ParsedArgs {
 public:
  bool Has(const std::string& canonical) const { return values_.count(canonical) > 0; }
  // The value of an option or of an argument (by its name).
  std::optional<std::string> Value(const std::string& canonical) const;
  const std::vector<std::string>& Values(const std::string& canonical) const;
  void Add(const std::string& canonical, std::string value);

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

struct CommandContext {
  Target& target;
  std::ostream& out;
  // Set when the user asks to stop (Ctrl-C); long loops check it.
  const std::atomic<bool>* cancel = nullptr;
  bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
};

struct CommandSpec;
using Handler = std::function<Status(CommandContext&, const ParsedArgs&)>;

struct CommandSpec {
  std::string name;
  std::vector<std::string> aliases;
  std::string help;
  std::vector<OptionSpec> options;
  ArgumentList arguments;
  Handler run;
  // Printed verbatim after the options by `help <command>`.
  std::string details = {};
};

}  // namespace clrdump::cmd
