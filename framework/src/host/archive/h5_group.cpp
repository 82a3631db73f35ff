// Groups and links: opening, creating, removing and listing what a group holds.
#include "archive/h5_group.hpp"

#include "archive/h5_types.hpp"

namespace blindspot::host {
namespace {

// Iteration callback: collects link names. HDF5 calls it from C, so it must not throw.
herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* names) {
  try {
    static_cast<std::vector<std::string>*>(names)->emplace_back(name);
    return 0;
  } catch (...) {
    return -1;
  }
}

}  // namespace

H5Handle open_group(const H5Handle& parent, const std::string& name) {
  return {check(H5Gopen2(parent.id(), name.c_str(), H5P_DEFAULT),
                "open group " + parent.child_path(name), parent.file()),
          H5Gclose, parent.file()};
}

H5Handle create_group(const H5Handle& parent, const std::string& name) {
  const H5Handle lcpl = link_properties(parent.file());
  // Attributes stay in the group's header up to 32 (HDF5 moves them to "dense" storage past 8):
  // HDF5 1.10.8's H5Ocopy, which --resume uses to carry nodes over, crashes on dense
  // variable-length string attributes, and a node has 9 attributes.
  const H5Handle gcpl{check(H5Pcreate(H5P_GROUP_CREATE), "create group properties", parent.file()),
                      H5Pclose, parent.file()};
  check(H5Pset_attr_phase_change(gcpl.id(), 32, 24), "keep attributes compact", parent.file());
  return {check(H5Gcreate2(parent.id(), name.c_str(), lcpl.id(), gcpl.id(), H5P_DEFAULT),
                "create group " + parent.child_path(name), parent.file()),
          H5Gclose, parent.file()};
}

bool has_link(const H5Handle& parent, const std::string& name) {
  return check(H5Lexists(parent.id(), name.c_str(), H5P_DEFAULT),
               "look for " + parent.child_path(name), parent.file()) > 0;
}

void remove_link(const H5Handle& parent, const std::string& name) {
  check(H5Ldelete(parent.id(), name.c_str(), H5P_DEFAULT), "delete " + parent.child_path(name),
        parent.file());
}

std::vector<std::string> child_names(const H5Handle& group) {
  std::vector<std::string> names;
  hsize_t position = 0;
  check(H5Literate(group.id(), H5_INDEX_NAME, H5_ITER_INC, &position, collect_name, &names),
        "list " + group.path_in_file(), group.file());
  return names;
}

std::vector<std::string> datasets_below(const H5Handle& group) {
  std::vector<std::string> links;
  check(H5Lvisit(group.id(), H5_INDEX_NAME, H5_ITER_INC, collect_name, &links),
        "list everything below " + group.path_in_file(), group.file());
  std::vector<std::string> datasets;
  for (const std::string& link : links) {
    const H5Handle object{check(H5Oopen(group.id(), link.c_str(), H5P_DEFAULT),
                                "open " + group.child_path(link), group.file()),
                          H5Oclose, group.file()};
    if (H5Iget_type(object.id()) == H5I_DATASET) datasets.push_back(link);
  }
  return datasets;
}

}  // namespace blindspot::host
