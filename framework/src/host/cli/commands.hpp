// The `blindspot` subcommands; each returns the process exit code (0 ok, 1 run failed, 2 bad
// input).
#pragma once

#include <string>
#include <vector>

namespace blindspot::host {

/// Options shared by the commands that load plugins.
struct PluginOptions {
  std::vector<std::string> plugin_paths;
};

int command_run(const std::string& file, const std::string& output, bool resume, int threads,
                const PluginOptions& plugins);
int command_validate(const std::string& file, const PluginOptions& plugins);
int command_plugins(const std::vector<std::string>& args, const PluginOptions& plugins);
/// What an archive holds; plugins are loaded so that the kinds they define are summarised.
int command_show(const std::string& archive, const PluginOptions& plugins);
/// Where `blindspot report` writes; both empty: Markdown on stdout, without figures.
struct ReportOptions {
  std::string markdown_file;  // Markdown here, its PNG figures in FILE_figures/ beside it
  std::string html_dir;       // DIR/index.html, one page with the figures embedded
  std::string samples = "8";  // which samples figures show: N, random:N or 0,17,42
};

/// The archive's report: the tables it reproduces (from report plugins), every node's tables,
/// figures.
int command_report(const std::string& archive, const ReportOptions& options,
                   const PluginOptions& plugins);
/// Re-runs the archived experiment into a temporary archive and compares every product: exit 0
/// when every node is identical or within its plugin's tolerance, 1 otherwise.
int command_reproduce(const std::string& archive, const PluginOptions& plugins);

}  // namespace blindspot::host
