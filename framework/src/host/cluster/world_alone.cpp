// The world of a build without MPI: rank 0 of 1, with nobody to talk to.
#include <cstdlib>
#include <stdexcept>

#include "cluster/world.hpp"

namespace blindspot::host::world {

bool built_with_mpi() {
  return false;
}
void join(int&, char**&) {}
void leave() {}
int rank() {
  return 0;
}
int size() {
  return 1;
}

void post(int, int, std::string) {
  throw std::logic_error("no other rank to send to: this build has no MPI");
}

std::optional<Message> poll(int, int) {
  return std::nullopt;
}

Message wait(int, int) {
  throw std::logic_error("no other rank to wait for: this build has no MPI");
}

void watch(int, std::function<void(const Message&)>) {}

void abort(int code) {
  std::_Exit(code);
}

}  // namespace blindspot::host::world
