// The datasets of an HDF5 file, named by path, read with the HDF5 library.
#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>

#include "archive/h5_handle.hpp"
#include "blindspot/error.hpp"
#include "data/array_store.hpp"
#include "data/memory_limit.hpp"
#include "data/path_kind.hpp"

namespace blindspot::host {
namespace {

constexpr std::size_t kNamesShown = 20;

/// Collects the paths of the file's datasets (H5Lvisit's callback).
herr_t collect_dataset(hid_t group, const char* name, const H5L_info_t*, void* data) {
  auto& names = *static_cast<std::vector<std::string>*>(data);
  const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
  if (object < 0) return 0;
  if (H5Iget_type(object) == H5I_DATASET) names.push_back(std::string("/") + name);
  H5Oclose(object);
  return names.size() >= kNamesShown ? 1 : 0;
}

/// The tensor type a dataset of this HDF5 type is read into, and the matching memory type.
std::pair<at::ScalarType, hid_t> memory_type(hid_t type, const std::string& where) {
  const H5T_class_t type_class = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  if (type_class == H5T_INTEGER)
    return size == 1 && H5Tget_sign(type) == H5T_SGN_NONE ? std::pair{at::kByte, H5T_NATIVE_UINT8}
                                                          : std::pair{at::kLong, H5T_NATIVE_INT64};
  if (type_class == H5T_FLOAT)
    return size > 4 ? std::pair{at::kDouble, H5T_NATIVE_DOUBLE}
                    : std::pair{at::kFloat, H5T_NATIVE_FLOAT};
  throw Error(where, "unsupported type: expected a dataset of integers or floating-point numbers");
}

/// The datasets of one HDF5 file, opened read-only.
class Hdf5Store final : public ArrayStore {
 public:
  explicit Hdf5Store(std::filesystem::path file) : file_(std::move(file)), handle_(open(file_)) {}

  bool has(const std::string& name) const override {
    const std::string path = absolute(name);
    // Each link on the way must exist: H5Lexists fails on a missing intermediate group.
    for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
      const std::string prefix = path.substr(0, slash);
      if (H5Lexists(handle_.id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
      if (slash == std::string::npos) break;
    }
    const hid_t object = H5Oopen(handle_.id(), path.c_str(), H5P_DEFAULT);
    if (object < 0) return false;
    const bool dataset = H5Iget_type(object) == H5I_DATASET;
    H5Oclose(object);
    return dataset;
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    H5Lvisit(handle_.id(), H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &out);
    hdf5_reason();  // clears the error stack a failed visit may leave
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string where(const std::string& name) const override {
    return fmt::format("{}: {}", file_.string(), absolute(name));
  }
  std::vector<std::filesystem::path> files(const std::vector<std::string>&) const override {
    return {file_};
  }

  at::Tensor read(const std::string& name) const override {
    const std::string here = where(name), path = absolute(name);
    const H5Handle dataset{
        check(H5Dopen2(handle_.id(), path.c_str(), H5P_DEFAULT), "open " + path, file_), H5Dclose,
        file_};
    const H5Handle type{check(H5Dget_type(dataset.id()), "get the type of " + path, file_),
                        H5Tclose, file_};
    const H5Handle space{check(H5Dget_space(dataset.id()), "get the shape of " + path, file_),
                         H5Sclose, file_};
    const auto [scalar, native] = memory_type(type.id(), here);
    const int rank =
        check(H5Sget_simple_extent_ndims(space.id()), "get the rank of " + path, file_);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check(H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr), "get the shape of " + path,
          file_);
    std::vector<std::int64_t> shape(dims.begin(), dims.end());
    std::uint64_t bytes = at::elementSize(scalar);
    for (hsize_t dim : dims) {
      if (dim != 0 && bytes > UINT64_MAX / dim)
        throw Error(here, fmt::format("the shape {} is too large", fmt::join(shape, "x")));
      bytes *= dim;
    }
    check_fits_in_memory(bytes, here);
    at::Tensor out = at::empty(shape, scalar);
    if (out.numel() > 0)
      check(H5Dread(dataset.id(), native, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data_ptr()),
            "read " + path, file_);
    return out;
  }

 private:
  static H5Handle open(const std::filesystem::path& file) {
    silence_hdf5_errors();
    require_file(file, "an HDF5 file");
    const hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0) throw Error(file.string(), "not a readable HDF5 file: " + hdf5_reason());
    return H5Handle(id, H5Fclose, file);
  }
  static std::string absolute(const std::string& name) {
    return name.empty() || name[0] != '/' ? "/" + name : name;
  }

  std::filesystem::path file_;
  H5Handle handle_;
};

}  // namespace

std::unique_ptr<ArrayStore> open_hdf5_arrays(const std::filesystem::path& file) {
  return std::make_unique<Hdf5Store>(file);
}

}  // namespace blindspot::host
