// Archives are untrusted input: a product read back is checked against its kind's form.
#pragma once

#include <string>

#include "blindspot/record.hpp"

namespace blindspot::host {

/// Throws blindspot::Error (without a location) unless `record` has the form its kind promises
/// (ProductType::check). Records of no or an unknown kind are left to whoever reads them.
void check_product(const Record& record);

/// Throws blindspot::Error (without a location) unless `name` is safe as an experiment or node
/// name: not empty, not ".", without "..", '/', '\' or control characters.
void check_safe_name(const std::string& what, const std::string& name);

}  // namespace blindspot::host
