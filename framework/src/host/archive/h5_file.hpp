// Opening, creating and closing archive files.
#pragma once

#include <cstdint>
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

/// Writes everything HDF5 holds in memory for `file` to it (the file stays open).
void flush_file(const H5Handle& file);

/// The file's end of allocated space: every byte HDF5 uses lies below it.
std::uint64_t allocated_end(const H5Handle& file);

/// Makes sure the next `bytes` past the allocated end can be written (disk blocks are reserved),
/// so that a full disk shows here, before anything is written; throws ArchiveWriteError if not.
void reserve_space(const H5Handle& file, std::uint64_t bytes);

/// Closes a file whose in-memory state must not reach the disk (a write failed part way):
/// later writes are made to fail, so the file keeps what its last flush wrote. Never throws.
void abandon_file(H5Handle& file) noexcept;

}  // namespace blindspot::host
