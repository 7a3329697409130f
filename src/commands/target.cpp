#include "commands/target.h"

namespace clrdump::cmd {

Target::Target(std::unique_ptr<dump::ElfCore> core)
    : core_(std::move(core)), memory_(std::make_unique<dump::ProcessMemory>(*core_)) {}

const std::vector<dump::Module>& Target::modules() {
  if (!modules_) modules_ = dump::EnumerateModules(*core_);
  return *modules_;
}

Result<runtime::Runtime*> Target::runtime() {
  if (runtime_) return runtime_.get();
  if (runtime_error_) return *runtime_error_;
  auto location = runtime::LocateRuntime(modules(), *memory_, clr_path_);
  if (!location) {
    runtime_error_ = location.error();
    return location.error();
  }
  auto opened = runtime::OpenRuntime(*core_, *memory_, *location);
  if (!opened) {
    runtime_error_ = opened.error();
    return opened.error();
  }
  runtime_ = std::move(*opened);
  return runtime_.get();
}

Result<runtime::RuntimeLocation> Target::runtime_location() {
  if (runtime_) return runtime_->location();
  return runtime::LocateRuntime(modules(), *memory_, clr_path_);
}

Result<runtime::ManagedHeap*> Target::heap() {
  if (heap_) return heap_.get();
  auto rt = runtime();
  if (!rt) return rt.error();
  auto heap = std::make_unique<runtime::ManagedHeap>(**rt, *core_, *memory_);
  if (Status loaded = heap->Load(); !loaded) return loaded.error();
  heap_ = std::move(heap);
  return heap_.get();
}

Result<runtime::Roots*> Target::roots() {
  if (roots_) return roots_.get();
  auto h = heap();
  if (!h) return h.error();
  roots_ = std::make_unique<runtime::Roots>(**runtime(), **h);
  return roots_.get();
}

Result<runtime::StaticVariables*> Target::statics() {
  if (statics_) return statics_.get();
  auto h = heap();
  if (!h) return h.error();
  statics_ = std::make_unique<runtime::StaticVariables>(**runtime(), **h, *memory_);
  return statics_.get();
}

void Target::set_clr_path(std::string path) {
  clr_path_ = std::move(path);
  // As in dotnet-dump, a new path means looking up the runtime again.
  ResetRuntime();
}

void Target::ResetRuntime() {
  // The old model is kept alive, not freed: its DAC cannot be unloaded.
  statics_.reset();
  roots_.reset();
  heap_.reset();
  if (runtime_) retired_.push_back(std::move(runtime_));
  runtime_error_.reset();
}

}  // namespace clrdump::cmd
