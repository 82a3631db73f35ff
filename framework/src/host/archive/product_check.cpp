// Checks of what an archive holds, before any of it is used: products by their kind, and names.
#include "archive/product_check.hpp"

#include <fmt/format.h>

#include "blindspot/error.hpp"
#include "blindspot/product_type.hpp"

namespace blindspot::host {

void check_product(const Record& record) {
  // A record of no or an unknown kind is left to whoever reads it, which says what it lacks.
  if (const ProductKind kind = find_product_kind(record)) kind->check(record);
}

void check_safe_name(const std::string& what, const std::string& name) {
  std::string shown;  // control characters as \xNN, so the message stays on one line
  bool control = false;
  for (unsigned char c : name) {
    const bool bad = c < 0x20 || c == 0x7f;
    control = control || bad;
    shown += bad ? fmt::format("\\x{:02x}", c) : std::string(1, static_cast<char>(c));
  }
  if (name.empty() || control || name == "." || name.find("..") != std::string::npos ||
      name.find_first_of("/\\") != std::string::npos)
    throw Error("", fmt::format("unsafe {} name '{}': a name must be non-empty, without '/', "
                                "'\\', '..' or control characters",
                                what, shown));
}

}  // namespace blindspot::host
