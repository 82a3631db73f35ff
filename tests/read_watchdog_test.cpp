// A read of a damaged archive that makes no progress, or crashes, ends in one line, exit 2.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include "archive/read_watchdog.hpp"
#include "support/child.hpp"

using blindspot::test_support::run_in_child;

TEST_CASE("a read that makes no progress for the time limit ends with one line, exit 2") {
  const auto [code, text] = run_in_child([] {
    setenv("BLINDSPOT_ARCHIVE_TIMEOUT", "1", 1);
    const blindspot::host::ReadWatchdog watchdog("damaged.h5");
    // As HDF5 looping on a damaged file: only the watchdog ends this (the bound is for a broken
    // watchdog, which then exits 0 and fails the test instead of hanging it).
    std::this_thread::sleep_for(std::chrono::minutes(2));
  });
  CHECK(code == 2);
  CHECK(text ==
        "blindspot: damaged.h5: damaged archive (reading it did not finish in 1 s); move it "
        "aside\n");
}

TEST_CASE("a read that keeps making progress is not stopped") {
  const auto [code, text] = run_in_child([] {
    // Progress every 100 ms against a 5 s limit: a wide margin on a loaded machine.
    setenv("BLINDSPOT_ARCHIVE_TIMEOUT", "5", 1);
    const blindspot::host::ReadWatchdog watchdog("slow.h5");
    for (int step = 0; step < 60; ++step) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      blindspot::host::note_progress();
    }
  });
  CHECK(code == 0);
  CHECK(text.empty());
}

TEST_CASE("a crash while a read is watched ends with one line naming the innermost read, exit 2") {
  const auto [code, text] = run_in_child([] {
    const blindspot::host::ReadWatchdog whole("damaged.h5");
    { const blindspot::host::ReadWatchdog done("damaged.h5", "node 'a'"); }
    const blindspot::host::ReadWatchdog part("damaged.h5", "node 'b', output 'set'");
    std::raise(SIGSEGV);  // as HDF5 following a damaged offset
  });
  CHECK(code == 2);
  CHECK(text ==
        "blindspot: damaged.h5: damaged archive (reading node 'b', output 'set' crashed HDF5); "
        "move it aside\n");
}

TEST_CASE("once no read is watched, a crash is a crash again") {
  const auto [code, text] = run_in_child([] {
    std::signal(SIGABRT, SIG_DFL);  // not doctest's handler: the one that must come back
    { const blindspot::host::ReadWatchdog done("archive.h5"); }
    std::abort();
  });
  CHECK(code == -SIGABRT);  // ended by the signal, not by an exit
  CHECK(text.empty());
}
