// FNV-1a and SplitMix64: small, stable, dependency-free hashing.
#include "runner/hash.hpp"

#include <fmt/format.h>

namespace blindspot::host {

namespace {

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

std::string digest(const std::string& text) {
  return fmt::format("{:016x}", fnv1a(text));
}

std::uint64_t node_seed(std::uint64_t experiment_seed, const std::string& node_name) {
  // Kept below 2^53 so the seed survives any tool that reads attributes as doubles.
  return splitmix(experiment_seed ^ fnv1a(node_name)) >> 11;
}

}  // namespace blindspot::host
