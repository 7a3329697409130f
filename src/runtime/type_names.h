// Type names as ClrMD shows them: the DAC's
// "List`1[[System.Object, System.Private.CoreLib]]" becomes
// "List<System.Object>".
#pragma once

#include <string>

namespace clrdump::runtime {

// Names without generic arguments come back unchanged; a name that does
// not parse comes back unchanged too.
std::string ClrMdTypeName(const std::string& dac_name);

}  // namespace clrdump::runtime
