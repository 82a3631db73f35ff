// Parameter values: construction, canonical YAML text and equality.
#include "blindspot/value.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace blindspot {

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::null:
      return "null";
    case ValueType::boolean:
      return "bool";
    case ValueType::integer:
      return "int";
    case ValueType::real:
      return "float";
    case ValueType::string:
      return "string";
    case ValueType::list:
      return "list";
    case ValueType::map:
      return "map";
  }
  return "?";
}

Value Value::of(bool v) {
  Value out;
  out.type = ValueType::boolean;
  out.boolean = v;
  return out;
}

Value Value::of(std::int64_t v) {
  Value out;
  out.type = ValueType::integer;
  out.integer = v;
  return out;
}

Value Value::of(double v) {
  Value out;
  out.type = ValueType::real;
  out.real = v;
  return out;
}

Value Value::of(const std::string& v) {
  Value out;
  out.type = ValueType::string;
  out.string = v;
  return out;
}

Value Value::of(const std::map<std::string, Value>& entries) {
  Value out;
  out.type = ValueType::map;
  out.map = entries;
  return out;
}

namespace {

// Shortest text that reads back as the same double, always with a '.' or exponent.
std::string real_text(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, v);
    if (std::strtod(buffer, nullptr) == v) break;
  }
  std::string text = buffer;
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

// A string quoted when YAML would otherwise read it as something else.
std::string string_text(const std::string& s) {
  bool plain = !s.empty() && s.find_first_of(":#,[]{}&*!|>'\"%@`\n") == std::string::npos &&
               s.front() != ' ' && s.back() != ' ' && s != "true" && s != "false" && s != "null" &&
               s != "~" && std::strtod(s.c_str(), nullptr) == 0.0 &&
               !(s[0] >= '0' && s[0] <= '9') && s[0] != '-' && s[0] != '.';
  if (plain) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string Value::to_yaml() const {
  switch (type) {
    case ValueType::null:
      return "null";
    case ValueType::boolean:
      return boolean ? "true" : "false";
    case ValueType::integer:
      return std::to_string(integer);
    case ValueType::real:
      return real_text(real);
    case ValueType::string:
      return string_text(string);
    case ValueType::list: {
      std::string out = "[";
      for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + list[i].to_yaml();
      return out + "]";
    }
    case ValueType::map: {
      std::string out = "{";
      bool first = true;
      for (const auto& [key, value] : map) {
        out += (first ? "" : ", ") + string_text(key) + ": " + value.to_yaml();
        first = false;
      }
      return out + "}";
    }
  }
  return "null";
}

bool Value::operator==(const Value& other) const {
  if (type != other.type) return false;
  switch (type) {
    case ValueType::null:
      return true;
    case ValueType::boolean:
      return boolean == other.boolean;
    case ValueType::integer:
      return integer == other.integer;
    case ValueType::real:
      return real == other.real;
    case ValueType::string:
      return string == other.string;
    case ValueType::list:
      return list == other.list;
    case ValueType::map:
      return map == other.map;
  }
  return false;
}

}  // namespace blindspot
