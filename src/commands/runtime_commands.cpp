// Runtime commands: `runtimes`, `setclrpath`, `eeversion`.
#include <unistd.h>

#include <climits>

#include <fmt/format.h>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/target.h"
#include "dump/elf_image.h"

namespace clrdump::cmd {
namespace {

std::string Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  const std::string base = ::getcwd(cwd, sizeof cwd) ? cwd : "/";
  return base + "/" + path;
}

Status RunSetClrPath(CommandContext& ctx, const ParsedArgs& args) {
  if (args.Has("--clear")) {
    ctx.target.set_clr_path("");
    return Ok{};
  }
  if (auto path = args.Value("path")) {
    ctx.target.set_clr_path(Absolute(*path));
    ctx.out << fmt::format("Set load path for DAC/DBI to '{}'\n", ctx.target.clr_path());
    return Ok{};
  }
  const std::string& current = ctx.target.clr_path();
  ctx.out << fmt::format("Load path for DAC/DBI: '{}'\n", current.empty() ? "<none>" : current);
  return Ok{};
}

Status RunEEVersion(CommandContext& ctx, const ParsedArgs& /*args*/) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  runtime::Runtime& rt = **runtime;
  const std::string& version = rt.location().version_string;
  ctx.out << runtime::VersionNumber(version) << "\n";
  if (!version.empty()) ctx.out << version << "\n";
  auto gc = rt.GetGcHeapInfo();
  if (!gc) {
    ctx.out << "GC Heap not initialized, so GC mode is not determined yet.\n";
  } else if (gc->server) {
    ctx.out << fmt::format("Server mode with {} gc heaps\n", gc->heap_count);
    if (auto datas = rt.GetGcDynamicAdaptationMode()) ctx.out << fmt::format("DATAS {} \n", *datas);
  } else {
    ctx.out << "Workstation mode\n";
  }
  if (gc && !gc->structures_valid) ctx.out << "In plan phase of garbage collection\n";
  // Scripts look for this line; it names this tool instead of SOS.
  ctx.out << "SOS Version: clrdump " << CLRDUMP_VERSION << "\n";
  return Ok{};
}

void PrintRuntime(std::ostream& out, const runtime::RuntimeLocation& rt, bool dac_loaded) {
  const std::string id = dump::HexString(rt.build_id);
  out << fmt::format("#0 .NET Core runtime {} at {:016X} size {:08X} index {}\n",
                     runtime::VersionNumber(rt.version_string), rt.coreclr.base, rt.coreclr.size,
                     id);
  out << "    Runtime module path: " << rt.coreclr.path << "\n";
  if (dac_loaded) out << "    DAC: " << rt.dac_path << " (don't verify)\n";
  out << "    Libraries:\n";
  // Both are indexed under the runtime's build-id on symbol servers.
  out << "        Dac libmscordaccore.so LINUX X64 Coreclr " << id << "\n";
  out << "        Dbi libmscordbi.so LINUX X64 Coreclr " << id << "\n";
  out << "    Exports:\n";
  for (const auto& [name, address] : rt.exports) {
    out << "        " << name << ": "
        << (address ? fmt::format("{:016X}", *address) : std::string("<NO SYMBOL>")) << "\n";
  }
  out << "Settings:\n"
         "-> Use CDAC contract reader: False\n"
         "-> Force use CDAC contract reader: False\n"
         "-> DAC signature verification check enabled: False\n";
}

Status RunRuntimes(CommandContext& ctx, const ParsedArgs& args) {
  // -a enumerates the runtimes afresh, dropping the loaded DAC state.
  if (args.Has("--all")) ctx.target.ResetRuntime();
  // Listing does not load the DAC: dotnet-dump shows it only once loaded.
  auto location = ctx.target.runtime_location();
  if (!location) return location.error();
  // A dump holds one .NET Core runtime here; the switches only confirm it.
  if (args.Has("-netcore")) {
    ctx.out << "Switched to .NET Core runtime successfully\n";
    return Ok{};
  }
  if (args.Has("-netfx")) {
    ctx.out << "The desktop .NET Framework runtime is not loaded\n";
    return Ok{};
  }
  if (auto id = args.Value("id")) {
    if (*id != "0") return MakeError(ErrorCode::kNotFound, "Invalid runtime id " + *id);
    ctx.out << "Switched to runtime #0 successfully\n";
    return Ok{};
  }
  PrintRuntime(ctx.out, *location, ctx.target.runtime_loaded());
  return Ok{};
}

}  // namespace

void AddRuntimeCommands(Registry& registry) {
  registry.Add({"runtimes",
                {"setruntime"},
                "Lists the runtimes in the target or changes the default runtime.",
                {{{"-f", "-netfx"}, "Switches to the desktop .NET Framework if exists.",
                  ValueType::kFlag},
                 {{"-c", "-netcore"},
                  "Switches to the .NET Core or .NET 5+ runtime if exists.",
                  ValueType::kFlag},
                 {{"-a", "--all"}, "Forces all runtimes to be enumerated.", ValueType::kFlag}},
                ArgumentSpec{"id", "Switch to the runtime by id.", ValueType::kUInt32, false},
                RunRuntimes});
  registry.Add({"setclrpath",
                {},
                "Sets the path to load coreclr DAC/DBI files.",
                {{{"-c", "--clear"}, "Clears the runtime directory path.", ValueType::kFlag}},
                ArgumentSpec{"path", "Runtime directory path.", ValueType::kString, false},
                RunSetClrPath});
  registry.Add({"eeversion",
                {},
                "Displays information about the runtime version.",
                {},
                ArgumentSpec{"arguments", "Arguments to SOS command.", ValueType::kString, true},
                RunEEVersion});
}

}  // namespace clrdump::cmd
