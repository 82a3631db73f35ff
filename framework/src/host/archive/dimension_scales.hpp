// Named dimensions as HDF5 dimension scales, in the netCDF-4 convention that xarray reads
// through h5netcdf.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "archive/h5_handle.hpp"
#include "blindspot/record.hpp"

namespace blindspot::host {

/// Dimension names by dataset name, as in Record::dimensions.
using DimensionNames = std::map<std::string, std::vector<std::string>>;

/// Throws Error naming `where` (the port's path) unless every dimension `record` declares
/// belongs to one of its datasets, matches its rank, has one size per group, and is not
/// named like a dataset that cannot label it.
void check_dimensions(const Record& record, const std::string& where,
                      const std::filesystem::path& file);

/// Attaches the checked `record.dimensions` to the datasets just written under `port`: a
/// dimension named like a 1-D dataset beside it becomes that dataset (a coordinate); others
/// become empty datasets marked as netCDF dimensions without a variable.
void write_dimensions(const H5Handle& port, const Record& record);

/// Whether `dataset` is a dimension without a variable that write_dimensions() made, rather
/// than a product's data.
bool is_bare_dimension(const H5Handle& dataset);

/// The dimension names attached to `datasets` (paths relative to `port`); a dataset that is
/// a coordinate is named by its own scale, one with an unnamed dimension is left out.
DimensionNames read_dimensions(const H5Handle& port, const std::vector<std::string>& datasets);

/// Re-attaches the dimensions of every port of `copy`, a node H5Ocopy made from `source` in
/// another file: the copy keeps the scales but not the references that attach them.
void reattach_dimensions(const H5Handle& source, const H5Handle& copy);

}  // namespace blindspot::host
