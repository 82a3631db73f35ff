// Searches are components: running one as a node is an error.
#include "blindspot/search.hpp"

namespace blindspot {

void Search::run(const Inputs&, Outputs&, RunContext&) {
  throw Error("", "a search is used inside an attack (search: {plugin: NAME}), not as a node");
}

}  // namespace blindspot
