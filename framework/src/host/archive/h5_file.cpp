// Opening, creating and closing archive files.
#include "archive/h5_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "archive/archive.hpp"
#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

// File access properties: closing the file closes every object still open in it, so a file
// is complete on disk once close_file() returns. HDF5's own file locks are off: a run keeps its
// partial open, `show` may read it meanwhile, and the runner locks OUT.h5.lock instead.
H5Handle access_properties(const std::filesystem::path& path) {
  H5Handle fapl{check(H5Pcreate(H5P_FILE_ACCESS), "create file access properties", path), H5Pclose,
                path};
  check(H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_STRONG), "set file close degree", path);
  check(H5Pset_file_locking(fapl.id(), false, true), "turn HDF5 file locking off", path);
  return fapl;
}

// The POSIX descriptor HDF5 writes the file through (the default sec2 driver).
int descriptor(const H5Handle& file) {
  void* handle = nullptr;
  check(H5Fget_vfd_handle(file.id(), H5P_DEFAULT, &handle), "get the file descriptor", file.file());
  return *static_cast<int*>(handle);
}

}  // namespace

H5Handle create_file(const std::filesystem::path& path, const std::filesystem::path& shown_as) {
  silence_hdf5_errors();
  const std::filesystem::path& name = shown_as.empty() ? path : shown_as;
  const H5Handle fapl = access_properties(name);
  // HDF5 1.8's structures (readable by any HDF5 since 2008, h5py included) carry checksums, so
  // a damaged archive is refused where the 1.0 structures would be followed wherever they point.
  check(H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_V18, H5F_LIBVER_LATEST),
        "choose the checksummed file format", name);
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

void flush_file(const H5Handle& file) {
  check(H5Fflush(file.id(), H5F_SCOPE_GLOBAL), "flush", file.file());
}

std::uint64_t allocated_end(const H5Handle& file) {
  haddr_t end = 0;
  check(H5Fget_eoa(file.id(), &end), "get the end of allocated space", file.file());
  return end;
}

void reserve_space(const H5Handle& file, std::uint64_t bytes) {
  const int fd = descriptor(file);
  struct stat status {};
  if (::fstat(fd, &status) != 0)
    throw ArchiveWriteError(file.file(),
                            std::string("cannot reserve room: ") + std::strerror(errno));
  // From the file's current end, which may lie below the allocated end, to `bytes` beyond that.
  const auto end = static_cast<off_t>(allocated_end(file));
  const off_t from = std::min(status.st_size, end);
  const int failed = posix_fallocate(fd, from, end + static_cast<off_t>(bytes) - from);
  if (failed != 0)
    throw ArchiveWriteError(file.file(),
                            std::string("cannot reserve room: ") + std::strerror(failed));
}

void abandon_file(H5Handle& file) noexcept {
  try {
    const int fd = descriptor(file);
    // A read-only descriptor on the same number: whatever HDF5 still writes while closing fails.
    const int read_only = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (read_only >= 0) {
      ::dup2(read_only, fd);
      ::close(read_only);
    }
  } catch (...) {  // no descriptor: HDF5 has already let go of the file
  }
  file.close();
  H5Eclear2(H5E_DEFAULT);
}

}  // namespace blindspot::host
