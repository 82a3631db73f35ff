// Which samples of an adversarial set or saliency product a report's figure shows.
#include "report/sample_choice.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "blindspot/error.hpp"

namespace blindspot::host {

namespace {

const char* const kForms =
    "expected N (the first N samples), random:N or positions such as 0,17,42";

/// A whole number >= `least`, or an Error quoting `spec`.
std::int64_t whole(const std::string& text, std::int64_t least, const std::string& spec) {
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    throw Error("--samples", fmt::format("'{}' is not understood; {}", spec, kForms));
  const std::int64_t value = std::stoll(text);
  if (value < least)
    throw Error("--samples", fmt::format("'{}': {} is below {}; {}", spec, value, least, kForms));
  return value;
}

}  // namespace

SampleChoice SampleChoice::parse(const std::string& spec) {
  SampleChoice choice;
  if (spec.rfind("random:", 0) == 0) {
    choice.random_ = true;
    choice.count_ = whole(spec.substr(7), 1, spec);
  } else if (spec.find(',') != std::string::npos) {
    for (std::size_t start = 0; start <= spec.size();) {
      const std::size_t comma = std::min(spec.find(',', start), spec.size());
      choice.listed_.push_back(whole(spec.substr(start, comma - start), 0, spec));
      start = comma + 1;
    }
  } else {
    choice.count_ = whole(spec, 1, spec);
  }
  return choice;
}

std::vector<std::int64_t> SampleChoice::positions(std::int64_t size, std::uint64_t seed,
                                                  const std::string& product) const {
  if (!listed_.empty()) {
    for (std::int64_t p : listed_)
      if (p >= size)
        throw Error("--samples",
                    fmt::format("position {} is past the {} samples of {}", p, size, product));
    return listed_;
  }
  const std::int64_t n = std::min(count_, size);
  std::vector<std::int64_t> out;
  if (!random_) {
    for (std::int64_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  at::Generator generator = at::detail::createCPUGenerator(seed);
  const at::Tensor order = at::randperm(size, generator, at::kLong).narrow(0, 0, n);
  out.assign(order.data_ptr<std::int64_t>(), order.data_ptr<std::int64_t>() + n);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace blindspot::host
