// Named arrays in one place: a NumPy .npz archive, a folder of .npy files or an HDF5 file.
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace blindspot::host {

/// A read-only collection of named arrays, read one at a time.
class ArrayStore {
 public:
  virtual ~ArrayStore() = default;
  /// Whether an array of this name is there.
  virtual bool has(const std::string& name) const = 0;
  /// Names of arrays there, sorted, for messages: all of a .npz's; of a folder or an HDF5
  /// file, the first 20 found (messages show at most 20).
  virtual std::vector<std::string> names() const = 0;
  /// Reads an array that has(name); throws blindspot::Error naming where() if it cannot.
  virtual at::Tensor read(const std::string& name) const = 0;
  /// "FILE: NAME", naming an array in messages.
  virtual std::string where(const std::string& name) const = 0;
  /// The files whose bytes the named arrays come from (their digests go into the cache key).
  virtual std::vector<std::filesystem::path> files(const std::vector<std::string>& names) const = 0;
};

/// A .npz archive (a zip of .npy files; an array "x" is the entry "x.npy"), read with libzip.
std::unique_ptr<ArrayStore> open_npz(const std::filesystem::path& file);

/// A folder of .npy files: the array "x" is the file "x.npy".
std::unique_ptr<ArrayStore> open_npy_folder(const std::filesystem::path& folder);

/// An HDF5 file: the array "/train/x" (or "train/x") is the dataset of that path.
std::unique_ptr<ArrayStore> open_hdf5_arrays(const std::filesystem::path& file);

}  // namespace blindspot::host
