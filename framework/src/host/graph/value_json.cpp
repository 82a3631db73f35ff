// Converting parameter values to JSON.
#include "graph/value_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace blindspot::host {

nlohmann::json to_json(const Value& value) {
  switch (value.type) {
    case ValueType::null:
      return nullptr;
    case ValueType::boolean:
      return value.boolean;
    case ValueType::integer:
      return value.integer;
    case ValueType::real:
      return std::isfinite(value.real) ? nlohmann::json(value.real) : nlohmann::json(nullptr);
    case ValueType::string:
      return value.string;
    case ValueType::list: {
      nlohmann::json out = nlohmann::json::array();
      for (const Value& item : value.list) out.push_back(to_json(item));
      return out;
    }
    case ValueType::map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [key, item] : value.map) out[key] = to_json(item);
      return out;
    }
  }
  return nullptr;
}

std::string to_json_text(const Value& value) {
  return to_json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace blindspot::host
