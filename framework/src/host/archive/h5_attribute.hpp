// Scalar attributes of groups: UTF-8 strings, uint64, int64 and float64.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "archive/h5_handle.hpp"
#include "blindspot/record.hpp"

namespace blindspot::host {

/// Writes (or overwrites) a variable-length UTF-8 string attribute.
void write_attribute(const H5Handle& object, const std::string& name, const std::string& value);
/// Writes (or overwrites) a uint64 attribute.
void write_attribute(const H5Handle& object, const std::string& name, std::uint64_t value);
/// Writes (or overwrites) an int64 attribute.
void write_attribute(const H5Handle& object, const std::string& name, std::int64_t value);
/// Writes (or overwrites) a float64 attribute.
void write_attribute(const H5Handle& object, const std::string& name, double value);

/// Reads a scalar attribute as T: std::string, std::uint64_t, std::int64_t or double.
template <class T>
T read_attribute(const H5Handle& object, const std::string& name);
template <>
std::string read_attribute<std::string>(const H5Handle& object, const std::string& name);
template <>
std::uint64_t read_attribute<std::uint64_t>(const H5Handle& object, const std::string& name);
template <>
std::int64_t read_attribute<std::int64_t>(const H5Handle& object, const std::string& name);
template <>
double read_attribute<double>(const H5Handle& object, const std::string& name);

/// Reads a scalar attribute by its stored kind: text as a string, any integer as int64 (an
/// unsigned value above 2^63 is refused), any float as double.
Attribute read_any_attribute(const H5Handle& object, const std::string& name);

/// Names of every attribute of `object`, in name order.
std::vector<std::string> attribute_names(const H5Handle& object);

}  // namespace blindspot::host
