// Tests of the IDX reader and writer: round trips, gzip, and every malformed-file error.
#include <ATen/ATen.h>
#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "data/idx.hpp"
#include "data/idx_folder.hpp"

namespace fs = std::filesystem;
using blindspot::Error;
using blindspot::host::read_idx;
using blindspot::host::write_idx;

namespace {

/// A fresh temporary folder, removed with everything in it at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device device;
    path = fs::temp_directory_path() / ("blindspot_idx_test_" + std::to_string(device()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

using Bytes = std::vector<std::uint8_t>;

void write_bytes(const fs::path& file, const Bytes& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

Bytes read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write_gzipped(const fs::path& file, const Bytes& bytes) {
  gzFile out = gzopen(file.c_str(), "wb");
  REQUIRE(out != nullptr);
  REQUIRE(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  REQUIRE(gzclose(out) == Z_OK);
}

/// An IDX file of `count` images of 2x3 written by hand: byte k of the data is k % 251.
Bytes hand_made_idx(std::uint8_t count, std::size_t data_bytes) {
  Bytes bytes{0, 0, 0x08, 0x03, 0, 0, 0, count, 0, 0, 0, 2, 0, 0, 0, 3};
  for (std::size_t k = 0; k < data_bytes; ++k) bytes.push_back(static_cast<std::uint8_t>(k % 251));
  return bytes;
}

/// The message of the blindspot::Error thrown by `f`, or "" if none was thrown.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("write_idx then read_idx gives back the shape and the bytes") {
  TempDir dir;
  const at::Tensor data =
      at::arange(3 * 4 * 5, at::kLong).remainder(256).to(at::kByte).view({3, 4, 5});
  write_idx(dir.path / "a", data);

  const Bytes raw = read_bytes(dir.path / "a");
  REQUIRE(raw.size() == 4 + 3 * 4 + 60);
  CHECK(Bytes(raw.begin(), raw.begin() + 16) ==
        Bytes{0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5});
  CHECK(raw.back() == 59);

  const at::Tensor back = read_idx(dir.path / "a");
  CHECK((back.scalar_type() == at::kByte));
  CHECK(back.sizes() == at::IntArrayRef{3, 4, 5});
  CHECK(at::equal(back, data));

  const at::Tensor labels = at::tensor(std::vector<std::uint8_t>{9, 0, 255}, at::kByte);
  write_idx(dir.path / "b", labels);
  CHECK(read_bytes(dir.path / "b") == Bytes{0, 0, 8, 1, 0, 0, 0, 3, 9, 0, 255});
  CHECK(at::equal(read_idx(dir.path / "b"), labels));
}

TEST_CASE("a gzipped IDX file reads the same as the plain one") {
  TempDir dir;
  const Bytes bytes = hand_made_idx(4, 4 * 6);
  write_bytes(dir.path / "plain", bytes);
  write_gzipped(dir.path / "packed.gz", bytes);
  const at::Tensor plain = read_idx(dir.path / "plain");
  const at::Tensor packed = read_idx(dir.path / "packed.gz");
  CHECK(packed.sizes() == at::IntArrayRef{4, 2, 3});
  CHECK(packed[3][1][2].item<int>() == 23);
  CHECK(at::equal(plain, packed));
}

TEST_CASE("truncated files are reported with the path and the sizes") {
  TempDir dir;
  const fs::path short_data = dir.path / "short_data";
  write_bytes(short_data, hand_made_idx(4, 20));
  const std::string message = error_of([&] { read_idx(short_data); });
  CHECK(message.find("truncated") != std::string::npos);
  CHECK(message.find(short_data.string()) != std::string::npos);
  CHECK(message.find("expected 24 bytes of data, found 20") != std::string::npos);

  write_gzipped(dir.path / "short.gz", hand_made_idx(4, 7));
  CHECK(error_of([&] { read_idx(dir.path / "short.gz"); }).find("truncated") != std::string::npos);

  write_bytes(dir.path / "short_header", {0, 0, 8, 3, 0, 0, 0, 4, 0, 0});
  CHECK(error_of([&] { read_idx(dir.path / "short_header"); }).find("truncated") !=
        std::string::npos);
  write_bytes(dir.path / "empty", {});
  CHECK(error_of([&] { read_idx(dir.path / "empty"); }).find("truncated") != std::string::npos);
}

TEST_CASE("a file that is not IDX of bytes is refused by its magic number") {
  TempDir dir;
  write_bytes(dir.path / "gif", {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0, 0});
  const std::string message = error_of([&] { read_idx(dir.path / "gif"); });
  CHECK(message.find("magic 0x47494638") != std::string::npos);
  CHECK(message.find((dir.path / "gif").string()) != std::string::npos);

  write_bytes(dir.path / "five_dims", {0, 0, 8, 5, 0, 0, 0, 1});
  CHECK(error_of([&] { read_idx(dir.path / "five_dims"); }).find("magic") != std::string::npos);

  write_bytes(dir.path / "floats", {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0});
  CHECK(error_of([&] { read_idx(dir.path / "floats"); }).find("unsupported IDX element type") !=
        std::string::npos);
}

TEST_CASE("a missing file is an error naming it") {
  TempDir dir;
  const std::string message = error_of([&] { read_idx(dir.path / "absent"); });
  CHECK(message.find("no such file") != std::string::npos);
  CHECK(message.find((dir.path / "absent").string()) != std::string::npos);
  CHECK(error_of([&] { read_idx(dir.path); }) != "");
}

TEST_CASE("corrupt gzip data is an error, not a crash") {
  TempDir dir;
  // A gzip header (magic 1f 8b, deflate) followed by bytes that are not a deflate stream.
  Bytes corrupt{0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03};
  for (int k = 0; k < 64; ++k) corrupt.push_back(0xff);
  write_bytes(dir.path / "corrupt.gz", corrupt);
  CHECK(error_of([&] { read_idx(dir.path / "corrupt.gz"); }).find("gzip") != std::string::npos);

  // A valid gzipped file cut in the middle of its compressed stream.
  Bytes big = hand_made_idx(200, 200 * 6);
  write_gzipped(dir.path / "whole.gz", big);
  Bytes packed = read_bytes(dir.path / "whole.gz");
  packed.resize(packed.size() / 2);
  write_bytes(dir.path / "cut.gz", packed);
  CHECK(error_of([&] { read_idx(dir.path / "cut.gz"); }) != "");
}

TEST_CASE("images and labels of different counts are refused with both counts") {
  TempDir dir;
  const blindspot::host::IdxPair pair{dir.path / "images", dir.path / "labels"};
  write_idx(pair.images, at::zeros({100, 2, 2}, at::kByte));
  write_idx(pair.labels, at::zeros({99}, at::kByte));
  const std::string message = error_of([&] { blindspot::host::read_pair(pair); });
  CHECK(message.find(pair.images.string() + ": holds 100 images but " + pair.labels.string() +
                     " holds 99 labels") != std::string::npos);

  write_idx(pair.images, at::zeros({99, 4}, at::kByte));
  CHECK(error_of([&] { blindspot::host::read_pair(pair); }).find("3 dimensions") !=
        std::string::npos);
  write_idx(pair.images, at::zeros({99, 2, 2}, at::kByte));
  write_idx(pair.labels, at::zeros({99, 1}, at::kByte));
  CHECK(error_of([&] { blindspot::host::read_pair(pair); }).find("1 dimension") !=
        std::string::npos);
}

TEST_CASE("no flipped bit of a gzipped IDX file gives silently wrong pixels") {
  TempDir dir;
  // 100 images of 28x28 with a random centre, compressible like MNIST digits.
  Bytes idx{0, 0, 8, 3, 0, 0, 0, 100, 0, 0, 0, 28, 0, 0, 0, 28};
  std::mt19937 random(5);
  for (int k = 0; k < 100 * 28 * 28; ++k) {
    const int y = k / 28 % 28, x = k % 28;
    const bool centre = y > 6 && y < 22 && x > 6 && x < 22;
    idx.push_back(static_cast<std::uint8_t>(centre && random() % 3 ? random() % 256 : 0));
  }
  write_gzipped(dir.path / "good.gz", idx);
  const at::Tensor good = read_idx(dir.path / "good.gz");
  const Bytes packed = read_bytes(dir.path / "good.gz");
  const fs::path file = dir.path / "flipped.gz";
  int refused = 0;
  for (std::size_t offset = 10; offset < packed.size(); offset += 7) {  // after the header
    CAPTURE(offset);
    Bytes bytes = packed;
    bytes[offset] ^= 1;
    write_bytes(file, bytes);
    bool same = false;  // checked outside: doctest's CHECK would swallow the exception
    const std::string message = error_of([&] { same = at::equal(read_idx(file), good); });
    if (message.empty()) {
      CHECK(same);
      continue;
    }
    ++refused;
    CHECK(message.find(file.string() + ": ") == 0);
  }
  CHECK(refused > 0);
}

TEST_CASE("gzip data whose CRC, length or end is wrong is refused, naming the file") {
  TempDir dir;
  const Bytes idx = hand_made_idx(200, 200 * 6);
  write_gzipped(dir.path / "good.gz", idx);
  const Bytes packed = read_bytes(dir.path / "good.gz");
  auto broken = [&](const std::string& name, auto change) {
    Bytes bytes = packed;
    change(bytes);
    write_bytes(dir.path / name, bytes);
    return error_of([&] { read_idx(dir.path / name); });
  };
  CHECK(broken("crc.gz", [](Bytes& b) { b[b.size() - 8] ^= 1; }) ==
        (dir.path / "crc.gz").string() + ": corrupt or unreadable gzip data: incorrect data check");
  CHECK(broken("length.gz", [](Bytes& b) { b[b.size() - 4] ^= 1; }) ==
        (dir.path / "length.gz").string() +
            ": corrupt or unreadable gzip data: incorrect length check");
  CHECK(broken("cut.gz", [](Bytes& b) { b.resize(b.size() - 4); }) ==
        (dir.path / "cut.gz").string() +
            ": corrupt or unreadable gzip data: unexpected end of file");
}

TEST_CASE("a file longer than its header declares is refused") {
  TempDir dir;
  write_bytes(dir.path / "long", hand_made_idx(4, 25));
  CHECK(error_of([&] { read_idx(dir.path / "long"); }) ==
        (dir.path / "long").string() +
            ": holds more than the 24 bytes of data its header declares");
}

TEST_CASE("giant header dimensions are refused against the file's size before reading") {
  TempDir dir;
  // 2^16 x 2^16 x 2^15 images: 2^47 bytes declared in a file of 20.
  const Bytes giant{0, 0, 8, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0x80, 0, 1, 2, 3, 4};
  write_bytes(dir.path / "giant", giant);
  CHECK(error_of([&] { read_idx(dir.path / "giant"); }) ==
        (dir.path / "giant").string() +
            ": truncated: expected 140737488355328 bytes of data, "
            "found 4");
  write_gzipped(dir.path / "giant.gz", giant);
  CHECK(error_of([&] { read_idx(dir.path / "giant.gz"); }) ==
        (dir.path / "giant.gz").string() +
            ": truncated: the header declares 140737488355328 "
            "bytes of data, more than a gzip file of " +
            std::to_string(fs::file_size(dir.path / "giant.gz")) + " bytes can hold");
}

TEST_CASE("images of height or width 0 are refused") {
  TempDir dir;
  const blindspot::host::IdxPair pair{dir.path / "images", dir.path / "labels"};
  write_idx(pair.labels, at::zeros({3}, at::kByte));
  write_idx(pair.images, at::zeros({3, 28, 0}, at::kByte));
  CHECK(error_of([&] { blindspot::host::read_pair(pair); }) ==
        pair.images.string() +
            ": images of 28x0 pixels, expected a height and width of at least 1");
  write_idx(pair.images, at::zeros({3, 0, 5}, at::kByte));
  CHECK(error_of([&] { blindspot::host::read_pair(pair); }).find("0x5 pixels") !=
        std::string::npos);
}
