// Optimisers are components: running one as a node is an error.
#include "blindspot/optimiser.hpp"

namespace blindspot {

void Optimiser::run(const Inputs&, Outputs&, RunContext&) {
  throw Error("",
              "an optimiser is used inside an attack (optimiser: {plugin: NAME}), not as a node");
}

}  // namespace blindspot
