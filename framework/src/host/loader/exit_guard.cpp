// An atexit handler that names the library being loaded, registered once.
#include "loader/exit_guard.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace blindspot::host {
namespace {

// The library being loaded; empty when none is. Never destroyed, so the handler can read it
// whenever exit() runs; loading is single-threaded.
std::string& loading() {
  static std::string* path = new std::string;
  return *path;
}

void report_exit_while_loading() {
  if (loading().empty()) return;
  std::fflush(stdout);
  std::fprintf(stderr,
               "blindspot: %s: the library called exit() while being loaded; remove it from "
               "the plugin path\n",
               loading().c_str());
  _exit(2);  // exit() is already running: _exit only ends the process, with "bad input"
}

}  // namespace

ExitGuard::ExitGuard(const std::filesystem::path& path) {
  static const bool registered = std::atexit(report_exit_while_loading) == 0;
  (void)registered;
  loading() = path.string();
}

ExitGuard::~ExitGuard() {
  loading().clear();
}

}  // namespace blindspot::host
