// The one exception type of blindspot: what was wrong and where.
#pragma once

#include <stdexcept>
#include <string>

#include "blindspot/export.hpp"

namespace blindspot {

/// A problem caused by the user's input or environment; the CLI prints it as one line, exit 2.
class BLINDSPOT_API Error : public std::runtime_error {
 public:
  /// `where` is a location such as "exp.yaml:3:5", a file path or a node name; may be empty.
  Error(std::string where, const std::string& what);
  const std::string& where() const noexcept { return where_; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::string where_;
  std::string message_;
};

}  // namespace blindspot
