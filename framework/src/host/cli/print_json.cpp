// Printing a command's JSON answer.
#include "cli/print_json.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cstdio>

namespace blindspot::host {

void print_json(const nlohmann::json& value) {
  fmt::print("{}\n", value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  std::fflush(stdout);
}

}  // namespace blindspot::host
