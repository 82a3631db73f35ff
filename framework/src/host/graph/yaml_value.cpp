// YAML scalars, sequences and maps to parameter values.
#include "graph/yaml_value.hpp"

#include <cerrno>
#include <cstdlib>
#include <limits>

#include "blindspot/error.hpp"

namespace blindspot::host {

namespace {

Value scalar_value(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return Value::of(text);  // quoted: always a string
  if (text == "true" || text == "True" || text == "TRUE") return Value::of(true);
  if (text == "false" || text == "False" || text == "FALSE") return Value::of(false);
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    return Value{};
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  long long integer = std::strtoll(begin, &end, 10);
  if (*end == '\0' && errno == 0) return Value::of(static_cast<std::int64_t>(integer));
  if (text == ".inf" || text == "+.inf") return Value::of(std::numeric_limits<double>::infinity());
  if (text == "-.inf") return Value::of(-std::numeric_limits<double>::infinity());
  if (text == ".nan") return Value::of(std::numeric_limits<double>::quiet_NaN());
  bool numeric = text.find_first_of("0123456789") != std::string::npos &&
                 text.find_first_not_of("0123456789+-.eE") == std::string::npos;
  if (numeric) {
    double real = std::strtod(begin, &end);
    if (*end == '\0') return Value::of(real);
  }
  return Value::of(text);
}

}  // namespace

Value to_value(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return scalar_value(node);
    case YAML::NodeType::Sequence: {
      Value out;
      out.type = ValueType::list;
      for (const YAML::Node& item : node) out.list.push_back(to_value(item));
      return out;
    }
    case YAML::NodeType::Map: {
      Value out;
      out.type = ValueType::map;
      for (const auto& item : node) out.map[item.first.Scalar()] = to_value(item.second);
      return out;
    }
    default:
      return Value{};
  }
}

Mark mark_of(const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

std::map<std::string, Value> parse_value_map(const std::string& yaml_text) {
  YAML::Node node;
  try {
    node = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw Error("parameters", e.msg);
  }
  if (node.IsNull()) return {};
  if (!node.IsMap()) throw Error("parameters", "expected a map such as {key: value}");
  return to_value(node).map;
}

}  // namespace blindspot::host
