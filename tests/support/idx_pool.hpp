// A folder of random labelled images in the IDX format, for experiments the tests run.
#pragma once

#include <cstdint>
#include <filesystem>

namespace blindspot::test_support {

/// Writes DIR/pool/images-idx3-ubyte (`count` random 28x28 images, drawn with `seed`) and
/// DIR/pool/labels-idx1-ubyte (labels 0, 1, ..., 9, 0, ...); returns DIR/pool, the folder a
/// dataset node with `source: idx` reads.
std::filesystem::path write_random_pool(const std::filesystem::path& dir, std::int64_t count,
                                        std::uint64_t seed);

/// Replaces the file `plain` by `plain`.gz, compressed with zlib (as MNIST's files come).
void gzip_file(const std::filesystem::path& plain);

}  // namespace blindspot::test_support
