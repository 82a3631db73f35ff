// The commands and options of `blindspot` in CLI11, and the one-line refusals of misuse.
#include "cli/command_line.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cctype>
#include <functional>
#include <map>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/suggest.hpp"
#include "build_info.hpp"
#include "cli/plugin_folders.hpp"
#include "cli/version_text.hpp"

namespace blindspot::host {

namespace {

constexpr const char* kExitCodes = "exit codes: 0 ok, 1 a run failed, 2 bad input";

/// `blindspot` and its commands in CLI11. Every command's options are bound to a CommandLine of
/// its own: CLI11 reads the environment into the options of every command, given or not, so
/// commands must not share variables.
class Definition {
 public:
  Definition();
  Definition(const Definition&) = delete;
  Definition& operator=(const Definition&) = delete;

  CLI::App& app() { return app_; }
  /// The arguments of the command line just parsed, whose commands are `chain` (chain_of()).
  CommandLine command_line(const std::vector<const CLI::App*>& chain) const;

 private:
  /// Adds command `name` under `parent`, with the help and quiet flags every command takes.
  CLI::App& add_command(CLI::App& parent, Command command, const std::string& name,
                        const std::string& description);
  /// Adds the required positional argument `name` (FILE, ARCHIVE, NAME).
  void add_target(CLI::App& command, const std::string& name, const std::string& description);
  /// Adds --plugin-path, for the commands that load plugins.
  void add_plugin_path(CLI::App& command);
  /// Adds --data-dir, for the commands that run experiments.
  void add_data_dir(CLI::App& command);
  /// Adds --json, for the commands that can answer in JSON.
  void add_json(CLI::App& command, const std::string& description);

  CLI::App app_{"Adversarial-example experiments: YAML graphs of plugins, run into HDF5 archives.",
                "blindspot"};
  std::map<const CLI::App*, CommandLine> lines_;  // each command's own arguments
  bool quiet_first_ = false;                      // -q given before the command
};

Definition::Definition() {
  app_.set_help_flag("-h,--help", "print this help and exit");
  app_.set_version_flag("--version", std::function<std::string()>(version_text),
                        "print the versions of blindspot, LibTorch and the BLAS library, and exit");
  app_.add_flag("-q,--quiet", quiet_first_,
                "no progress bars, log lines or notes (also taken after the command)");
  app_.require_subcommand(1);  // one command; its own arguments are never taken for another
  app_.allow_extras();         // unknown arguments are kept, to be refused in one line naming them
  app_.group("Commands");
  app_.get_formatter()->label("SUBCOMMAND", "COMMAND");
  app_.footer(kExitCodes);  // the commands added below take this footer

  CLI::App& run = add_command(app_, Command::run, "run", "run an experiment into an HDF5 archive");
  CommandLine& run_line = lines_.at(&run);
  add_target(run, "FILE", "the experiment (YAML)");
  run.add_option("-o,--output", run_line.output,
                 "the archive to write (default: the experiment's name + .h5)")
      ->type_name("OUT.h5");
  run.add_flag("--resume", run_line.resume,
               "take the nodes whose key is unchanged from OUT.h5.partial or OUT.h5");
  run.add_option("--threads", run_line.threads,
                 "LibTorch threads (default and most: the cores this process may use)")
      ->type_name("N");
  add_plugin_path(run);
  add_data_dir(run);

  CLI::App& validate =
      add_command(app_, Command::validate, "validate", "check an experiment without running it");
  add_target(validate, "FILE", "the experiment (YAML)");
  add_plugin_path(validate);
  add_data_dir(validate);
  add_json(validate, "print {file, valid, experiment, nodes, problems} as JSON on stdout");

  CLI::App& plugins = add_command(app_, Command::plugins, "plugins",
                                  "list the plugins, and the libraries refused with the reason");
  add_plugin_path(plugins);
  add_json(plugins, "print {plugins, refused} as JSON on stdout");
  CLI::App& describe = add_command(plugins, Command::describe, "describe",
                                   "a plugin's parameters, inputs and outputs");
  add_target(describe, "NAME", "the plugin");
  add_plugin_path(describe);
  add_json(describe, "print the plugin's whole schema as JSON on stdout");

  CLI::App& show = add_command(app_, Command::show, "show", "what an archive holds");
  add_target(show, "ARCHIVE", "the archive (.h5)");
  add_plugin_path(show);
  add_json(show, "print the experiment and its nodes as JSON on stdout");

  CLI::App& report = add_command(app_, Command::report, "report",
                                 "an archive's tables (a paper's beside ours) and figures");
  CommandLine& report_line = lines_.at(&report);
  add_target(report, "ARCHIVE", "the archive (.h5)");
  report
      .add_option("--markdown", report_line.report.markdown_file,
                  "write Markdown to FILE, its PNG figures to FILE_figures/ (default: "
                  "Markdown without figures on stdout)")
      ->type_name("FILE");
  report
      .add_option("--html", report_line.report.html_dir,
                  "write DIR/index.html, one page with the figures embedded")
      ->type_name("DIR");
  report
      .add_option("--samples", report_line.report.samples,
                  "the samples figures show: N (default 8), random:N or I,J,K; N and random:N "
                  "pick among an attack's successes")
      ->type_name("SPEC");
  add_plugin_path(report);

  CLI::App& reproduce = add_command(app_, Command::reproduce, "reproduce",
                                    "re-run an archive's experiment and compare its products");
  add_target(reproduce, "ARCHIVE", "the archive (.h5) of a complete run");
  add_plugin_path(reproduce);
  add_data_dir(reproduce);
  add_json(reproduce, "print each node's verdict and the totals as JSON on stdout");

  app_.footer(fmt::format("{}\n`blindspot COMMAND --help` shows a command's arguments and options",
                          kExitCodes));
}

CLI::App& Definition::add_command(CLI::App& parent, Command command, const std::string& name,
                                  const std::string& description) {
  CLI::App& added = *parent.add_subcommand(name, description);
  CommandLine& line = lines_[&added];
  line.command = command;
  added.add_flag("-q,--quiet", line.print.quiet,
                 "no progress bars, log lines or notes; errors still go to stderr");
  return added;
}

void Definition::add_target(CLI::App& command, const std::string& name,
                            const std::string& description) {
  command.add_option(name, lines_.at(&command).target, description)->required()->type_name("");
}

void Definition::add_plugin_path(CLI::App& command) {
  command
      .add_option("--plugin-path", lines_.at(&command).plugins.plugin_paths,
                  "also load the plugins in DIR; repeatable, ':' separates folders as in PATH")
      ->type_name("DIR")
      ->envname("BLINDSPOT_PLUGIN_PATH")
      ->delimiter(':')
      ->allow_extra_args(false);  // one folder per --plugin-path: FILE after it stays FILE
}

void Definition::add_data_dir(CLI::App& command) {
  command
      .add_option("--data-dir", lines_.at(&command).data_dir,
                  fmt::format("where `scripts/setup` put the datasets (default: {})",
                              BLINDSPOT_DEFAULT_DATA_DIR))
      ->type_name("DIR")
      ->envname("BLINDSPOT_DATA_DIR");
}

void Definition::add_json(CLI::App& command, const std::string& description) {
  command.add_flag("--json", lines_.at(&command).print.json, description);
}

CommandLine Definition::command_line(const std::vector<const CLI::App*>& chain) const {
  CommandLine line = lines_.at(chain.back());
  // A command inside another (plugins describe) also takes the outer one's options.
  for (std::size_t i = chain.size() - 1; i-- > 1;) {
    const CommandLine& outer = lines_.at(chain[i]);
    auto& paths = line.plugins.plugin_paths;
    paths.insert(paths.begin(), outer.plugins.plugin_paths.begin(),
                 outer.plugins.plugin_paths.end());
    line.print.json = line.print.json || outer.print.json;
    line.print.quiet = line.print.quiet || outer.print.quiet;
  }
  line.print.quiet = line.print.quiet || quiet_first_;
  line.plugins.plugin_paths = extra_plugin_folders(line.plugins.plugin_paths);
  return line;
}

/// The commands given, outermost first: {blindspot}, {blindspot, run} or {blindspot, plugins,
/// describe}.
std::vector<const CLI::App*> chain_of(const CLI::App& app) {
  std::vector<const CLI::App*> chain{&app};
  while (!chain.back()->get_subcommands().empty())
    chain.push_back(chain.back()->get_subcommands().front());
  return chain;
}

/// The words naming a command ("run", "plugins describe"); empty for blindspot itself.
std::string command_name(const CLI::App* command) {
  std::string name;
  for (; command->get_parent() != nullptr; command = command->get_parent())
    name = command->get_name() + (name.empty() ? "" : " " + name);
  return name;
}

/// "; run blindspot COMMAND --help": where the usage of `command` is.
std::string help_hint(const CLI::App* command) {
  const std::string name = command_name(command);
  return fmt::format("; run blindspot {}{}--help", name, name.empty() ? "" : " ");
}

/// "unknown command 'X'" with the closest command `app` has, or the list of them.
std::string unknown_command(const CLI::App& app, const std::string& given) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(command->get_name());
  return fmt::format("unknown command '{}'{}", given, suggestion(given, names));
}

/// Refuses the first argument no command took, if any: an unknown option, an unknown command,
/// or an argument too many.
void refuse_leftovers(const std::vector<const CLI::App*>& chain) {
  for (const CLI::App* app : chain)
    for (const std::string& left : app->remaining()) {
      if (left == "--") continue;  // the end of options, kept by CLI11 with what follows
      const std::string where = command_name(app);
      if (left.size() > 1 && left[0] == '-') {
        const std::string option = left.substr(0, left.find('='));
        if (app == chain.front() && chain.size() > 1)
          throw Error("", fmt::format("unknown option {} before the command; a command's options "
                                      "follow it{}",
                                      option, help_hint(chain.back())));
        throw Error(where, fmt::format("unknown option {}{}", option, help_hint(app)));
      }
      if (!app->get_subcommands([](const CLI::App*) { return true; }).empty())
        throw Error(where, unknown_command(*app, left));
      throw Error(where, fmt::format("unexpected argument '{}'{}", left, help_hint(app)));
    }
}

/// CLI11's message with a lowercase first word, as blindspot's messages have ("Could not
/// convert" becomes "could not convert"; "FILE is required" stays).
std::string lowercase_start(std::string text) {
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
      std::islower(static_cast<unsigned char>(text[1])))
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  Definition definition;
  CLI::App& app = definition.app();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    fmt::print("{}", app.help());
    return {std::nullopt, 0};
  } catch (const CLI::CallForVersion& e) {
    fmt::print("{}", e.what());
    return {std::nullopt, 0};
  } catch (const CLI::ParseError& e) {
    const std::vector<const CLI::App*> chain = chain_of(app);
    refuse_leftovers(chain);
    if (chain.size() == 1) {  // no command: the usage, on stderr as for any misuse
      fmt::print(stderr, "{}", app.help());
      return {std::nullopt, 2};
    }
    throw Error(command_name(chain.back()), lowercase_start(e.what()) + help_hint(chain.back()));
  }
  const std::vector<const CLI::App*> chain = chain_of(app);
  refuse_leftovers(chain);
  return {definition.command_line(chain), 0};
}

}  // namespace blindspot::host
