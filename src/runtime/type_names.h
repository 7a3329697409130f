// Type names as dotnet-dump prints them. The DAC names a MethodTable in
// reflection syntax ("Dictionary`2[[System.String, System.Private.CoreLib],
// [System.Object, System.Private.CoreLib]]"); ClrMD, and so every managed
// heap command of dotnet-dump, rewrites that to C#-like syntax
// ("Dictionary<System.String, System.Object>"). Byte-identical output needs
// the same rewrite, including what ClrMD does with names it cannot parse.
#pragma once

#include <string>
#include <string_view>

namespace clrdump::runtime {

// ClrMD's rendering of the DAC type name `dac_name`: generic arity and
// argument lists become <...> (assembly names dropped, missing arguments
// shown as T1, T2, ...), nested types and array suffixes are kept, and input
// ClrMD fails to parse comes back unchanged. Pure; never throws on any input.
//
// Known differences from ClrMD, none reachable with a name the runtime
// produces: only ASCII digits count as a generic arity (.NET also takes
// other Unicode decimal digits), and a name with more than 1024 type parts
// or an arity above 65535 comes back unchanged.
std::string ClrMdTypeName(std::string_view dac_name);

}  // namespace clrdump::runtime
