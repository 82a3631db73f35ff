// Opening, creating and closing archive files.
#include "archive/h5_file.hpp"

#include <system_error>

#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

// File access properties: closing the file closes every object still open in it, so a file
// is complete on disk once close_file() returns.
H5Handle access_properties(const std::filesystem::path& path) {
  H5Handle fapl{check(H5Pcreate(H5P_FILE_ACCESS), "create file access properties", path), H5Pclose,
                path};
  check(H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_STRONG), "set file close degree", path);
  return fapl;
}

}  // namespace

H5Handle create_file(const std::filesystem::path& path, const std::filesystem::path& shown_as) {
  silence_hdf5_errors();
  const std::filesystem::path& name = shown_as.empty() ? path : shown_as;
  const H5Handle fapl = access_properties(name);
  return {check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id()),
                "create " + path.string(), name),
          H5Fclose, name};
}

H5Handle open_file_for_update(const std::filesystem::path& path,
                              const std::filesystem::path& shown_as) {
  silence_hdf5_errors();
  const std::filesystem::path& name = shown_as.empty() ? path : shown_as;
  const H5Handle fapl = access_properties(name);
  return {check(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.id()), "open " + path.string(), name),
          H5Fclose, name};
}

H5Handle open_archive(const std::filesystem::path& path) {
  silence_hdf5_errors();
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    throw Error(path.string(), "not a blindspot archive: no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw Error(path.string(), "not a blindspot archive: not an HDF5 file");
  }
  const H5Handle fapl = access_properties(path);
  H5Handle file{check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.id()), "open file", path),
                H5Fclose, path};
  if (check(H5Lexists(file.id(), "experiment", H5P_DEFAULT), "look for /experiment", path) <= 0)
    throw Error(path.string(), "not a blindspot archive: no /experiment group");
  return file;
}

void close_file(H5Handle& file) {
  check(file.close(), "close file", file.file());
}

}  // namespace blindspot::host
