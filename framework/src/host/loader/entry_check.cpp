// Checks of a plugin's entry symbol and of the PluginEntry it returns.
#include "loader/entry_check.hpp"

#include <dlfcn.h>
#include <link.h>

namespace blindspot::host {

bool is_function_symbol(const void* address) {
  Dl_info info{};
  void* found = nullptr;  // the symbol's ElfW(Sym) entry
  if (dladdr1(address, &info, &found, RTLD_DL_SYMENT) == 0 || !found) return false;
  const auto* symbol = static_cast<const ElfW(Sym)*>(found);
  return ELF64_ST_TYPE(symbol->st_info) == STT_FUNC && info.dli_saddr == address;
}

bool in_loaded_object(const void* address) {
  Dl_info info{};
  return dladdr(address, &info) != 0;
}

std::optional<std::string> entry_problem(const PluginEntry& entry) {
  if (!entry.name || !*entry.name) return std::string("has no name (null or empty)");
  if (!entry.version) return std::string("has no version (null)");
  // report is PluginKind's last enumerator.
  if (static_cast<std::uint32_t>(entry.kind) > static_cast<std::uint32_t>(PluginKind::report))
    return "has an unknown kind " + std::to_string(static_cast<std::uint32_t>(entry.kind));
  if (!entry.describe) return std::string("has no describe() (null)");
  if (entry.kind == PluginKind::report && !entry.create_report)
    return std::string("is a report plugin without create_report() (null)");
  if (entry.kind != PluginKind::report && !entry.create)
    return std::string("has no create() (null)");
  return std::nullopt;
}

}  // namespace blindspot::host
