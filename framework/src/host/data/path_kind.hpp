// Checking that a data path is there and is a file, or a folder, before reading it.
#pragma once

#include <filesystem>
#include <string>

namespace blindspot::host {

/// Throws blindspot::Error naming `path` unless it is a regular file: "no such file", "cannot
/// read: REASON", or "not a file, expected EXPECTED".
void require_file(const std::filesystem::path& path, const std::string& expected);

/// Throws blindspot::Error naming `path` unless it is a folder, as require_file does.
void require_folder(const std::filesystem::path& path, const std::string& expected);

}  // namespace blindspot::host
