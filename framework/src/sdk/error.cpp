// The one exception type of blindspot.
#include "blindspot/error.hpp"

namespace blindspot {

Error::Error(std::string where, const std::string& what)
    : std::runtime_error(where.empty() ? what : where + ": " + what),
      where_(std::move(where)),
      message_(what) {}

}  // namespace blindspot
