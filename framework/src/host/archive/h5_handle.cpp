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

// Keeps the first entry of an upward walk: the innermost, most specific reason.
herr_t innermost(unsigned position, const H5E_error2_t* entry, void* reason) {
  if (position == 0 && entry->desc != nullptr) *static_cast<std::string*>(reason) = entry->desc;
  return 0;
}

}  // namespace

void fail(const std::string& operation, const std::filesystem::path& file) {
  std::string reason;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &reason);
  H5Eclear2(H5E_DEFAULT);
  if (reason.empty()) reason = "HDF5 call failed";
  throw Error(file.string(), "cannot " + operation + ": " + reason);
}

void silence_hdf5_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

}  // namespace blindspot::host
