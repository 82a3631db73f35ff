// How many cores this process may run on.
#pragma once

namespace blindspot::host {

/// The CPUs in this process's affinity mask (taskset, cgroup cpusets, batch schedulers), at
/// least 1; the machine's core count only if the mask cannot be read.
int usable_cores();

}  // namespace blindspot::host
