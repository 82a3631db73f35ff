// The `blindspot` subcommands; each returns the process exit code (0 ok, 1 run failed, 2 bad
// input).
#pragma once

#include <string>
#include <vector>

namespace blindspot::host {

/// Options shared by the commands that load plugins.
struct PluginOptions {
  std::vector<std::string> plugin_paths;  // --plugin-path folders the registry does not load anyway
};

/// How a command prints.
struct OutputOptions {
  bool quiet = false;  // --quiet: no progress bars, log lines or notes
  bool json = false;   // --json: the command's answer as JSON on stdout (commands that take it)
};

/// Runs an experiment into an archive; `threads` 0 is the cores this process may use.
int command_run(const std::string& file, const std::string& output, bool resume, int threads,
                const PluginOptions& plugins, const OutputOptions& print);
/// Checks an experiment without running it: exit 0 when valid, 2 with its problems otherwise.
int command_validate(const std::string& file, const PluginOptions& plugins,
                     const OutputOptions& print);
/// Lists the plugins and the libraries that were refused.
int command_plugins(const PluginOptions& plugins, const OutputOptions& print);
/// Describes one plugin: its parameters, inputs and outputs.
int command_describe(const std::string& name, const PluginOptions& plugins,
                     const OutputOptions& print);
/// What an archive holds; plugins are loaded so that the kinds they define are summarised.
int command_show(const std::string& archive, const PluginOptions& plugins,
                 const OutputOptions& print);
/// Where `blindspot report` writes; both empty: Markdown on stdout, without figures.
struct ReportOptions {
  std::string markdown_file;  // Markdown here, its PNG figures in FILE_figures/ beside it
  std::string html_dir;       // DIR/index.html, one page with the figures embedded
  std::string samples = "8";  // which samples figures show: N, random:N or 0,17,42
};

/// The archive's report: the tables it reproduces (from report plugins), every node's tables,
/// figures.
int command_report(const std::string& archive, const ReportOptions& options,
                   const PluginOptions& plugins, const OutputOptions& print);
/// Re-runs the archived experiment into a temporary archive and compares every product: exit 0
/// when every node is identical or within its plugin's tolerance, 1 otherwise.
int command_reproduce(const std::string& archive, const PluginOptions& plugins,
                      const OutputOptions& print);

}  // namespace blindspot::host
