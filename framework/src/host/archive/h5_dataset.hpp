// Datasets: tensors in their native type, and lists of UTF-8 strings.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "archive/h5_handle.hpp"

namespace blindspot::host {

/// Opens the dataset `name` (a path relative to `parent`).
H5Handle open_dataset(const H5Handle& parent, const std::string& name);

/// Whether a dataset holds strings rather than numbers.
bool holds_strings(const H5Handle& dataset);

/// Throws Error(file, "cannot store WHERE: ...") unless `tensor` is one write_tensor() stores.
void check_storable(const at::Tensor& tensor, const std::string& where,
                    const std::filesystem::path& file);

/// Writes a float32, float64, int64, uint8 or bool (stored as uint8) tensor as a dataset of the
/// same shape, chunked and compressed (shuffle + deflate) from 16 KiB; intermediate groups of
/// `name` are created.
void write_tensor(const H5Handle& parent, const std::string& name, const at::Tensor& tensor);

/// The size of each dimension of a dataset.
std::vector<hsize_t> dataset_shape(const H5Handle& dataset);

/// Reads a numeric dataset back as a tensor of the same shape and type.
at::Tensor read_tensor(const H5Handle& dataset);

/// Writes a 1-D dataset of variable-length UTF-8 strings.
void write_strings(const H5Handle& parent, const std::string& name,
                   const std::vector<std::string>& values);

/// Reads a 1-D dataset of variable-length strings.
std::vector<std::string> read_strings(const H5Handle& dataset);

}  // namespace blindspot::host
