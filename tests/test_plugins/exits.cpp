// A library whose constructor ends the process while the host loads it.
#include <cstdlib>

__attribute__((constructor)) static void leave_at_load() {
  std::exit(0);
}
