// HDF5 datatypes, dataspaces and property lists shared by attributes, groups and datasets.
#include "archive/h5_types.hpp"

#include <algorithm>

namespace blindspot::host {

H5Handle utf8_string_type(const std::filesystem::path& file) {
  H5Handle type{check(H5Tcopy(H5T_C_S1), "copy string type", file), H5Tclose, file};
  check(H5Tset_size(type.id(), H5T_VARIABLE), "make string type variable-length", file);
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "make string type UTF-8", file);
  return type;
}

H5Handle scalar_space(const std::filesystem::path& file) {
  return {check(H5Screate(H5S_SCALAR), "create scalar dataspace", file), H5Sclose, file};
}

H5Handle array_space(const std::vector<hsize_t>& dims, const std::filesystem::path& file) {
  if (dims.empty()) return scalar_space(file);
  return {check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                "create dataspace", file),
          H5Sclose, file};
}

H5Handle link_properties(const std::filesystem::path& file) {
  H5Handle lcpl{check(H5Pcreate(H5P_LINK_CREATE), "create link properties", file), H5Pclose, file};
  check(H5Pset_create_intermediate_group(lcpl.id(), 1), "enable intermediate groups", file);
  check(H5Pset_char_encoding(lcpl.id(), H5T_CSET_UTF8), "make link names UTF-8", file);
  return lcpl;
}

H5Handle string_transfer_properties(std::size_t count, const std::filesystem::path& file) {
  // Room for a memory pointer and a file reference (16 bytes) per string, within HDF5's bounds.
  constexpr std::size_t kPerString = 32;
  constexpr std::size_t kSmallest = 4 * 1024;
  constexpr std::size_t kLargest = 1024 * 1024;
  const std::size_t bytes =
      std::clamp(count, kSmallest / kPerString, kLargest / kPerString) * kPerString;
  H5Handle dxpl{check(H5Pcreate(H5P_DATASET_XFER), "create transfer properties", file), H5Pclose,
                file};
  check(H5Pset_buffer(dxpl.id(), bytes, nullptr, nullptr), "size the conversion buffer", file);
  return dxpl;
}

}  // namespace blindspot::host
