#include "runtime/type_names.h"

#include <optional>
#include <string_view>
#include <vector>

namespace clrdump::runtime {
namespace {

class NameParser {
 public:
  explicit NameParser(std::string_view text) : text_(text) {}

  // One type: its dotted, nested name, its generic arguments, then any
  // array suffixes.
  std::optional<std::string> Type() {
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '[' && text_[pos_] != ']' &&
           text_[pos_] != ',') {
      ++pos_;
    }
    const std::string_view base = text_.substr(start, pos_ - start);
    std::vector<std::string> args;
    if (AtGenericArguments()) {
      auto parsed = Arguments();
      if (!parsed) return std::nullopt;
      args = std::move(*parsed);
    }
    std::string result = WithArguments(base, args);
    while (pos_ < text_.size() && text_[pos_] == '[' && !AtGenericArguments()) {
      const size_t close = text_.find(']', pos_);
      if (close == std::string_view::npos) return std::nullopt;
      result.append(text_.substr(pos_, close + 1 - pos_));
      pos_ = close + 1;
    }
    return result;
  }

  bool AtEnd() const { return pos_ == text_.size(); }

 private:
  // "[]" and "[,,]" are arrays; anything else after '[' is an argument list.
  bool AtGenericArguments() const {
    return pos_ + 1 < text_.size() && text_[pos_] == '[' && text_[pos_ + 1] != ']' &&
           text_[pos_ + 1] != ',';
  }

  std::optional<std::vector<std::string>> Arguments() {
    std::vector<std::string> args;
    ++pos_;  // '['
    while (pos_ < text_.size()) {
      if (text_[pos_] == '[') {
        // "[Type, Assembly]": the assembly is dropped.
        ++pos_;
        auto arg = Type();
        if (!arg) return std::nullopt;
        args.push_back(std::move(*arg));
        const size_t close = text_.find(']', pos_);
        if (close == std::string_view::npos) return std::nullopt;
        pos_ = close + 1;
      } else {
        auto arg = Type();  // a bare parameter name such as "T"
        if (!arg) return std::nullopt;
        args.push_back(std::move(*arg));
      }
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return args;
      }
      return std::nullopt;
    }
    return std::nullopt;
  }

  // Each "`N" of the nested name takes the next N arguments, or T1..TN
  // when the DAC gave none.
  static std::string WithArguments(std::string_view base, const std::vector<std::string>& args) {
    std::string result;
    size_t next_arg = 0;
    size_t pos = 0;
    while (pos < base.size()) {
      const size_t tick = base.find('`', pos);
      if (tick == std::string_view::npos) {
        result.append(base.substr(pos));
        break;
      }
      result.append(base.substr(pos, tick - pos));
      size_t end = tick + 1;
      size_t arity = 0;
      while (end < base.size() && base[end] >= '0' && base[end] <= '9') {
        arity = arity * 10 + static_cast<size_t>(base[end] - '0');
        ++end;
      }
      result.push_back('<');
      for (size_t i = 0; i < arity; ++i) {
        if (i > 0) result.append(", ");
        result.append(next_arg < args.size() ? args[next_arg++] : "T" + std::to_string(i + 1));
      }
      result.push_back('>');
      pos = end;
    }
    return result;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::string ClrMdTypeName(const std::string& dac_name) {
  if (dac_name.find('`') == std::string::npos) return dac_name;
  NameParser parser(dac_name);
  auto name = parser.Type();
  if (!name || !parser.AtEnd()) return dac_name;
  return *name;
}

}  // namespace clrdump::runtime
