// The DAC of .NET 10 dereferences a bad pointer while enumerating the stack
// references of some threads (one inside exception dispatch, in the shared
// async and crash dumps); dotnet-dump dies with it. The enumeration runs in
// a forked child so that such a thread only loses its stack roots.
#include "runtime/isolated_stack_refs.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <type_traits>

namespace clrdump::runtime {
namespace {

static_assert(std::is_trivially_copyable_v<StackReference>);

bool WriteAll(int fd, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool ReadAll(int fd, void* data, size_t size) {
  auto* p = static_cast<uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = read(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// In the child: each thread's references as [count][records], from `first`.
[[noreturn]] void ChildMain(Runtime& runtime, const std::vector<uint32_t>& threads, size_t first,
                            int fd) {
  for (size_t i = first; i < threads.size(); ++i) {
    auto refs = runtime.GetStackReferences(threads[i]);
    const uint64_t count = refs ? refs->size() : 0;
    if (!WriteAll(fd, &count, sizeof count)) _exit(1);
    if (count && !WriteAll(fd, refs->data(), count * sizeof(StackReference))) _exit(1);
  }
  _exit(0);
}

}  // namespace

std::vector<std::optional<std::vector<StackReference>>> IsolatedStackReferences(
    Runtime& runtime, const std::vector<uint32_t>& threads) {
  std::vector<std::optional<std::vector<StackReference>>> result;
  while (result.size() < threads.size()) {
    int fds[2];
    if (pipe(fds) != 0) break;
    const pid_t child = fork();
    if (child < 0) {
      close(fds[0]);
      close(fds[1]);
      break;
    }
    if (child == 0) {
      close(fds[0]);
      ChildMain(runtime, threads, result.size(), fds[1]);
    }
    close(fds[1]);
    for (uint64_t count; result.size() < threads.size() && ReadAll(fds[0], &count, sizeof count);) {
      std::vector<StackReference> refs(count);
      if (count && !ReadAll(fds[0], refs.data(), count * sizeof(StackReference))) break;
      result.emplace_back(std::move(refs));
    }
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    // The thread the child was on when it died has no references.
    if (result.size() < threads.size()) result.emplace_back(std::nullopt);
  }
  while (result.size() < threads.size()) result.emplace_back(std::nullopt);
  return result;
}

}  // namespace clrdump::runtime
