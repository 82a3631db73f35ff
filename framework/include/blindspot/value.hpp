// A parameter value as read from an experiment: scalar, list or map, with no YAML attached.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "blindspot/export.hpp"

namespace blindspot {

/// The types a parameter can have.
enum class ValueType { null, boolean, integer, real, string, list, map };

/// Name of a value type as shown to users ("int", "float", "bool", ...).
BLINDSPOT_API const char* type_name(ValueType type);

/// A typed parameter value; lists and maps nest.
struct BLINDSPOT_API Value {
  ValueType type = ValueType::null;
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0.0;
  std::string string;
  std::vector<Value> list;
  std::map<std::string, Value> map;

  static Value of(bool v);
  static Value of(std::int64_t v);
  static Value of(int v) { return of(static_cast<std::int64_t>(v)); }
  static Value of(double v);
  static Value of(const char* v) { return of(std::string(v)); }
  static Value of(const std::string& v);
  template <class T>
  static Value of(const std::vector<T>& items) {
    Value out;
    out.type = ValueType::list;
    for (const T& item : items) out.list.push_back(of(item));
    return out;
  }
  static Value of(const std::map<std::string, Value>& entries);

  /// Canonical YAML flow text ("{a: 1, b: [2, 3]}"): stable, used in archives and cache keys.
  std::string to_yaml() const;
  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }
};

}  // namespace blindspot
