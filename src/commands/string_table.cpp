#include "commands/string_table.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "base/strings.h"
#include "commands/table.h"

namespace clrdump::cmd {
namespace {

constexpr uint32_t kMaxChars = 1024;
constexpr size_t kMaxShown = 128;

// .NET's char.IsLetterOrDigit and char.IsPunctuation: exact for Latin-1;
// beyond it an approximation (such characters never reach the output,
// whose filter keeps ASCII only, but they decide whether a value is
// sanitized).
bool IsLetterOrDigit(char16_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
  if (c < 0x100) return c == 0xAA || c == 0xB5 || c == 0xBA || (c >= 0xC0 && c != 0xD7 && c != 0xF7);
  if (c >= 0xD800 && c <= 0xDFFF) return false;  // surrogates
  if (c >= 0x2000 && c <= 0x2BFF) return false;  // punctuation, symbols, arrows
  if (c >= 0x3000 && c <= 0x303F) return false;  // CJK punctuation
  if (c >= 0xE000 && c <= 0xF8FF) return false;  // private use
  return c < 0xFE00;
}

bool IsPunctuation(char16_t c) {
  if (c < 0x80) return c < 0x7F && std::u16string_view(u"!\"#%&'()*,-./:;?@[\\]_{}").find(c) !=
                                        std::u16string_view::npos;
  if (c < 0x100) return c == 0xA1 || c == 0xA7 || c == 0xAB || c == 0xB6 || c == 0xB7 ||
                        c == 0xBB || c == 0xBF;
  return (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E) ||
         (c >= 0x3001 && c <= 0x3003) || (c >= 0x3008 && c <= 0x3011);
}

// dotnet-dump's Sanitize: a value of letters and digits only is shown
// whole; any other is cut to `max` characters, each one that is not a
// letter, digit, punctuation or space replaced by '.'.
std::string Sanitize(const std::u16string& value, size_t max) {
  if (std::all_of(value.begin(), value.end(), IsLetterOrDigit)) return Utf16ToUtf8(value);
  std::u16string shown = value.substr(0, std::min(value.size(), max));
  for (char16_t& c : shown) {
    if (!IsLetterOrDigit(c) && !IsPunctuation(c) && c != u' ') c = u'.';
  }
  return Utf16ToUtf8(shown);
}

// Console.WindowWidth as .NET reports it: the terminal's, or 80 when the
// output is not a terminal.
int WindowWidth() {
  winsize size{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  return 80;
}

}  // namespace

void StringTable::Add(runtime::ManagedHeap& heap, const runtime::HeapObject& object,
                      uint64_t size) {
  std::u16string value;
  const uint32_t length = heap.ReadU32(object.address + 8).value_or(0);
  const uint32_t n = std::min(length, kMaxChars);
  if (length <= INT32_MAX && n > 0) {
    std::vector<uint8_t> bytes(size_t{n} * 2);
    const size_t got = heap.ReadBytes(object.address + 12, bytes) / 2;
    value.resize(got);
    for (size_t i = 0; i < got; ++i) {
      value[i] = static_cast<char16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    }
  }
  std::vector<size_t>& same = index_[value];
  for (size_t i : same) {
    if (entries_[i].size == size) {
      entries_[i].count++;
      return;
    }
  }
  same.push_back(entries_.size());
  entries_.push_back({std::move(value), size, 1});
}

void StringTable::Print(std::ostream& out, const std::atomic<bool>* cancel) const {
  uint64_t max_count = 0;
  for (const Entry& e : entries_) max_count = std::max(max_count, e.count);
  // dotnet-dump sizes the total-size column from the count's width, so the
  // room left for values depends on the largest count only.
  const int count_width = std::max<int>(static_cast<int>(IntegerCell(max_count).size()), 5);
  const int size_width = std::max(count_width, 9);
  size_t shown = kMaxShown;
  if (const int room = WindowWidth() - count_width - size_width - 2; room > 16) {
    shown = std::min<size_t>(static_cast<size_t>(room), kMaxShown);
  }
  out << "Statistics:\n";
  std::vector<const Entry*> sorted;
  for (const Entry& e : entries_) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return a->count * a->size < b->count * b->size;
  });
  Table table(out, {columns::Integer(), columns::Integer(), columns::Text()});
  for (const Entry* e : sorted) {
    if (cancel && cancel->load(std::memory_order_relaxed)) return;
    table.WriteRow({IntegerCell(e->count), IntegerCell(e->count * e->size),
                    Sanitize(e->value, shown)});
  }
}

}  // namespace clrdump::cmd
