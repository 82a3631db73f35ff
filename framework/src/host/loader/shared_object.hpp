// Checking that a file is a complete ELF shared object of this machine before dlopen maps it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace blindspot::host {

/// Why `path` cannot be handed to dlopen (not a regular file, not an ELF shared object of this
/// machine, or truncated), or nullopt if its headers and loadable segments lie inside the file.
/// dlopen maps a truncated library and then dies of SIGBUS touching the missing pages, and
/// blocks forever opening a FIFO, so these are checked first.
std::optional<std::string> shared_object_problem(const std::filesystem::path& path);

}  // namespace blindspot::host
