// Small text helpers shared by every layer: UTF-8 <-> UTF-16LE for the
// diagnostics protocol, splitting, and errno formatting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace clrdump {

// Invalid UTF-8 sequences become U+FFFD, as .NET's encoder does.
std::u16string Utf8ToUtf16(std::string_view text);
// Unpaired surrogates become U+FFFD.
std::string Utf16ToUtf8(std::u16string_view text);

std::vector<std::string> Split(std::string_view text, char separator);
std::string_view TrimWhitespace(std::string_view text);
bool StartsWith(std::string_view text, std::string_view prefix);

// ASCII-only lower case (names and keywords, never user text).
std::string AsciiLower(std::string text);
// The part after the last '/'.
std::string FileNameOf(const std::string& path);
// Without the " (deleted)" the kernel appends to a removed file's name.
std::string WithoutDeletedSuffix(std::string path);

// "No such file or directory" for ENOENT: strerror without the global buffer.
std::string ErrnoText(int err);

}  // namespace clrdump
