// A Record as one port group: attributes, tensor datasets and string datasets.
#include "archive/record_io.hpp"

#include "archive/h5_attribute.hpp"
#include "archive/h5_dataset.hpp"
#include "archive/h5_group.hpp"

namespace blindspot::host {

void write_record(const H5Handle& port, const Record& record) {
  for (const auto& [name, value] : record.attributes) write_attribute(port, name, value);
  for (const auto& [name, tensor] : record.tensors) write_tensor(port, name, tensor);
  for (const auto& [name, values] : record.strings) write_strings(port, name, values);
}

Record read_record(const H5Handle& port) {
  Record record;
  for (const std::string& name : attribute_names(port))
    record.attributes[name] = read_attribute<std::string>(port, name);
  for (const std::string& name : datasets_below(port)) {
    const H5Handle dataset = open_dataset(port, name);
    if (holds_strings(dataset))
      record.strings[name] = read_strings(dataset);
    else
      record.tensors[name] = read_tensor(dataset);
  }
  return record;
}

}  // namespace blindspot::host
