// RAII for HDF5 identifiers and the one place HDF5 failures become blindspot::Error.
#include "archive/h5_handle.hpp"

#include <utility>

#include "blindspot/error.hpp"

namespace blindspot::host {

H5Handle::H5Handle(H5Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)),
      close_(other.close_),
      file_(std::move(other.file_)) {}

H5Handle& H5Handle::operator=(H5Handle&& other) noexcept {
  if (this != &other) {
    close();
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    close_ = other.close_;
    file_ = std::move(other.file_);
  }
  return *this;
}

herr_t H5Handle::close() {
  if (id_ < 0 || close_ == nullptr) return 0;
  return close_(std::exchange(id_, H5I_INVALID_HID));
}

std::string H5Handle::path_in_file() const {
  const ssize_t size = H5Iget_name(id_, nullptr, 0);
  if (size <= 0) return "/";
  std::string name(static_cast<std::size_t>(size) + 1, '\0');
  H5Iget_name(id_, name.data(), name.size());
  name.resize(static_cast<std::size_t>(size));
  return name;
}

std::string H5Handle::child_path(const std::string& name) const {
  const std::string parent = path_in_file();
  return parent == "/" ? "/" + name : parent + "/" + name;
}

namespace {

// HDF5's clean-up at exit closes files left open; a file whose close failed (a full disk) would
// be closed twice and crash the process on its way out. Every archive file is closed by its
// H5Handle, so the clean-up is not needed. Must run before any other HDF5 call.
const bool kNoCleanupAtExit = H5dont_atexit() >= 0;

// Keeps the first entry of an upward walk: the innermost, most specific reason.
herr_t innermost(unsigned position, const H5E_error2_t* entry, void* reason) {
  if (position == 0 && entry->desc != nullptr) *static_cast<std::string*>(reason) = entry->desc;
  return 0;
}

// The system's words from a failed read or write ("file write failed: time = ..., errno = 28,
// error message = 'No space left on device', ..."), else the whole reason on one line.
std::string readable(std::string reason) {
  const std::string marker = "error message = '";
  const std::size_t from = reason.find(marker);
  if (from != std::string::npos) {
    const std::size_t start = from + marker.size();
    reason = reason.substr(start, reason.find('\'', start) - start);
  }
  for (char& c : reason)
    if (c == '\n' || c == '\r') c = ' ';
  return reason.empty() ? "HDF5 call failed" : reason;
}

}  // namespace

std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &reason);
  H5Eclear2(H5E_DEFAULT);
  return readable(reason);
}

void fail(const std::string& operation, const std::filesystem::path& file) {
  throw Error(file.string(), "cannot " + operation + ": " + hdf5_reason());
}

void silence_hdf5_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

}  // namespace blindspot::host
