// The lines `blindspot show` prints for an archived product, in text and in JSON.
#pragma once

#include <string>
#include <vector>

#include "blindspot/record.hpp"

namespace blindspot::host {

/// One line of key figures for a product, by its kind; a kind no loaded plugin defines is
/// named as archived.
std::string product_summary(const Record& record);

/// The lines a product's kind shows under its summary (none for a kind no plugin defines).
std::vector<std::string> product_details(const Record& record);

}  // namespace blindspot::host
