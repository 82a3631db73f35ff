// The `blindspot` command line: its commands, each with only its own options, parsed by CLI11.
#pragma once

#include <optional>
#include <string>

#include "cli/commands.hpp"

namespace blindspot::host {

/// The commands of `blindspot`; `describe` is `blindspot plugins describe NAME`.
enum class Command { run, validate, plugins, describe, show, report, reproduce };

/// A command and the arguments it was given.
struct CommandLine {
  Command command = Command::plugins;
  std::string target;    // FILE (run, validate), ARCHIVE (show, report, reproduce), NAME
  std::string output;    // run -o: the archive to write (empty: EXPERIMENT.h5)
  bool resume = false;   // run --resume
  int threads = 0;       // run --threads (0: the cores this process may use)
  std::string data_dir;  // --data-dir or BLINDSPOT_DATA_DIR (run, validate, reproduce)
  ReportOptions report;  // report --markdown, --html, --samples
  PluginOptions plugins;
  OutputOptions print;
};

/// A parsed command line: the command to run, or the exit code of one already answered.
struct ParsedCommandLine {
  std::optional<CommandLine> command;  // empty when the command line was answered
  int exit_code = 0;  // then: 0 after help or the version (stdout), 2 after usage (stderr)
};

/// Parses `blindspot ARGS`: prints help (-h, --help, also after a command) or the version
/// (--version), or, when no command is given, the usage on stderr. Throws blindspot::Error, one
/// line naming the command and how to get its help, for an unknown command or option, a
/// missing or unexpected argument or a value of the wrong type.
ParsedCommandLine parse_command_line(int argc, const char* const* argv);

}  // namespace blindspot::host
