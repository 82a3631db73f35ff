// One-line errors for a data path that is missing, unreadable, or of the wrong kind.
#include "data/path_kind.hpp"

#include <fmt/format.h>

#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

/// Throws unless `path` exists, can be inspected and is a folder (or a file).
void require(const std::filesystem::path& path, bool folder, const std::string& expected) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found)
    throw Error(path.string(), folder ? "no such folder" : "no such file");
  if (ec) throw Error(path.string(), fmt::format("cannot read: {}", ec.message()));
  if (folder ? !std::filesystem::is_directory(status) : !std::filesystem::is_regular_file(status))
    throw Error(path.string(),
                fmt::format("not a {}, expected {}", folder ? "folder" : "file", expected));
}

}  // namespace

void require_file(const std::filesystem::path& path, const std::string& expected) {
  require(path, false, expected);
}

void require_folder(const std::filesystem::path& path, const std::string& expected) {
  require(path, true, expected);
}

}  // namespace blindspot::host
