// Reading a record's attributes.
#include "blindspot/record.hpp"

#include <fmt/format.h>

namespace blindspot {

std::string attribute_text(const Attribute& value) {
  return std::visit([](const auto& v) { return fmt::format("{}", v); }, value);
}

const std::string* text_attribute(const Record& record, const std::string& name) {
  const auto it = record.attributes.find(name);
  return it == record.attributes.end() ? nullptr : std::get_if<std::string>(&it->second);
}

}  // namespace blindspot
