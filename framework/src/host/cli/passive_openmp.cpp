// Starts blindspot with OpenMP's passive wait policy unless the user chose a policy.
//
// LibTorch and OpenBLAS run on GNU OpenMP, whose idle threads spin before they sleep. On a
// machine shared with other busy processes (a loaded workstation, several MPI ranks on one
// node) the spinning threads steal the cores the working ones need: Table 1's FC100-100-10
// trained in 931 s instead of 45 s. OMP_WAIT_POLICY=passive makes idle threads sleep at once,
// but libgomp reads the environment once, when the library is initialised - before main()
// and even before a .preinit_array function's setenv() is seen (libc's own initialisation
// resets `environ` afterwards). So the executable, before any library is initialised,
// executes itself again with the variable added. A user's own OMP_WAIT_POLICY, even an empty
// one, is left alone.
#include <unistd.h>

#include <cstddef>
#include <cstring>

namespace {

constexpr std::size_t kMaxEnvironment = 4096;  // entries; beyond this, start as we are
constexpr const char* kVariable = "OMP_WAIT_POLICY=";
constexpr const char* kPassive = "OMP_WAIT_POLICY=passive";

/// Runs before every shared library's initialiser; uses nothing that needs libc initialised
/// beyond execve() itself.
void start_passive(int /*argc*/, char** argv, char** envp) {
  static char* environment[kMaxEnvironment + 2];
  std::size_t count = 0;
  for (char** entry = envp; entry && *entry; ++entry) {
    if (std::strncmp(*entry, kVariable, std::strlen(kVariable)) == 0) return;  // user's choice
    if (count == kMaxEnvironment) return;
    environment[count++] = *entry;
  }
  environment[count++] = const_cast<char*>(kPassive);
  environment[count] = nullptr;
  execve("/proc/self/exe", argv, environment);  // returns only on failure: start as we are
}

}  // namespace

__attribute__((section(".preinit_array"),
               used)) static void (*const passive_openmp)(int, char**, char**) = start_passive;
