// Opening, creating and closing archive files.
#pragma once

#include <filesystem>

#include "archive/h5_handle.hpp"

namespace blindspot::host {

/// Creates `path` (truncating an existing file) for writing. Errors name `shown_as` if given:
/// the writer works on a temporary copy but the user knows the partial.
H5Handle create_file(const std::filesystem::path& path, const std::filesystem::path& shown_as = {});

/// Opens an existing HDF5 file for reading and writing; errors name `shown_as` if given.
H5Handle open_file_for_update(const std::filesystem::path& path,
                              const std::filesystem::path& shown_as = {});

/// Opens a blindspot archive read-only; throws Error(path, "not a blindspot archive: ...") if
/// the file is missing, is not HDF5, or has no /experiment group.
H5Handle open_archive(const std::filesystem::path& path);

/// Closes a file and every object still open in it; throws if the data cannot be flushed.
void close_file(H5Handle& file);

}  // namespace blindspot::host
