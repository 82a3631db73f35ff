// Datasets: tensors in their native type, and lists of UTF-8 strings.
#include "archive/h5_dataset.hpp"

#include <ATen/ATen.h>

#include <algorithm>

#include "archive/h5_types.hpp"
#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

// The HDF5 type a tensor type is stored as, or a negative id if it is not archived.
hid_t stored_type(at::ScalarType type) {
  switch (type) {
    case at::kFloat:
      return H5T_NATIVE_FLOAT;
    case at::kDouble:
      return H5T_NATIVE_DOUBLE;
    case at::kLong:
      return H5T_NATIVE_INT64;
    case at::kByte:
      return H5T_NATIVE_UINT8;
    default:
      return H5I_INVALID_HID;
  }
}

// The tensor type a stored dataset type reads back as.
at::ScalarType tensor_type(const H5Handle& dataset) {
  const std::filesystem::path& file = dataset.file();
  const H5Handle type{
      check(H5Dget_type(dataset.id()), "get type of " + dataset.path_in_file(), file), H5Tclose,
      file};
  const H5T_class_t kind = H5Tget_class(type.id());
  const std::size_t size = H5Tget_size(type.id());
  const bool is_signed = kind == H5T_INTEGER && H5Tget_sign(type.id()) == H5T_SGN_2;
  if (kind == H5T_FLOAT && size == 4) return at::kFloat;
  if (kind == H5T_FLOAT && size == 8) return at::kDouble;
  if (kind == H5T_INTEGER && size == 8 && is_signed) return at::kLong;
  if (kind == H5T_INTEGER && size == 1 && !is_signed) return at::kByte;
  throw Error(file.string(),
              "dataset " + dataset.path_in_file() + " is not float32, float64, int64 or uint8");
}

// Datasets of at least this many bytes are chunked and compressed; smaller ones stay
// contiguous, where a chunk index would cost more than compression saves.
constexpr std::size_t kCompressFrom = 16 * 1024;
// About this many bytes per chunk: whole samples (rows of the first dimension), so reading a
// few samples inflates little, and large enough that the chunk index stays small.
constexpr std::size_t kChunkBytes = 1024 * 1024;
// zlib's level. On Table 1's 60 MB of datasets (h5py, these chunks): level 1 gives 29.9 MB in
// 1.4 s, 4 gives 28.9 MB in 1.7 s, 6 gives 28.4 MB in 3.6 s.
constexpr unsigned kDeflateLevel = 4;

// Creation properties of a dataset of `dims` and `element` bytes each: large ones chunked
// along the first dimension, byte-shuffled and deflated (what h5py calls
// compression="gzip", shuffle=True).
H5Handle creation_properties(const std::vector<hsize_t>& dims, std::size_t element,
                             const std::filesystem::path& file) {
  H5Handle dcpl{check(H5Pcreate(H5P_DATASET_CREATE), "create dataset properties", file), H5Pclose,
                file};
  std::size_t bytes = element;
  for (hsize_t d : dims) bytes *= d;
  if (dims.empty() || bytes < kCompressFrom) return dcpl;
  std::vector<hsize_t> chunk = dims;
  const std::size_t row = bytes / dims[0];
  chunk[0] =
      std::max<hsize_t>(1, std::min<hsize_t>(dims[0], kChunkBytes / std::max<std::size_t>(row, 1)));
  check(H5Pset_chunk(dcpl.id(), static_cast<int>(chunk.size()), chunk.data()), "set chunks", file);
  check(H5Pset_shuffle(dcpl.id()), "set the shuffle filter", file);
  check(H5Pset_deflate(dcpl.id(), kDeflateLevel), "set the deflate filter", file);
  return dcpl;
}

// Frees the strings HDF5 allocated for a variable-length read.
struct HdfStrings {
  std::vector<char*> pointers;
  ~HdfStrings() {
    for (char* text : pointers) H5free_memory(text);
  }
};

}  // namespace

H5Handle open_dataset(const H5Handle& parent, const std::string& name) {
  return {check(H5Dopen2(parent.id(), name.c_str(), H5P_DEFAULT),
                "open dataset " + parent.child_path(name), parent.file()),
          H5Dclose, parent.file()};
}

bool holds_strings(const H5Handle& dataset) {
  const H5Handle type{
      check(H5Dget_type(dataset.id()), "get type of " + dataset.path_in_file(), dataset.file()),
      H5Tclose, dataset.file()};
  return H5Tget_class(type.id()) == H5T_STRING;
}

void check_storable(const at::Tensor& tensor, const std::string& where,
                    const std::filesystem::path& file) {
  if (!tensor.defined()) throw Error(file.string(), "cannot store " + where + ": no tensor");
  if (tensor.scalar_type() != at::kBool && stored_type(tensor.scalar_type()) < 0)
    throw Error(file.string(), "cannot store " + where + ": tensors of type " +
                                   std::string(at::toString(tensor.scalar_type())) +
                                   " are not archived (float32, float64, int64, uint8, bool)");
}

void write_tensor(const H5Handle& parent, const std::string& name, const at::Tensor& tensor) {
  const std::filesystem::path& file = parent.file();
  const std::string where = parent.child_path(name);
  check_storable(tensor, where, file);
  at::Tensor data = tensor.cpu();
  if (data.scalar_type() == at::kBool) data = data.to(at::kByte);
  const hid_t type = stored_type(data.scalar_type());
  data = data.contiguous();
  const std::vector<hsize_t> dims(data.sizes().begin(), data.sizes().end());
  const H5Handle space = array_space(dims, file);
  const H5Handle lcpl = link_properties(file);
  const H5Handle dcpl = creation_properties(dims, data.element_size(), file);
  const H5Handle dataset{check(H5Dcreate2(parent.id(), name.c_str(), type, space.id(), lcpl.id(),
                                          dcpl.id(), H5P_DEFAULT),
                               "create dataset " + where, file),
                         H5Dclose, file};
  if (data.numel() > 0)
    check(H5Dwrite(dataset.id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data_ptr()),
          "write dataset " + where, file);
}

std::vector<hsize_t> dataset_shape(const H5Handle& dataset) {
  const std::filesystem::path& file = dataset.file();
  const std::string where = dataset.path_in_file();
  const H5Handle space{check(H5Dget_space(dataset.id()), "get shape of " + where, file), H5Sclose,
                       file};
  const int rank = check(H5Sget_simple_extent_ndims(space.id()), "get rank of " + where, file);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr), "get shape of " + where, file);
  return dims;
}

at::Tensor read_tensor(const H5Handle& dataset) {
  const std::filesystem::path& file = dataset.file();
  const std::string where = dataset.path_in_file();
  const at::ScalarType type = tensor_type(dataset);
  const std::vector<hsize_t> dims = dataset_shape(dataset);
  const std::vector<std::int64_t> sizes(dims.begin(), dims.end());
  at::Tensor tensor = at::empty(sizes, at::TensorOptions().dtype(type));
  if (tensor.numel() > 0)
    check(
        H5Dread(dataset.id(), stored_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data_ptr()),
        "read dataset " + where, file);
  return tensor;
}

void write_strings(const H5Handle& parent, const std::string& name,
                   const std::vector<std::string>& values) {
  const std::filesystem::path& file = parent.file();
  const std::string where = parent.child_path(name);
  std::vector<const char*> pointers;
  for (const std::string& value : values) pointers.push_back(value.c_str());
  const H5Handle type = utf8_string_type(file);
  const H5Handle space = array_space({values.size()}, file);
  const H5Handle lcpl = link_properties(file);
  const H5Handle dataset{check(H5Dcreate2(parent.id(), name.c_str(), type.id(), space.id(),
                                          lcpl.id(), H5P_DEFAULT, H5P_DEFAULT),
                               "create dataset " + where, file),
                         H5Dclose, file};
  if (!values.empty())
    check(H5Dwrite(dataset.id(), type.id(), H5S_ALL, H5S_ALL,
                   string_transfer_properties(values.size(), file).id(), pointers.data()),
          "write dataset " + where, file);
}

std::vector<std::string> read_strings(const H5Handle& dataset) {
  const std::filesystem::path& file = dataset.file();
  const std::string where = dataset.path_in_file();
  const H5Handle space{check(H5Dget_space(dataset.id()), "get shape of " + where, file), H5Sclose,
                       file};
  const hssize_t count = check(H5Sget_simple_extent_npoints(space.id()), "count " + where, file);
  HdfStrings read;
  read.pointers.assign(static_cast<std::size_t>(count), nullptr);
  const H5Handle type = utf8_string_type(file);
  if (count > 0)
    check(
        H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL,
                string_transfer_properties(read.pointers.size(), file).id(), read.pointers.data()),
        "read dataset " + where, file);
  std::vector<std::string> values;
  for (const char* text : read.pointers) values.emplace_back(text != nullptr ? text : "");
  return values;
}

}  // namespace blindspot::host
