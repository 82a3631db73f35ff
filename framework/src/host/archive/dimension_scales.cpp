// Named dimensions as HDF5 dimension scales, in the netCDF-4 convention that xarray reads
// through h5netcdf.
#include "archive/dimension_scales.hpp"

#include <fmt/format.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <set>

#include "archive/h5_dataset.hpp"
#include "archive/h5_group.hpp"
#include "archive/h5_types.hpp"
#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

// netCDF-4's name for a dimension scale that is not also a variable; h5netcdf looks for it.
const std::string kBareDimension = "This is a netCDF dimension but not a netCDF variable.";
const char* const kDimensionList = "DIMENSION_LIST";
const char* const kReferenceList = "REFERENCE_LIST";

// "extra/c" -> "extra/"; "original" -> "".
std::string folder_of(const std::string& dataset) {
  const std::size_t slash = dataset.rfind('/');
  return slash == std::string::npos ? "" : dataset.substr(0, slash + 1);
}

std::string leaf_of(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

// The shape of every dataset a record holds, by name.
std::map<std::string, std::vector<std::int64_t>> shapes_of(const Record& record) {
  std::map<std::string, std::vector<std::int64_t>> shapes;
  for (const auto& [name, tensor] : record.tensors)
    if (tensor.defined()) shapes[name] = tensor.sizes().vec();
  for (const auto& [name, values] : record.strings)
    shapes[name] = {static_cast<std::int64_t>(values.size())};
  return shapes;
}

// The size of each dimension scale the record's dimensions need, by its path in the port.
std::map<std::string, std::int64_t> scale_sizes(const Record& record) {
  const auto shapes = shapes_of(record);
  std::map<std::string, std::int64_t> sizes;
  for (const auto& [name, dimensions] : record.dimensions)
    for (std::size_t i = 0; i < dimensions.size(); ++i)
      sizes.emplace(folder_of(name) + dimensions[i], shapes.at(name)[i]);
  return sizes;
}

void remove_attribute(const H5Handle& object, const char* name) {
  const std::filesystem::path& file = object.file();
  const std::string what = fmt::format("attribute {} of {}", name, object.path_in_file());
  if (check(H5Aexists(object.id(), name), "look for " + what, file) > 0)
    check(H5Adelete(object.id(), name), "delete " + what, file);
}

void attach(const H5Handle& dataset, const H5Handle& scale, unsigned dimension) {
  check(H5DSattach_scale(dataset.id(), scale.id(), dimension),
        fmt::format("attach {} as dimension {} of {}", scale.path_in_file(), dimension,
                    dataset.path_in_file()),
        dataset.file());
}

// Visitor of H5DSiterate_scales: the scale's path in the file. Called from C: never throws.
herr_t scale_path(hid_t, unsigned, hid_t scale, void* path) {
  try {
    const ssize_t length = H5Iget_name(scale, nullptr, 0);
    if (length <= 0) return -1;
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    H5Iget_name(scale, name.data(), name.size());
    name.resize(static_cast<std::size_t>(length));
    *static_cast<std::string*>(path) = name;
    return 1;  // the first scale of a dimension is its name
  } catch (...) {
    return -1;
  }
}

// The path in the file of the scale attached to each dimension of `dataset` ("" if none).
std::vector<std::string> attached_scales(const H5Handle& dataset) {
  const std::filesystem::path& file = dataset.file();
  const std::string where = dataset.path_in_file();
  std::vector<std::string> paths(dataset_shape(dataset).size());
  for (unsigned i = 0; i < paths.size(); ++i) {
    // A file without any scales answers "no scales" with a failure; both mean none.
    if (H5DSget_num_scales(dataset.id(), i) <= 0) continue;
    check(H5DSiterate_scales(dataset.id(), i, nullptr, scale_path, &paths[i]),
          fmt::format("read the name of dimension {} of {}", i, where), file);
  }
  return paths;
}

bool is_scale(const H5Handle& dataset) {
  return check(H5DSis_scale(dataset.id()), "ask whether " + dataset.path_in_file() + " is a scale",
               dataset.file()) > 0;
}

}  // namespace

void check_dimensions(const Record& record, const std::string& where,
                      const std::filesystem::path& file) {
  const auto shapes = shapes_of(record);
  const auto refuse = [&](const std::string& dataset, const std::string& why) {
    throw Error(file.string(), fmt::format("cannot store {}/{}: {}", where, dataset, why));
  };
  std::map<std::string, std::int64_t> sizes;
  for (const auto& [name, dimensions] : record.dimensions) {
    const auto shape = shapes.find(name);
    if (shape == shapes.end()) refuse(name, "it names dimensions but holds no data");
    if (shape->second.size() != dimensions.size())
      refuse(name, fmt::format("it has {} dimensions and names {}", shape->second.size(),
                               dimensions.size()));
    for (std::size_t i = 0; i < dimensions.size(); ++i) {
      const std::string& d = dimensions[i];
      if (d.empty() || d == "." || d == ".." || d.find('/') != std::string::npos)
        refuse(name, fmt::format("its dimension name '{}' is not a name", d));
      const auto [size, added] = sizes.emplace(folder_of(name) + d, shape->second[i]);
      if (!added && size->second != shape->second[i])
        refuse(name, fmt::format("its dimension '{}' has size {}, elsewhere {}", d,
                                 shape->second[i], size->second));
    }
  }
  for (const auto& [scale, size] : sizes) {
    const auto coordinate = shapes.find(scale);
    if (coordinate != shapes.end() && coordinate->second != std::vector<std::int64_t>{size})
      refuse(scale,
             fmt::format("it is named like a dimension of size {} but is not its labels", size));
    for (const auto& [name, shape] : shapes)
      if (name.rfind(scale + "/", 0) == 0)
        refuse(name, fmt::format("its folder is named like the dimension '{}'", leaf_of(scale)));
  }
}

void write_dimensions(const H5Handle& port, const Record& record) {
  const std::filesystem::path& file = port.file();
  const auto sizes = scale_sizes(record);
  std::set<std::string> data;
  for (const auto& [name, tensor] : record.tensors) data.insert(name);
  for (const auto& [name, values] : record.strings) data.insert(name);
  for (const auto& [path, size] : sizes) {
    if (data.count(path) > 0) {
      check(H5DSset_scale(open_dataset(port, path).id(), leaf_of(path).c_str()),
            "make " + port.child_path(path) + " a dimension scale", file);
      continue;
    }
    const H5Handle space = array_space({static_cast<hsize_t>(size)}, file);
    const H5Handle lcpl = link_properties(file);
    const H5Handle scale{check(H5Dcreate2(port.id(), path.c_str(), H5T_NATIVE_FLOAT, space.id(),
                                          lcpl.id(), H5P_DEFAULT, H5P_DEFAULT),
                               "create dimension " + port.child_path(path), file),
                         H5Dclose, file};
    check(H5DSset_scale(scale.id(), fmt::format("{}{:10}", kBareDimension, size).c_str()),
          "make " + port.child_path(path) + " a dimension scale", file);
  }
  for (const auto& [name, dimensions] : record.dimensions) {
    if (sizes.count(name) > 0) continue;  // a coordinate is its own scale
    const H5Handle dataset = open_dataset(port, name);
    for (std::size_t i = 0; i < dimensions.size(); ++i)
      attach(dataset, open_dataset(port, folder_of(name) + dimensions[i]),
             static_cast<unsigned>(i));
  }
}

bool is_bare_dimension(const H5Handle& dataset) {
  if (!is_scale(dataset)) return false;
  const ssize_t length = H5DSget_scale_name(dataset.id(), nullptr, 0);
  if (length <= 0) return false;
  std::string name(static_cast<std::size_t>(length) + 1, '\0');
  H5DSget_scale_name(dataset.id(), name.data(), name.size());
  return name.compare(0, kBareDimension.size(), kBareDimension) == 0;
}

DimensionNames read_dimensions(const H5Handle& port, const std::vector<std::string>& datasets) {
  DimensionNames names;
  for (const std::string& name : datasets) {
    const H5Handle dataset = open_dataset(port, name);
    if (is_scale(dataset)) {
      names[name] = {leaf_of(name)};
      continue;
    }
    std::vector<std::string> dimensions;
    for (const std::string& path : attached_scales(dataset)) dimensions.push_back(leaf_of(path));
    const bool all_named = !dimensions.empty() &&
                           std::find(dimensions.begin(), dimensions.end(), "") == dimensions.end();
    if (all_named) names[name] = dimensions;
  }
  return names;
}

void reattach_dimensions(const H5Handle& source, const H5Handle& copy) {
  const std::string prefix = source.path_in_file() + "/";
  std::map<std::string, std::vector<std::string>> attached;  // dataset -> scale, relative
  std::set<std::string> scales;
  for (const std::string& name : datasets_below(source)) {
    std::vector<std::string> paths = attached_scales(open_dataset(source, name));
    for (std::string& path : paths) {
      if (path.empty()) continue;
      if (path.compare(0, prefix.size(), prefix) != 0)
        throw Error(source.file().string(),
                    fmt::format("{}/{} has a dimension outside its node: {}", source.path_in_file(),
                                name, path));
      path = path.substr(prefix.size());
      scales.insert(path);
    }
    if (!paths.empty()) attached[name] = paths;
  }
  for (const std::string& scale : scales)
    remove_attribute(open_dataset(copy, scale), kReferenceList);
  for (const auto& [name, paths] : attached) {
    const H5Handle dataset = open_dataset(copy, name);
    remove_attribute(dataset, kDimensionList);
    for (std::size_t i = 0; i < paths.size(); ++i)
      if (!paths[i].empty())
        attach(dataset, open_dataset(copy, paths[i]), static_cast<unsigned>(i));
  }
}

}  // namespace blindspot::host
