// A state machine over the DAC name that reproduces ClrMD's result, not
// just its intent: dotnet-dump output is compared byte for byte, so odd
// inputs must come out as ClrMD leaves them (for example an arity with no
// argument list prints as <T1, T2>, and a name it cannot make sense of
// comes back unchanged). The reference behaviour was checked against the
// Microsoft.Diagnostics.Runtime.dll that dotnet-dump 10 ships.
//
// ClrMD reads argument lists flat: a generic type waits with its arity in
// a queue and the arguments read after it are moved into it when their
// list closes. A nested generic type's arguments follow those of its outer
// types in one list, so the outer types are served first.

#include "runtime/type_names.h"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace clrdump::runtime {
namespace {

// Past these limits the input is returned as it is. They keep rendering
// (which recurses once per part) shallow and the output bounded; ClrMD
// itself has neither, but no runtime type name comes near them.
constexpr size_t kMaxParts = 1024;
constexpr int32_t kMaxArity = 65535;

// ClrMD does its bookkeeping in wrapping 32-bit arithmetic; an arity that
// overflows must go wrong the same way.
int32_t WrapAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One type of the name: its text in the input plus what parsing learns
// about it later.
struct Part {
  size_t begin = 0;
  size_t end = 0;
  bool nested = false;  // followed a '+'
  int depth = 0;        // argument-list depth it was read at
  int32_t arity = 0;
  int32_t capacity = -1;  // argument slots, fixed by the first argument; -1: none yet
  bool open = false;      // has an arity but no argument list of its own
  int32_t rank = 0;       // of the first array suffix
  int32_t jagged = 0;     // array suffixes after the first
  std::vector<Part> args;
  std::vector<Part> inner;  // at most one: the nested type folded into this one

  bool Generic() const { return arity != 0; }
  int32_t Filled() const { return static_cast<int32_t>(args.size()); }
  bool Unfilled() const { return Generic() && !open && (capacity < 0 || Filled() < capacity); }
  int32_t Remaining() const { return open ? 0 : WrapAdd(arity, -Filled()); }

  // False where ClrMD would throw (and so give up on the whole name).
  bool AddArg(Part&& arg) {
    if (arity == 0) return true;  // ClrMD drops the argument
    if (capacity < 0) {
      if (arity < 0) return false;
      capacity = arity;
    }
    if (Filled() >= capacity) return false;
    args.push_back(std::move(arg));
    return true;
  }

  void AddArraySuffix(int32_t dimensions) {
    // A second suffix is counted, not ranked: ClrMD prints "[,][]" as "[][]".
    if (rank == 0) {
      rank = dimensions;
    } else {
      ++jagged;
    }
  }
};

void AppendPart(const Part& part, std::string_view text, std::string& out);

void AppendArgs(const Part& part, std::string_view text, std::string& out) {
  out += '<';
  if (part.capacity >= 0 && !part.open) {
    for (size_t i = 0; i < part.args.size(); ++i) {
      if (i != 0) out += ", ";
      AppendPart(part.args[i], text, out);
    }
  }
  for (int32_t i = part.Filled(); i < part.arity; ++i) {
    if (i != 0) out += ", ";
    out += 'T';
    out += std::to_string(i + 1);
  }
  out += '>';
}

void AppendPart(const Part& part, std::string_view text, std::string& out) {
  if (part.nested) out += '+';
  out.append(text.substr(part.begin, part.end - part.begin));
  if (part.Generic()) AppendArgs(part, text, out);
  for (const Part& child : part.inner) AppendPart(child, text, out);
  if (part.jagged != 0) {
    for (int32_t i = 0; i <= part.jagged; ++i) out += "[]";
  } else if (part.rank != 0) {
    out += '[';
    out.append(static_cast<size_t>(part.rank - 1), ',');
    out += ']';
  }
}

// kFail covers ClrMD's parse errors, its exceptions, and its early exits
// that return the DAC string as is: all three give back the input.
enum class State {
  kName,
  kQualifiedArg,  // "[Type, Assembly]" inside an argument list
  kPlainArg,      // "Type" inside an argument list
  kArray,
  kNested,
  kArity,
  kArgList,
  kAssembly,
  kCloseArgList,
  kFail,
  kDone,
};

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  // False: the answer is the input itself.
  bool Run() {
    State state = State::kName;
    size_t budget = 8 * s_.size() + 64;
    while (state != State::kDone && state != State::kFail) {
      if (budget-- == 0) return false;
      state = Step(state);
    }
    return state == State::kDone && !top_.empty();
  }

  std::string Render() const {
    std::string out;
    out.reserve(s_.size());
    for (const Part& part : top_) AppendPart(part, s_, out);
    return out;
  }

 private:
  State Step(State state) {
    switch (state) {
      case State::kName: return OnName();
      case State::kQualifiedArg: return OnArg(true);
      case State::kPlainArg: return OnArg(false);
      case State::kArray: return OnArray();
      case State::kNested:
        ++nested_pending_;
        return State::kName;
      case State::kArity: return OnArity();
      case State::kArgList: return OnArgList();
      case State::kAssembly: return OnAssembly();
      case State::kCloseArgList: return OnCloseArgList();
      case State::kFail:
      case State::kDone: break;
    }
    return state;
  }

  bool AtEnd() const { return pos_ >= s_.size(); }
  bool QualifiedArgOpen() const { return !qualified_.empty() && qualified_.back(); }

  bool PopQualified() {
    if (qualified_.empty()) return false;
    qualified_.pop_back();
    return true;
  }

  // '+' separates nested types only outside argument lists and ',' separates
  // arguments only inside them; '`' starts an arity only before a digit or
  // at the very end.
  void SkipName() {
    const bool in_args = arg_depth_ != 0;
    for (; pos_ < s_.size(); ++pos_) {
      char c = s_[pos_];
      if (c == '[' || c == ']') return;
      if (c == ',' && in_args) return;
      if (c == '+' && !in_args) return;
      if (c == '`' && (pos_ + 1 == s_.size() || IsDigit(s_[pos_ + 1]))) return;
    }
  }

  // Past the assembly of a qualified argument and its closing ']'.
  void SkipAssembly() {
    while (pos_ < s_.size() && s_[pos_] != ']') ++pos_;
    if (pos_ < s_.size()) ++pos_;
  }

  bool AddPart(size_t begin) {
    if (++parts_made_ > kMaxParts) return false;
    Part part;
    part.begin = begin;
    part.end = pos_;
    part.nested = nested_pending_ != 0;
    part.depth = arg_depth_;
    if (arg_depth_ == 0) {
      top_.push_back(std::move(part));
    } else {
      args_.push_back(std::move(part));
      args_used_ = true;
    }
    if (nested_pending_ != 0) --nested_pending_;
    return true;
  }

  // ClrMD's shortcut: a fully read name with no argument lists to apply
  // is returned untouched, even when a generic type has no arguments.
  bool KeepsInput() const {
    if (!AtEnd()) return false;
    for (const Part& part : top_) {
      if (part.Generic() && (part.open || part.Filled() != 0)) return false;
    }
    return true;
  }

  bool AnyUnfilled() const {
    for (const Part& part : top_) {
      if (part.Unfilled()) return true;
    }
    for (const Part& part : args_) {
      if (part.Unfilled()) return true;
    }
    return false;
  }

  // Where a freshly read arity belongs: the last argument, or else the last
  // top-level type.
  std::vector<Part>& ArityTarget() { return args_.empty() ? top_ : args_; }

  // Commas at the outer level of a list that starts at `at`, plus one.
  int32_t CountArgs(size_t at) const {
    int32_t count = 1;
    int level = 0;
    for (; at < s_.size(); ++at) {
      if (s_[at] == ',') {
        if (level == 0) ++count;
      } else if (s_[at] == ']') {
        if (level == 0) break;
        --level;
      } else if (s_[at] == '[') {
        ++level;
      }
    }
    return count;
  }

  std::pair<State, size_t> Peek(size_t at) const {
    if (at >= s_.size()) return {State::kDone, at};
    switch (s_[at]) {
      case ',':
        ++at;
        while (at < s_.size() && s_[at] == ' ') ++at;
        if (at == s_.size()) return {State::kFail, at};
        if (s_[at] == '[') return {State::kQualifiedArg, at + 1};
        return {State::kPlainArg, at};
      case '`': return {State::kArity, at + 1};
      case '+': return {State::kNested, at + 1};
      case '[':
        if (at + 1 == s_.size()) return {State::kFail, at};
        if (s_[at + 1] == ']' || s_[at + 1] == ',') return {State::kArray, at};
        return {State::kArgList, at};
      case ']': return {State::kCloseArgList, at + 1};
      default: return {State::kFail, at};
    }
  }

  State Advance() {
    auto [state, at] = Peek(pos_);
    pos_ = at;
    return state;
  }

  State OnName() {
    const size_t begin = pos_;
    SkipName();
    if (KeepsInput() || !AddPart(begin) || AtEnd()) return State::kFail;
    const char c = s_[pos_];
    if (c == ',' && QualifiedArgOpen()) return State::kAssembly;
    // A '[' with no arity pending opens an argument list of a generic type
    // whose name lacks the arity (F#, obfuscators), unless it is an array.
    if (c == '[' && !AnyUnfilled() && pos_ + 1 != s_.size() && s_[pos_ + 1] != ']' &&
        s_[pos_ + 1] != ',') {
      std::vector<Part>& target = ArityTarget();
      if (!target.empty()) target.back().arity = CountArgs(pos_ + 1);
      if (!target.empty() && target.back().arity > kMaxArity) return State::kFail;
      return State::kArgList;
    }
    return Advance();
  }

  State OnArg(bool qualified) {
    const size_t begin = pos_;
    SkipName();
    if (AtEnd() || !AddPart(begin)) return State::kFail;
    qualified_.push_back(qualified);
    const char c = s_[pos_];
    if (c == '`') {
      ++pos_;
      return State::kArity;
    }
    if (c == '[') return State::kArray;
    if (c != ',' && c != ']') return State::kFail;
    if (qualified) SkipAssembly();
    if (AtEnd()) return State::kFail;
    if (s_[pos_] == ']') return Advance();
    if (s_[pos_] == ',') {
      qualified_.pop_back();
      return Advance();
    }
    return State::kFail;
  }

  State OnArity() {
    const size_t first = pos_;
    while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
    uint32_t value = 0;
    uint32_t scale = 1;
    for (size_t i = pos_; i > first; --i) {
      value += static_cast<uint32_t>(s_[i - 1] - '0') * scale;
      scale *= 10;
    }
    std::vector<Part>& target = ArityTarget();
    const auto arity = static_cast<int32_t>(value);
    if (target.empty() || arity > kMaxArity) return State::kFail;
    Part& part = target.back();
    part.arity = arity;
    if (!AtEnd() && s_[pos_] != '[' && s_[pos_] != '+') {
      part.open = true;
      if (QualifiedArgOpen()) return s_[pos_] == ',' ? State::kAssembly : State::kFail;
    }
    return Advance();
  }

  State OnArgList() {
    ++arg_depth_;
    if (pos_ + 1 >= s_.size()) return State::kFail;
    if (s_[pos_ + 1] == '[') {
      pos_ += 2;
      return State::kQualifiedArg;
    }
    pos_ += 1;
    return State::kPlainArg;
  }

  State OnAssembly() {
    SkipAssembly();
    if (!PopQualified()) return State::kFail;
    return Advance();
  }

  State OnArray() {
    int32_t dimensions = 1;
    for (; pos_ < s_.size() && s_[pos_] != ']'; ++pos_) {
      if (s_[pos_] == ',') ++dimensions;
    }
    if (!AtEnd()) ++pos_;
    std::vector<Part>& target = arg_depth_ != 0 ? args_ : top_;
    if (target.empty()) return State::kFail;
    target.back().AddArraySuffix(dimensions);

    auto [state, at] = Peek(pos_);
    if (state != State::kArray && state != State::kDone) {
      // The array ends this argument: step over its assembly, if any.
      if (QualifiedArgOpen()) {
        SkipAssembly();
        state = Advance();
      } else {
        pos_ = at;
      }
      if (!qualified_.empty()) qualified_.pop_back();
    } else {
      pos_ = at;
    }
    if ((!args_used_ || (args_.empty() && state == State::kDone)) && KeepsInput()) {
      return State::kFail;
    }
    return state;
  }

  State OnCloseArgList() {
    --arg_depth_;
    const bool qualified = QualifiedArgOpen();
    if (args_.empty()) return PopQualified() ? Advance() : State::kFail;
    if (!ResolveArgs()) return State::kFail;
    if (AtEnd()) {
      PopQualified();
      return State::kDone;
    }
    if (s_[pos_] != ',') {
      PopQualified();
      return Advance();
    }
    // This list was an argument of an outer one: after the ',' comes the
    // assembly of that argument or the next argument.
    if (qualified) return State::kAssembly;
    if (!PopQualified()) return State::kFail;
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
    if (AtEnd()) return State::kFail;
    if (QualifiedArgOpen()) return State::kAssembly;
    if (s_[pos_] == '[') {
      ++pos_;
      return State::kQualifiedArg;
    }
    return State::kPlainArg;
  }

  // The last argument read at `depth` before `end` still waiting for its
  // own arguments, or -1.
  int32_t LastUnfilledBefore(int32_t end, int depth) const {
    for (int32_t i = end - 1; i >= 0; --i) {
      const Part& part = args_[static_cast<size_t>(i)];
      if (part.Unfilled() && part.depth == depth) return i;
    }
    return -1;
  }

  int32_t ArgCount() const { return static_cast<int32_t>(args_.size()); }

  // Applies a closed argument list: generic arguments first take what
  // follows them, then nested types fold into their outer types, and what is
  // left goes to the top-level types. False where ClrMD gives up.
  bool ResolveArgs() {
    bool patched = false;
    for (int32_t i = LastUnfilledBefore(ArgCount(), arg_depth_); i >= 0;
         i = LastUnfilledBefore(i, arg_depth_)) {
      patched = true;
      if (!FillArg(i)) return false;
    }
    FoldNested();
    if (patched && arg_depth_ != 0) return true;
    return FillTop();
  }

  // A nested generic argument skips the arguments its outer types (the
  // nested run before it at the same depth) will take.
  int32_t FirstSourceFor(const Part& target, int32_t index) const {
    int32_t source = index + 1;
    for (int32_t i = index - 1; i >= 0; --i) {
      const Part& part = args_[static_cast<size_t>(i)];
      if (part.depth != target.depth) break;
      if (part.Generic()) source = WrapAdd(source, part.Remaining());
      if (!part.nested) break;
    }
    return source;
  }

  // Moves the arguments that follow args_[index] into it. Works on a copy
  // written back at the same position, as ClrMD does.
  bool FillArg(int32_t index) {
    Part target = args_[static_cast<size_t>(index)];
    int32_t source = -1;
    while (target.Unfilled()) {
      if (index + 1 == ArgCount()) return false;
      if (target.nested && target.Generic() && source == -1) source = FirstSourceFor(target, index);
      for (int32_t i = source != -1 ? source : index + 1; i < ArgCount(); ++i) {
        if (i < 0) return false;
        if (!args_[static_cast<size_t>(i)].nested) {
          source = i;
          break;
        }
      }
      if (source == index || source < 0 || source >= ArgCount()) return false;
      const auto at = static_cast<size_t>(source);
      if (!target.AddArg(std::move(args_[at]))) return false;
      args_.erase(args_.begin() + static_cast<std::ptrdiff_t>(at));
    }
    if (index >= ArgCount()) return false;
    args_[static_cast<size_t>(index)] = std::move(target);
    return true;
  }

  void FoldNested() {
    for (size_t i = args_.size(); i-- > 1;) {
      if (args_[i].depth < arg_depth_) break;
      if (!args_[i].nested || args_[i].Unfilled()) continue;
      Part child = std::move(args_[i]);
      args_.erase(args_.begin() + static_cast<std::ptrdiff_t>(i));
      args_[i - 1].inner.clear();
      args_[i - 1].inner.push_back(std::move(child));
    }
  }

  // Deals the remaining arguments, in order, to the top-level types that
  // wait for them.
  bool FillTop() {
    size_t target = 0;
    while (target < top_.size() && !top_[target].Unfilled()) ++target;
    if (target == top_.size()) return false;
    while (!args_.empty()) {
      Part arg = std::move(args_.front());
      args_.erase(args_.begin());
      if (!top_[target].AddArg(std::move(arg))) return false;
      if (top_[target].Unfilled() || args_.empty()) continue;
      while (target < top_.size() && !top_[target].Unfilled()) ++target;
      if (target == top_.size()) return false;
    }
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int arg_depth_ = 0;
  int nested_pending_ = 0;
  size_t parts_made_ = 0;
  std::vector<Part> top_;   // the types of the name itself
  std::vector<Part> args_;  // arguments read but not yet placed
  // ClrMD distinguishes "no argument ever read" from "all placed".
  bool args_used_ = false;
  // One entry per argument being read: whether ", Assembly]" follows it.
  std::vector<bool> qualified_;
};

}  // namespace

std::string ClrMdTypeName(std::string_view dac_name) {
  // Without these characters ClrMD always returns the name unchanged.
  if (dac_name.find_first_of("[]`") == std::string_view::npos) return std::string(dac_name);
  Parser parser(dac_name);
  if (!parser.Run()) return std::string(dac_name);
  return parser.Render();
}

}  // namespace clrdump::runtime
