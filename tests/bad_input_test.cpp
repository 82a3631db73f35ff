// The corpus of bad input: each tests/bad_input/*.yaml must fail with exit 2 and its message.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdint>
#include <fstream>
#include <regex>
#include <sstream>

#include "data/idx.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::gzip_file;
using blindspot::test_support::read_text;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::TempDir;

namespace {

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at))
    text.replace(at, from.size(), to), at += to.size();
  return text;
}

/// Flips the lowest bit of the byte at `offset` of `file`.
void flip_bit(const fs::path& file, std::uintmax_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  const char byte = static_cast<char>(f.get() ^ 1);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(byte);
}

/// Writes a pool (images-*, labels-*) of `images` into `dir`, labels 0, 1, 0, 1, ...
void write_pool(const fs::path& dir, const at::Tensor& images, const std::string& prefix = "") {
  fs::create_directories(dir);
  at::Tensor labels = at::arange(images.size(0), at::kLong).remainder(2).to(at::kByte);
  blindspot::host::write_idx(dir / (prefix + "images-idx3-ubyte"), images);
  blindspot::host::write_idx(dir / (prefix + "labels-idx1-ubyte"), labels);
}

/// Data folders that are broken in one way each.
void make_data_fixtures(const fs::path& root) {
  at::Tensor images = at::randint(0, 256, {8, 28, 28}, at::kByte);  // incompressible
  at::Tensor labels = at::arange(8, at::kLong).remainder(2).to(at::kByte);
  blindspot::host::write_idx(root / "truncated/images-idx3-ubyte", images);
  blindspot::host::write_idx(root / "truncated/labels-idx1-ubyte", labels);
  fs::resize_file(root / "truncated/images-idx3-ubyte", 16 + 3 * 784);
  blindspot::host::write_idx(root / "wrong_magic/images-idx3-ubyte", images);
  blindspot::host::write_idx(root / "wrong_magic/labels-idx1-ubyte", labels);
  flip_bit(root / "wrong_magic/images-idx3-ubyte", 2);
  blindspot::host::write_idx(root / "count_mismatch/images-idx3-ubyte", images);
  blindspot::host::write_idx(root / "count_mismatch/labels-idx1-ubyte", labels.narrow(0, 0, 7));
  write_pool(root / "pool", images);
  for (const char* dir : {"flipped_gzip", "wrong_crc", "cut_gzip"}) {
    write_pool(root / dir, images);
    gzip_file(root / dir / "images-idx3-ubyte");
  }
  const fs::path flipped = root / "flipped_gzip/images-idx3-ubyte.gz";
  flip_bit(flipped, fs::file_size(flipped) / 2);  // inside a stored block: only the CRC sees it
  const fs::path crc = root / "wrong_crc/images-idx3-ubyte.gz";
  flip_bit(crc, fs::file_size(crc) - 8);  // the CRC-32 of the gzip trailer
  const fs::path cut = root / "cut_gzip/images-idx3-ubyte.gz";
  fs::resize_file(cut, fs::file_size(cut) - 4);  // the trailer's length is missing
  write_pool(root / "sizes", images, "train-");
  write_pool(root / "sizes", at::randint(0, 256, {8, 56, 14}, at::kByte), "t10k-");
  write_pool(root / "zero_width", at::zeros({8, 28, 0}, at::kByte));
  // 2^16 x 2^16 x 2^15 images in a gzip file of a few dozen bytes.
  write_pool(root / "giant", at::zeros({1, 1, 1}, at::kByte));
  std::ofstream(root / "giant/images-idx3-ubyte", std::ios::binary)
      << std::string("\0\0\x08\x03\0\x01\0\0\0\x01\0\0\0\0\x80\0\0\0\0\0", 20);
  gzip_file(root / "giant/images-idx3-ubyte");
  fs::create_directory_symlink("data_loop", root / "data_loop");
}

/// Plugin folders holding files that are not plugin libraries.
void make_plugin_fixtures(const fs::path& root) {
  write_text(root / "bad_plugins/empty.so", "");
  write_text(root / "bad_plugins/text.so", std::string(200, '#') + " a text file, not a library\n");
  const fs::path good = fs::path(BLINDSPOT_TEST_PLUGIN_DIR) / "libtest_good.so";
  fs::copy_file(good, root / "bad_plugins/libtruncated.so");
  fs::resize_file(root / "bad_plugins/libtruncated.so", fs::file_size(good) / 2);
  fs::create_directory(root / "bad_plugins/libdir.so");
  REQUIRE(mkfifo((root / "bad_plugins/libfifo.so").c_str(), 0600) == 0);
  fs::create_symlink("libloop.so", root / "bad_plugins/libloop.so");
  fs::create_directory_symlink("plugin_loop", root / "plugin_loop");
}

/// The broken data folders and plugin libraries the corpus refers to as $FIXTURES/...
void make_fixtures(const fs::path& root) {
  for (const char* dir : {"truncated", "wrong_magic", "count_mismatch", "bad_plugins"})
    fs::create_directories(root / dir);
  make_data_fixtures(root);
  // NumPy and HDF5 files, good and broken, written by NumPy and h5py.
  const auto arrays = blindspot::test_support::run_command("/usr/bin/python3 " BLINDSPOT_SOURCE_DIR
                                                           "/tests/support/make_arrays.py " +
                                                           (root / "arrays").string());
  INFO(arrays.output);
  REQUIRE(arrays.exit_code == 0);
  make_plugin_fixtures(root);
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
