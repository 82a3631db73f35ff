// The `blindspot` executable: parses the command line and runs the command it names.
#include <ATen/Context.h>
#include <fmt/format.h>

#include <cstdlib>
#include <exception>

#include "blindspot/error.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cluster/world.hpp"
#include "graph/printable.hpp"

using namespace blindspot::host;

namespace {

/// Runs the command `line` names; returns its exit code.
int dispatch(const CommandLine& line) {
  // The dataset node reads the data folder from the environment.
  if (!line.data_dir.empty()) setenv("BLINDSPOT_DATA_DIR", line.data_dir.c_str(), 1);
  const std::string& target = line.target;
  // Under an MPI launcher every rank runs an experiment; the other commands are rank 0's alone.
  if (world::rank() != 0 && line.command != Command::run && line.command != Command::reproduce)
    return 0;
  switch (line.command) {
    case Command::run:
      return command_run(target, line.output, line.resume, line.threads, line.plugins, line.print);
    case Command::validate:
      return command_validate(target, line.plugins, line.print);
    case Command::plugins:
      return command_plugins(line.plugins, line.print);
    case Command::describe:
      return command_describe(target, line.plugins, line.print);
    case Command::show:
      return command_show(target, line.plugins, line.print);
    case Command::report:
      return command_report(target, line.report, line.plugins, line.print);
    case Command::reproduce:
      return command_reproduce(target, line.plugins, line.print);
  }
  return 2;  // not reached: every command is handled above
}

/// Runs the command line; returns its exit code. Under an MPI launcher only rank 0 prints.
int run_command_line(int argc, char** argv) {
  try {
    const ParsedCommandLine parsed = parse_command_line(argc, argv);
    return parsed.command ? dispatch(*parsed.command) : parsed.exit_code;
  } catch (const blindspot::Error& e) {
    if (world::rank() == 0) fmt::print(stderr, "blindspot: {}\n", printable(e.what()));
    return 2;
  } catch (const std::exception& e) {
    if (world::rank() == 0) fmt::print(stderr, "blindspot: run failed: {}\n", printable(e.what()));
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Weight decay leaves denormal weights whose arithmetic is many times slower; flush them.
  at::globalContext().setFlushDenormal(true);
  world::join(argc, argv);  // started by mpirun or srun: this process is one of the ranks
  const int code = run_command_line(argc, argv);
  world::leave();
  return code;
}
