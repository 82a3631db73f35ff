// The command line: each command's own options, one-line refusals, --version, --quiet, --json,
// the plugin path read once, and parameters archived as JSON that YAML reads back.
// ATen first: doctest's CHECK must replace the glog CHECK that LibTorch's headers define.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "archive/archive.hpp"
#include "build_info.hpp"
#include "graph/value_json.hpp"
#include "graph/yaml_value.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::Value;
using blindspot::test_support::read_text;
using blindspot::test_support::run_command;
using blindspot::test_support::TempDir;
using nlohmann::json;

namespace {

/// What `blindspot ARGS` printed on each stream, and its exit code.
struct Streams {
  int exit_code = -1;
  std::string out, err;
};

/// Runs `ENVIRONMENT blindspot ARGS` (shell words) with stdout and stderr kept apart.
Streams run_streams(const std::string& args, const std::string& environment = "") {
  TempDir tmp("cli-streams");
  const fs::path out = tmp.path() / "out", err = tmp.path() / "err";
  const auto result = run_command("(" + environment + " '" BLINDSPOT_EXE "' " + args + " >'" +
                                  out.string() + "' 2>'" + err.string() + "')");
  return {result.exit_code, read_text(out), read_text(err)};
}

/// The number of lines of `text`.
std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

const std::string kQuickstart = BLINDSPOT_SOURCE_DIR "/experiments/quickstart.yaml";

}  // namespace

TEST_CASE("a command's --help shows its own options only, on stdout, exit 0") {
  const Streams run = run_streams("run --help");
  INFO(run.out, run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.empty());
  CHECK(run.out.find("blindspot run") != std::string::npos);
  CHECK(run.out.find("--resume") != std::string::npos);
  CHECK(run.out.find("--threads") != std::string::npos);
  CHECK(run.out.find("BLINDSPOT_PLUGIN_PATH") != std::string::npos);
  CHECK(run.out.find("BLINDSPOT_DATA_DIR") != std::string::npos);
  CHECK(run.out.find("--markdown") == std::string::npos);
  CHECK(run.out.find("--json") == std::string::npos);

  const Streams describe = run_streams("plugins describe --help");
  CHECK(describe.exit_code == 0);
  CHECK(describe.out.find("blindspot plugins describe") != std::string::npos);
  CHECK(describe.out.find("--json") != std::string::npos);

  const Streams top = run_streams("--help");
  CHECK(top.exit_code == 0);
  for (const char* command : {"run", "validate", "plugins", "show", "report", "reproduce"})
    CHECK(top.out.find(std::string("  ") + command + " ") != std::string::npos);
  CHECK(top.out.find("exit codes: 0 ok, 1 a run failed, 2 bad input") != std::string::npos);
}

TEST_CASE(
    "--version prints blindspot's version and commit, LibTorch, BLAS and its kernels; exit 0") {
  const Streams version = run_streams("--version");
  INFO(version.out, version.err);
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("blindspot " BLINDSPOT_VERSION " (commit ", 0) == 0);
  CHECK(version.out.find("\nLibTorch ") != std::string::npos);
  CHECK(version.out.find("\nBLAS ") != std::string::npos);
  CHECK(version.out.find("\nBLAS core ") != std::string::npos);
}

TEST_CASE("an option the command does not take is one line on stderr, exit 2") {
  const Streams validate = run_streams("validate '" + kQuickstart + "' --resume");
  CHECK(validate.exit_code == 2);
  CHECK(validate.out.empty());
  CHECK(validate.err ==
        "blindspot: validate: unknown option --resume; run blindspot validate --help\n");

  const Streams show = run_streams("show x.h5 --threads 4");
  CHECK(show.exit_code == 2);
  CHECK(show.out.empty());
  CHECK(show.err == "blindspot: show: unknown option --threads; run blindspot show --help\n");

  const Streams extra = run_streams("validate '" + kQuickstart + "' other.yaml");
  CHECK(extra.exit_code == 2);
  CHECK(lines(extra.err) == 1);
  CHECK(extra.err.find("unexpected argument 'other.yaml'") != std::string::npos);

  const Streams missing = run_streams("plugins describe");
  CHECK(missing.exit_code == 2);
  CHECK(lines(missing.err) == 1);
  CHECK(missing.err.find("blindspot: plugins describe: NAME") == 0);
}

TEST_CASE("no command prints the usage on stderr, exit 2; an unknown one is named with a hint") {
  const Streams none = run_streams("");
  CHECK(none.exit_code == 2);
  CHECK(none.out.empty());
  CHECK(none.err.find("Usage: blindspot") != std::string::npos);
  CHECK(none.err.find("reproduce") != std::string::npos);

  const Streams typo = run_streams("rnu x.yaml");
  CHECK(typo.exit_code == 2);
  CHECK(typo.out.empty());
  CHECK(typo.err == "blindspot: unknown command 'rnu'; did you mean 'run'?\n");
}

TEST_CASE("plugins --json lists every plugin with kind, version and library") {
  const Streams listed = run_streams("plugins --json");
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  const json answer = json::parse(listed.out);
  bool szegedy = false;
  for (const json& plugin : answer.at("plugins")) {
    CHECK(plugin.at("kind").is_string());
    CHECK(plugin.at("version").is_string());
    if (plugin.at("name") == "szegedy") {
      szegedy = true;
      CHECK(plugin.at("kind") == "attack");
      CHECK(plugin.at("library").is_string());
    }
    if (plugin.at("name") == "dataset") CHECK(plugin.at("library").is_null());
  }
  CHECK(szegedy);
  CHECK(answer.at("refused").is_array());
  CHECK(listed.out.rfind("{\n  \"plugins\": [", 0) == 0);  // two-space indent
  CHECK(listed.out.back() == '\n');
}

TEST_CASE("plugins describe --json gives the whole schema with typed defaults") {
  const Streams described = run_streams("plugins describe szegedy --json");
  REQUIRE(described.exit_code == 0);
  const json schema = json::parse(described.out);
  CHECK(schema.at("name") == "szegedy");
  CHECK(schema.at("kind") == "attack");
  bool count = false, margin = false;
  for (const json& p : schema.at("parameters")) {
    if (p.at("name") == "count") {
      count = true;
      CHECK(p.at("type") == "int");
      CHECK(p.at("default").is_number_integer());
      CHECK(p.at("min") == 1.0);
      CHECK(p.at("max").is_null());
    }
    if (p.at("name") == "margin") {
      margin = true;
      CHECK(p.at("default").is_number_float());
    }
  }
  CHECK(count);
  CHECK(margin);
  CHECK(schema.at("inputs").at(0).at("kind") == "Model");
}

TEST_CASE("validate --json: valid, or exit 2 with each problem located and nothing as text") {
  const Streams valid = run_streams("validate --json '" + kQuickstart + "'");
  INFO(valid.err);
  CHECK(valid.exit_code == 0);
  const json ok = json::parse(valid.out);
  CHECK(ok.at("valid") == true);
  CHECK(ok.at("experiment") == "quickstart");
  CHECK(ok.at("nodes") == 4);
  CHECK(ok.at("problems").empty());

  TempDir tmp("cli-validate");
  const fs::path file = tmp.path() / "typo.yaml";
  std::ofstream(file) << "experiment: typo\nseed: 1\nnodes:\n  mnist:\n    plugin: dataset\n"
                      << "  fc10:\n    plugin: softmax\n    inputs: {data: mnist}\n"
                      << "    with:\n      epochs: 2\n      lamda: 0.01\n";
  const Streams invalid = run_streams("validate '" + file.string() + "' --json");
  CHECK(invalid.exit_code == 2);
  CHECK(invalid.err.find("lamda") == std::string::npos);
  const json bad = json::parse(invalid.out);
  CHECK(bad.at("valid") == false);
  CHECK(bad.at("experiment") == "typo");
  REQUIRE(bad.at("problems").size() == 1);
  const json& problem = bad.at("problems").at(0);
  CHECK(problem.at("file") == file.string());
  CHECK(problem.at("line") == 11);
  CHECK(problem.at("column") == 7);
  CHECK(problem.at("message").get<std::string>().find("unknown parameter 'lamda'") !=
        std::string::npos);
}

TEST_CASE(
    "--quiet before the command: a run prints nothing on stdout; parameters archive as JSON") {
  TempDir tmp("cli-quiet");
  const fs::path out = tmp.path() / "quiet.h5";
  const Streams run = run_streams("--quiet run '" + kQuickstart + "' -o '" + out.string() + "'");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.empty());
  const std::vector<blindspot::host::NodeInfo> nodes = blindspot::host::ArchiveReader(out).nodes();
  REQUIRE(nodes.size() == 4);
  REQUIRE(nodes[1].name == "fc10");
  const json parameters = json::parse(nodes[1].parameters);
  CHECK(parameters.at("lambda") == 1.0e-4);
  CHECK(parameters.at("epochs").is_number_integer());
  CHECK(parameters.at("epochs") == 20);
}

TEST_CASE("a folder in BLINDSPOT_PLUGIN_PATH and --plugin-path is loaded once; ':' separates") {
  const std::string plugins = BLINDSPOT_TEST_PLUGIN_DIR;
  const Streams listed =
      run_streams("plugins --json --plugin-path '" + plugins + "/'",
                  "BLINDSPOT_PLUGIN_PATH='/nonexistent/plugins:" + plugins + "'");
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  const json answer = json::parse(listed.out);
  int echo = 0, missing = 0;
  for (const json& plugin : answer.at("plugins")) echo += plugin.at("name") == "echo_table";
  for (const json& refused : answer.at("refused")) {
    CHECK(refused.at("reason").get<std::string>().find("provided by both") == std::string::npos);
    missing += refused.at("library") == "/nonexistent/plugins";
  }
  CHECK(echo == 1);
  CHECK(missing == 1);
}

TEST_CASE("a value's JSON text is compact and sorted, and YAML reads it back as the same value") {
  Value list;
  list.type = blindspot::ValueType::list;
  list.list = {Value::of(1), Value::of(2.5), Value::of("x")};
  const Value nested = Value::of(std::map<std::string, Value>{
      {"list", list}, {"empty", Value::of(std::map<std::string, Value>{})}});
  const std::map<std::string, Value> params{
      {"small", Value::of(1e-05)},
      {"big_real", Value::of(10000000000.0)},
      {"big_int", Value::of(std::int64_t{10000000000})},
      {"negative", Value::of(-3)},
      {"whole_real", Value::of(2.0)},
      {"flag", Value::of(true)},
      {"empty_text", Value::of("")},
      {"text_true", Value::of("true")},
      {"text_number", Value::of("1e-05")},
      {"quoted", Value::of("say \"hi\"\nback\\slash: {x}")},
      {"unicode", Value::of("Faß")},
      {"nothing", Value{}},
      {"nested", nested},
  };
  const std::string text = blindspot::host::to_json_text(Value::of(params));
  CHECK(text == R"({"big_int":10000000000,"big_real":10000000000.0,"empty_text":"","flag":true,)"
                R"("negative":-3,"nested":{"empty":{},"list":[1,2.5,"x"]},"nothing":null,)"
                R"("quoted":"say \"hi\"\nback\\slash: {x}","small":1e-05,"text_number":"1e-05",)"
                R"("text_true":"true","unicode":"Faß","whole_real":2.0})");
  const std::map<std::string, Value> back = blindspot::host::parse_value_map(text);
  REQUIRE(back.size() == params.size());
  for (const auto& [key, value] : params) {
    INFO(key, " = ", value.to_yaml(), " came back as ", back.at(key).to_yaml());
    CHECK(back.at(key) == value);
  }
  CHECK(blindspot::host::to_json_text(Value::of(std::numeric_limits<double>::infinity())) ==
        "null");
}
