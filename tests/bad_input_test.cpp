// The corpus of bad input: each tests/bad_input/*.yaml must fail with exit 2 and its message.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "data/idx.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::TempDir;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at))
    text.replace(at, from.size(), to), at += to.size();
  return text;
}

/// The broken data folders and plugin libraries the corpus refers to as $FIXTURES/...
void make_fixtures(const fs::path& root) {
  for (const char* dir : {"truncated", "wrong_magic", "count_mismatch", "bad_plugins"})
    fs::create_directories(root / dir);
  at::Tensor images = at::randint(0, 256, {8, 28, 28}, at::kByte);
  at::Tensor labels = at::arange(8, at::kLong).remainder(2).to(at::kByte);
  blindspot::host::write_idx(root / "truncated/images-idx3-ubyte", images);
  blindspot::host::write_idx(root / "truncated/labels-idx1-ubyte", labels);
  fs::resize_file(root / "truncated/images-idx3-ubyte", 16 + 3 * 784);
  blindspot::host::write_idx(root / "wrong_magic/images-idx3-ubyte", images);
  blindspot::host::write_idx(root / "wrong_magic/labels-idx1-ubyte", labels);
  std::fstream magic(root / "wrong_magic/images-idx3-ubyte",
                     std::ios::in | std::ios::out | std::ios::binary);
  magic.seekp(2);
  magic.put(0x0d);
  magic.close();
  blindspot::host::write_idx(root / "count_mismatch/images-idx3-ubyte", images);
  blindspot::host::write_idx(root / "count_mismatch/labels-idx1-ubyte", labels.narrow(0, 0, 7));
  write_text(root / "bad_plugins/empty.so", "");
  write_text(root / "bad_plugins/text.so", std::string(200, '#') + " a text file, not a library\n");
}

/// The value of a "# key: value" header line, or "".
std::string header(const std::string& text, const std::string& key) {
  std::smatch m;
  std::regex line("(^|\n)# " + key + ": ([^\n]*)");
  return std::regex_search(text, m, line) ? m[2].str() : "";
}

}  // namespace

TEST_CASE("every file of the bad-input corpus exits 2 with its expected message") {
  TempDir tmp("bad-input");
  make_fixtures(tmp.path() / "fixtures");
  int files = 0;
  for (const fs::directory_entry& entry :
       fs::directory_iterator(BLINDSPOT_SOURCE_DIR "/tests/bad_input")) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    std::string text = read_text(entry.path());
    auto substitute = [&](std::string s) {
      s = replace_all(s, "$FIXTURES", (tmp.path() / "fixtures").string());
      return replace_all(s, "$TEST_PLUGINS", BLINDSPOT_TEST_PLUGIN_DIR);
    };
    fs::path yaml = tmp.path() / entry.path().filename();
    write_text(yaml, substitute(text));
    std::string command = header(text, "command").empty() ? "validate" : header(text, "command");
    fs::path archive = tmp.path() / "out.h5";
    std::string args = command + " '" + yaml.string() + "' " + substitute(header(text, "args"));
    if (command == "run") args += " -o '" + archive.string() + "'";
    blindspot::test_support::CommandResult result = run_blindspot(args);
    INFO(entry.path().filename().string(), "\n", result.output);
    CHECK(result.exit_code == 2);
    CHECK(std::regex_search(result.output, std::regex(header(text, "expect"))));
    CHECK_FALSE(fs::exists(archive));
    CHECK_FALSE(fs::exists(archive.string() + ".partial"));  // nothing finished, nothing kept
  }
  CHECK(files >= 20);
}

TEST_CASE("a missing experiment file and an unknown command exit 2 with one line") {
  auto missing = run_blindspot("validate /nonexistent/experiment.yaml");
  CHECK(missing.exit_code == 2);
  CHECK(missing.output ==
        "/nonexistent/experiment.yaml: cannot read experiment file (does it "
        "exist?)\n");
  auto unknown = run_blindspot("frobnicate");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("unknown command 'frobnicate'") != std::string::npos);
}

TEST_CASE("an archive folder that cannot be created is one line and exit 2, before any node runs") {
  auto run = run_blindspot("run " BLINDSPOT_SOURCE_DIR
                           "/experiments/quickstart.yaml -o /proc/blindspot/out.h5");
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("/proc/blindspot: cannot create the archive's folder") !=
        std::string::npos);
  CHECK(run.output.find("done in") == std::string::npos);
}
