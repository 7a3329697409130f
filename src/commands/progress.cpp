#include "commands/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace clrdump::cmd {
namespace {
constexpr auto kFirstAfter = std::chrono::seconds(1);
constexpr auto kEvery = std::chrono::milliseconds(500);
}  // namespace

Progress::Progress(std::string what, uint64_t total_bytes)
    : what_(std::move(what)), total_(total_bytes), enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

Progress::~Progress() {
  if (shown_) std::fputs("\r\033[K", stderr);
}

void Progress::Report(uint64_t done_bytes, uint64_t objects) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < kFirstAfter || now - last_ < kEvery) return;
  last_ = now;
  shown_ = true;
  const double pct = total_ ? 100.0 * static_cast<double>(done_bytes) / static_cast<double>(total_)
                            : 0.0;
  std::fputs(fmt::format("\r{}: {} objects, {} MB / {} MB ({:.0f}%)  Ctrl-C stops\033[K",
                         what_, objects, done_bytes >> 20, total_ >> 20, pct)
                 .c_str(),
             stderr);
  std::fflush(stderr);
}

}  // namespace clrdump::cmd
