// A folder of random labelled images in the IDX format, for experiments the tests run.
#include "support/idx_pool.hpp"

#include <ATen/ATen.h>

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

}  // namespace blindspot::test_support
