// RAII for HDF5 identifiers, and check(): a failed HDF5 call becomes a blindspot::Error.
#pragma once

#include <hdf5.h>

#include <filesystem>
#include <string>

#include "archive/read_watchdog.hpp"

namespace blindspot::host {

/// Owns one HDF5 identifier and closes it with its matching function (H5Fclose, H5Gclose, ...).
/// Remembers the file it belongs to, so every failure can name that file.
class H5Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  H5Handle(hid_t id, Closer close, std::filesystem::path file)
      : id_(id), close_(close), file_(std::move(file)) {}
  H5Handle(H5Handle&& other) noexcept;
  H5Handle& operator=(H5Handle&& other) noexcept;
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() { close(); }

  hid_t id() const { return id_; }
  const std::filesystem::path& file() const { return file_; }
  /// Where the object lives inside the file ("/nodes/train"), for messages.
  std::string path_in_file() const;
  /// path_in_file() joined with a relative `name`, for messages about a child.
  std::string child_path(const std::string& name) const;
  /// Closes now; the result lets the caller check a close that must succeed (a file's).
  herr_t close();

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
  std::filesystem::path file_;
};

/// HDF5's innermost reason for the last failure, on one line; clears HDF5's error stack.
std::string hdf5_reason();

/// Throws Error(file, "cannot <operation>: <HDF5's innermost reason>").
[[noreturn]] void fail(const std::string& operation, const std::filesystem::path& file);

/// Returns `value` (an hid_t, herr_t or htri_t) unless it is negative, which is a failure.
template <class T>
T check(T value, const std::string& operation, const std::filesystem::path& file) {
  note_progress();
  if (value < 0) fail(operation, file);
  return value;
}

/// Stops HDF5 printing its error stack to stderr: check() reports one line instead.
void silence_hdf5_errors();

}  // namespace blindspot::host
