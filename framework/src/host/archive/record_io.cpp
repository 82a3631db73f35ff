// A Record as one port group: attributes, tensor datasets, string datasets and their named
// dimensions.
#include "archive/record_io.hpp"

#include "archive/dimension_scales.hpp"
#include "archive/h5_attribute.hpp"
#include "archive/h5_dataset.hpp"
#include "archive/h5_group.hpp"

namespace blindspot::host {

void write_record(const H5Handle& port, const Record& record) {
  for (const auto& [name, value] : record.attributes)
    std::visit([&, &name = name](const auto& v) { write_attribute(port, name, v); }, value);
  for (const auto& [name, tensor] : record.tensors) write_tensor(port, name, tensor);
  for (const auto& [name, values] : record.strings) write_strings(port, name, values);
  write_dimensions(port, record);
}

Record read_record(const H5Handle& port) {
  Record record;
  for (const std::string& name : attribute_names(port))
    record.attributes[name] = read_any_attribute(port, name);
  std::vector<std::string> data;
  for (const std::string& name : datasets_below(port)) {
    const H5Handle dataset = open_dataset(port, name);
    if (is_bare_dimension(dataset)) continue;
    data.push_back(name);
    if (holds_strings(dataset))
      record.strings[name] = read_strings(dataset);
    else
      record.tensors[name] = read_tensor(dataset);
  }
  record.dimensions = read_dimensions(port, data);
  return record;
}

}  // namespace blindspot::host
