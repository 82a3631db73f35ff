// Scalar attributes of groups: UTF-8 strings, uint64, int64 and float64.
#include "archive/h5_attribute.hpp"

#include <algorithm>

#include "archive/h5_types.hpp"
#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

std::string describe(const H5Handle& object, const std::string& name) {
  return "attribute '" + name + "' of " + object.path_in_file();
}

// Creates the attribute, replacing an existing one (whose type may differ), and writes it.
void write_scalar(const H5Handle& object, const std::string& name, hid_t type, const void* value) {
  const std::filesystem::path& file = object.file();
  if (check(H5Aexists(object.id(), name.c_str()), "look for " + describe(object, name), file) > 0)
    check(H5Adelete(object.id(), name.c_str()), "delete " + describe(object, name), file);
  const H5Handle space = scalar_space(file);
  const H5Handle attribute{
      check(H5Acreate2(object.id(), name.c_str(), type, space.id(), H5P_DEFAULT, H5P_DEFAULT),
            "create " + describe(object, name), file),
      H5Aclose, file};
  check(H5Awrite(attribute.id(), type, value), "write " + describe(object, name), file);
}

void read_scalar(const H5Handle& object, const std::string& name, hid_t type, void* value) {
  const std::filesystem::path& file = object.file();
  const H5Handle attribute{check(H5Aopen(object.id(), name.c_str(), H5P_DEFAULT),
                                 "open " + describe(object, name), file),
                           H5Aclose, file};
  check(H5Aread(attribute.id(), type, value), "read " + describe(object, name), file);
}

// Iteration callback: collects attribute names. HDF5 calls it from C, so it must not throw.
herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* names) {
  try {
    static_cast<std::vector<std::string>*>(names)->emplace_back(name);
    return 0;
  } catch (...) {
    return -1;
  }
}

}  // namespace

void write_attribute(const H5Handle& object, const std::string& name, const std::string& value) {
  const H5Handle type = utf8_string_type(object.file());
  const char* text = value.c_str();
  write_scalar(object, name, type.id(), &text);
}

void write_attribute(const H5Handle& object, const std::string& name, std::uint64_t value) {
  write_scalar(object, name, H5T_NATIVE_UINT64, &value);
}

void write_attribute(const H5Handle& object, const std::string& name, std::int64_t value) {
  write_scalar(object, name, H5T_NATIVE_INT64, &value);
}

void write_attribute(const H5Handle& object, const std::string& name, double value) {
  write_scalar(object, name, H5T_NATIVE_DOUBLE, &value);
}

template <>
std::string read_attribute<std::string>(const H5Handle& object, const std::string& name) {
  const H5Handle type = utf8_string_type(object.file());
  char* text = nullptr;
  read_scalar(object, name, type.id(), &text);
  std::string value = text != nullptr ? text : "";
  H5free_memory(text);
  return value;
}

template <>
std::uint64_t read_attribute<std::uint64_t>(const H5Handle& object, const std::string& name) {
  std::uint64_t value = 0;
  read_scalar(object, name, H5T_NATIVE_UINT64, &value);
  return value;
}

template <>
std::int64_t read_attribute<std::int64_t>(const H5Handle& object, const std::string& name) {
  std::int64_t value = 0;
  read_scalar(object, name, H5T_NATIVE_INT64, &value);
  return value;
}

template <>
double read_attribute<double>(const H5Handle& object, const std::string& name) {
  double value = 0.0;
  read_scalar(object, name, H5T_NATIVE_DOUBLE, &value);
  return value;
}

Attribute read_any_attribute(const H5Handle& object, const std::string& name) {
  const std::filesystem::path& file = object.file();
  const H5Handle attribute{check(H5Aopen(object.id(), name.c_str(), H5P_DEFAULT),
                                 "open " + describe(object, name), file),
                           H5Aclose, file};
  const H5Handle type{
      check(H5Aget_type(attribute.id()), "get type of " + describe(object, name), file), H5Tclose,
      file};
  switch (H5Tget_class(type.id())) {
    case H5T_STRING:
      return read_attribute<std::string>(object, name);
    case H5T_FLOAT:
      return read_attribute<double>(object, name);
    case H5T_INTEGER:
      if (H5Tget_sign(type.id()) == H5T_SGN_NONE && H5Tget_size(type.id()) >= 8) {
        const std::uint64_t value = read_attribute<std::uint64_t>(object, name);
        if (value > static_cast<std::uint64_t>(INT64_MAX))
          throw Error(file.string(), describe(object, name) + " is above 2^63");
        return static_cast<std::int64_t>(value);
      }
      return read_attribute<std::int64_t>(object, name);
    default:
      throw Error(file.string(), describe(object, name) + " is neither text nor a number");
  }
}

std::vector<std::string> attribute_names(const H5Handle& object) {
  std::vector<std::string> names;
  hsize_t position = 0;
  // In stored order, sorted here: HDF5's own sort compares names it decoded from the file.
  check(H5Aiterate2(object.id(), H5_INDEX_NAME, H5_ITER_NATIVE, &position, collect_name, &names),
        "list attributes of " + object.path_in_file(), object.file());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace blindspot::host
