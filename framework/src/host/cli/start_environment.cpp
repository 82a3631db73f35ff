// Starts blindspot with the environment its libraries read once, at start-up: OpenMP's passive
// wait policy and OpenBLAS's kernels for this CPU, unless the user chose them.
//
// LibTorch and OpenBLAS run on GNU OpenMP, whose idle threads spin before they sleep. On a
// machine shared with other busy processes (a loaded workstation, several MPI ranks on one
// node) the spinning threads steal the cores the working ones need: Table 1's FC100-100-10
// trained in 931 s instead of 45 s. OMP_WAIT_POLICY=passive makes idle threads sleep at once.
//
// OpenBLAS picks its kernels from the CPU model, and a release does not know the CPUs that came
// after it: Debian 12's OpenBLAS 0.3.21 runs its SSE3 kernels ("Prescott") on an Intel Xeon of
// model 207, where its AVX-512 kernels train Table 1's models 1.5 to 2 times as fast
// (bench/blas_kernels.sh). OPENBLAS_CORETYPE names the kernels from the CPU's features instead.
//
// Both libraries read the environment once, when they are initialised - before main() and even
// before a .preinit_array function's setenv() is seen (libc's own initialisation resets
// `environ` afterwards). So the executable, before any library is initialised, executes itself
// again with the variables added. A variable the user set, even to nothing, is left alone.
#include <unistd.h>

#include <cstddef>
#include <cstring>

namespace {

constexpr std::size_t kMaxEnvironment = 4096;  // entries; beyond this, start as we are

/// The OpenBLAS kernels (an OPENBLAS_CORETYPE value OpenBLAS 0.3.21 knows) for this
/// CPU's features, or null to leave the choice to OpenBLAS. __builtin_cpu_supports also asks
/// whether the OS saves the registers the kernels use.
const char* blas_kernels() {
  __builtin_cpu_init();  // this runs before the constructor that would otherwise do it
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return "OPENBLAS_CORETYPE=SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return "OPENBLAS_CORETYPE=Haswell";
  return nullptr;
}

/// Whether `entry` ("NAME=value") sets the variable `assignment` ("NAME=...") sets.
bool same_variable(const char* entry, const char* assignment) {
  const std::size_t name = std::strchr(assignment, '=') - assignment + 1;
  return std::strncmp(entry, assignment, name) == 0;
}

/// Runs before every shared library's initialiser; uses nothing that needs libc initialised
/// beyond execve() itself.
void start_environment(int /*argc*/, char** argv, char** envp) {
  const char* wanted[] = {"OMP_WAIT_POLICY=passive", blas_kernels()};
  static char* environment[kMaxEnvironment + 3];
  std::size_t count = 0;
  for (char** entry = envp; entry && *entry; ++entry) {
    if (count == kMaxEnvironment) return;
    for (const char*& assignment : wanted)
      if (assignment && same_variable(*entry, assignment)) assignment = nullptr;  // user's choice
    environment[count++] = *entry;
  }
  const std::size_t inherited = count;
  for (const char* assignment : wanted)
    if (assignment) environment[count++] = const_cast<char*>(assignment);
  if (count == inherited) return;  // nothing to add
  environment[count] = nullptr;
  execve("/proc/self/exe", argv, environment);  // returns only on failure: start as we are
}

}  // namespace

__attribute__((section(".preinit_array"),
               used)) static void (*const start_with_environment)(int, char**,
                                                                  char**) = start_environment;
