// HDF5 datatypes, dataspaces and property lists shared by attributes, groups and datasets.
#pragma once

#include <filesystem>
#include <vector>

#include "archive/h5_handle.hpp"

namespace blindspot::host {

/// Variable-length UTF-8 string type: what h5py reads as `str`.
H5Handle utf8_string_type(const std::filesystem::path& file);

/// Dataspace of one value.
H5Handle scalar_space(const std::filesystem::path& file);

/// Dataspace of an array; an empty `dims` gives a scalar dataspace, a zero dimension is kept.
H5Handle array_space(const std::vector<hsize_t>& dims, const std::filesystem::path& file);

/// Link creation properties: UTF-8 names, missing intermediate groups created.
H5Handle link_properties(const std::filesystem::path& file);

/// Transfer properties for reading or writing `count` variable-length strings: a conversion
/// buffer sized to them rather than HDF5's default 1 MiB, which it allocates and clears on
/// every call (most of a small node's write time, and growing with the archive).
H5Handle string_transfer_properties(std::size_t count, const std::filesystem::path& file);

}  // namespace blindspot::host
