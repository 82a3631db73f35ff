// A folder of random labelled images in the IDX format, for experiments the tests run.
#include "support/idx_pool.hpp"

#include <ATen/ATen.h>
#include <zlib.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "data/idx.hpp"

namespace blindspot::test_support {

std::filesystem::path write_random_pool(const std::filesystem::path& dir, std::int64_t count,
                                        std::uint64_t seed) {
  const std::filesystem::path pool = dir / "pool";
  std::filesystem::create_directories(pool);
  at::Generator generator = at::detail::createCPUGenerator(seed);
  host::write_idx(pool / "images-idx3-ubyte",
                  at::randint(0, 256, {count, 28, 28}, generator, at::kByte));
  host::write_idx(pool / "labels-idx1-ubyte",
                  at::arange(count, at::kLong).remainder(10).to(at::kByte));
  return pool;
}

void gzip_file(const std::filesystem::path& plain) {
  std::ifstream in(plain, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  gzFile out = gzopen((plain.string() + ".gz").c_str(), "wb");
  if (out == nullptr) throw std::runtime_error("cannot create " + plain.string() + ".gz");
  const bool written = gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())) ==
                       static_cast<int>(bytes.size());
  if (gzclose(out) != Z_OK || !written)
    throw std::runtime_error("cannot write " + plain.string() + ".gz");
  std::filesystem::remove(plain);
}

}  // namespace blindspot::test_support
