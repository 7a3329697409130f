// Fixtures shared by the unit tests: scratch directories, child processes
// with a chosen environment, and a byte builder that writes wire data by
// hand, so that expectations never come from the code under test.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A directory made by mkdtemp under /tmp (short, so socket paths inside it
// stay far below the 107-byte AF_UNIX limit); removed with its contents.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Helpers throw std::runtime_error on OS failures; GoogleTest reports a
// thrown exception as a failure of the test that called them.
void WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes);
void WriteFileText(const std::string& path, const std::string& text);

// A child process running `program` ("sleep 30" by default) with exactly
// the environment `env`, killed and reaped on destruction. The constructor
// returns once /proc/<pid> shows the new image's argv and environment.
class SpawnedChild {
 public:
  explicit SpawnedChild(const std::vector<std::string>& env,
                        const std::string& program = "/usr/bin/sleep",
                        const std::string& argv0 = "sleep");
  ~SpawnedChild();
  SpawnedChild(const SpawnedChild&) = delete;
  SpawnedChild& operator=(const SpawnedChild&) = delete;

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// The pid of a child that has already exited and been reaped, i.e. a pid
// that names no process (until the kernel recycles it, which takes a full
// lap of the pid space).
pid_t ReapedChildPid();

// Sets (or, with nullopt, unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> saved_;
};

// Little-endian bytes as the diagnostics protocol lays them out.
class WireBytes {
 public:
  WireBytes& U8(uint8_t v);
  WireBytes& U16(uint16_t v);
  WireBytes& U32(uint32_t v);
  WireBytes& U64(uint64_t v);
  WireBytes& Raw(std::string_view bytes);
  WireBytes& Raw(const std::vector<uint8_t>& bytes);
  // UTF-16LE units only, no count and no terminator.
  WireBytes& Utf16(std::u16string_view units);
  // A protocol string: u32 count of units including the NUL, the units,
  // then the NUL.
  WireBytes& String(std::u16string_view units);

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  operator const std::vector<uint8_t>&() const { return bytes_; }  // NOLINT

 private:
  std::vector<uint8_t> bytes_;
};

// A full message: "DOTNET_IPC_V1\0", u16 size (header + payload), command
// set, command id, u16 reserved 0, payload.
std::vector<uint8_t> IpcMessageBytes(uint8_t command_set, uint8_t command_id,
                                     const std::vector<uint8_t>& payload);
