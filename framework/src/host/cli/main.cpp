// The `blindspot` command line: run, validate, plugins, show, report, reproduce.
#include <ATen/Context.h>
#include <fmt/format.h>

#include <boost/program_options.hpp>

#include <exception>

#include "blindspot/error.hpp"
#include "cli/commands.hpp"
#include "graph/printable.hpp"
#include "runner/cores.hpp"

namespace po = boost::program_options;
using namespace blindspot::host;

namespace {

constexpr const char* kUsage = R"(usage: blindspot COMMAND [options]

commands:
  run FILE [-o OUT.h5] [--resume] [--threads N]   run an experiment into an HDF5 archive
  validate FILE                                   check an experiment without running it
  plugins [describe NAME]                         list plugins, or describe one's parameters
  show ARCHIVE                                    what an archive holds
  report ARCHIVE [--markdown FILE] [--html DIR]   an archive's tables (a paper's beside ours
                                                  where it declares `reproduces:`) as Markdown;
                                                  --markdown: to FILE with PNG figures beside;
                                                  --html: DIR/index.html with figures embedded;
                                                  --samples N | random:N | 0,17,42: the samples
                                                  figures show (default: the first 8; N and
                                                  random:N pick among an attack's successes)
  reproduce ARCHIVE                               re-run an archive's experiment, compare products

options:
  --plugin-path DIR   also load plugins from DIR (repeatable; also BLINDSPOT_PLUGIN_PATH)
  --data-dir DIR      where `scripts/setup` put the MNIST digits (also BLINDSPOT_DATA_DIR)

exit codes: 0 ok, 1 a run failed, 2 bad input
)";

int dispatch(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    fmt::print("{}", kUsage);
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  po::options_description options;
  std::vector<std::string> positional, plugin_paths;
  std::string output, data_dir;
  ReportOptions report;
  int threads = 0;
  options.add_options()("output,o", po::value(&output))("resume", po::bool_switch())(
      "threads", po::value(&threads))("plugin-path", po::value(&plugin_paths))(
      "data-dir", po::value(&data_dir))("markdown", po::value(&report.markdown_file))(
      "html", po::value(&report.html_dir))("samples", po::value(&report.samples))(
      "args", po::value(&positional));
  po::positional_options_description args;
  args.add("args", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(argc - 1, argv + 1).options(options).positional(args).run(),
            vm);
  po::notify(vm);
  if (!data_dir.empty()) setenv("BLINDSPOT_DATA_DIR", data_dir.c_str(), 1);
  if (threads < 0) throw blindspot::Error("--threads", "expected a positive number of threads");
  if (int cores = usable_cores(); threads > cores) {
    // More threads than cores only slows LibTorch down; 100,000 of them never finish starting.
    fmt::print(stderr,
               "note: --threads {} is more than the {} cores this process may use; using {}\n",
               threads, cores, cores);
    threads = cores;
  }
  PluginOptions plugins{plugin_paths};
  auto one_file = [&](const char* what) {
    if (positional.size() != 1)
      throw blindspot::Error(command, fmt::format("expected one {} argument", what));
    return positional.front();
  };
  if (command == "run")
    return command_run(one_file("experiment file"), output, vm["resume"].as<bool>(), threads,
                       plugins);
  if (command == "validate") return command_validate(one_file("experiment file"), plugins);
  if (command == "plugins") return command_plugins(positional, plugins);
  if (command == "show") return command_show(one_file("archive"), plugins);
  if (command == "report") return command_report(one_file("archive"), report, plugins);
  if (command == "reproduce") return command_reproduce(one_file("archive"), plugins);
  throw blindspot::Error("", fmt::format("unknown command '{}'; run blindspot --help", command));
}

}  // namespace

int main(int argc, char** argv) {
  // Weight decay leaves denormal weights whose arithmetic is many times slower; flush them.
  at::globalContext().setFlushDenormal(true);
  try {
    return dispatch(argc, argv);
  } catch (const blindspot::Error& e) {
    fmt::print(stderr, "blindspot: {}\n", printable(e.what()));
    return 2;
  } catch (const po::error& e) {
    fmt::print(stderr, "blindspot: {}; run blindspot --help\n", printable(e.what()));
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "blindspot: run failed: {}\n", printable(e.what()));
    return 1;
  }
}
