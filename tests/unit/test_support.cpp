#include "test_support.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

static std::runtime_error OsFailure(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

ScratchDir::ScratchDir() {
  std::string templ = "/tmp/clrdump_unit_XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) throw OsFailure("mkdtemp");
  path_ = templ;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

void WriteFileText(const std::string& path, const std::string& text) {
  WriteFileBytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}

SpawnedChild::SpawnedChild(const std::vector<std::string>& env, const std::string& program,
                           const std::string& argv0) {
  std::string arg0 = argv0;
  std::string arg1 = "30";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  std::vector<std::string> env_copy = env;
  std::vector<char*> envp;
  for (auto& entry : env_copy) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, program.c_str(), nullptr, nullptr, argv, envp.data());
  if (rc != 0) {
    errno = rc;
    throw OsFailure("posix_spawn " + program);
  }
  // posix_spawn resumes us when the child's old memory is released, which
  // is before the kernel has stored argv and environ in the new image;
  // until then /proc/<pid>/cmdline and environ read as empty.
  const std::string cmdline = "/proc/" + std::to_string(pid_) + "/cmdline";
  for (int attempt = 0; attempt < 5000; ++attempt) {
    std::ifstream in(cmdline);
    if (in.get() != std::ifstream::traits_type::eof()) return;
    ::usleep(1000);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  throw std::runtime_error(cmdline + " stayed empty");
}

SpawnedChild::~SpawnedChild() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

pid_t ReapedChildPid() {
  pid_t pid = -1;
  char arg0[] = "true";
  char* argv[] = {arg0, nullptr};
  char* envp[] = {nullptr};
  const int rc = ::posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, envp);
  if (rc != 0) {
    errno = rc;
    throw OsFailure("posix_spawn /bin/true");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw OsFailure("waitpid");
  }
  return pid;
}

ScopedEnv::ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
  if (const char* old = std::getenv(name)) saved_ = old;
  if (value) {
    ::setenv(name, value->c_str(), 1);
  } else {
    ::unsetenv(name);
  }
}

ScopedEnv::~ScopedEnv() {
  if (saved_) {
    ::setenv(name_.c_str(), saved_->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

WireBytes& WireBytes::U8(uint8_t v) {
  bytes_.push_back(v);
  return *this;
}

WireBytes& WireBytes::U16(uint16_t v) {
  bytes_.push_back(static_cast<uint8_t>(v & 0xFF));
  bytes_.push_back(static_cast<uint8_t>(v >> 8));
  return *this;
}

WireBytes& WireBytes::U32(uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) bytes_.push_back(static_cast<uint8_t>(v >> shift));
  return *this;
}

WireBytes& WireBytes::U64(uint64_t v) {
  for (int shift = 0; shift < 64; shift += 8) bytes_.push_back(static_cast<uint8_t>(v >> shift));
  return *this;
}

WireBytes& WireBytes::Raw(std::string_view bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return *this;
}

WireBytes& WireBytes::Raw(const std::vector<uint8_t>& bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return *this;
}

WireBytes& WireBytes::Utf16(std::u16string_view units) {
  for (char16_t u : units) U16(static_cast<uint16_t>(u));
  return *this;
}

WireBytes& WireBytes::String(std::u16string_view units) {
  U32(static_cast<uint32_t>(units.size() + 1));
  Utf16(units);
  return U16(0);
}

std::vector<uint8_t> IpcMessageBytes(uint8_t command_set, uint8_t command_id,
                                     const std::vector<uint8_t>& payload) {
  WireBytes message;
  message.Raw(std::string_view("DOTNET_IPC_V1\0", 14))
      .U16(static_cast<uint16_t>(20 + payload.size()))
      .U8(command_set)
      .U8(command_id)
      .U16(0)
      .Raw(payload);
  return message.bytes();
}
