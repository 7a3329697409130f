// Progress of long heap walks, shown on stderr only when stderr is a
// terminal (so redirected output and tests never see it): one line,
// rewritten in place at most once a second, erased when the walk ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace clrdump::cmd {

class Progress {
 public:
  Progress(std::string what, uint64_t total_bytes);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Report(uint64_t done_bytes, uint64_t objects);

 private:
  std::string what_;
  uint64_t total_ = 0;
  bool enabled_ = false;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace clrdump::cmd
