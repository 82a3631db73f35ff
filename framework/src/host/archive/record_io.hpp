// A Record as one port group: attributes, tensor datasets and string datasets.
#pragma once

#include "archive/h5_handle.hpp"
#include "blindspot/record.hpp"

namespace blindspot::host {

/// Writes a record into an empty port group.
void write_record(const H5Handle& port, const Record& record);

/// Reads a port group: every attribute, and every dataset at any depth by its relative path.
Record read_record(const H5Handle& port);

}  // namespace blindspot::host
