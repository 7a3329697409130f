// Address arguments as dotnet-dump's managed commands read them: hex, with
// or without "0x", leading zeros and one WinDbg-style '`' ignored; "0" and
// "" are not addresses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace clrdump::cmd {

std::optional<uint64_t> TryParseAddress(std::string text);

}  // namespace clrdump::cmd
