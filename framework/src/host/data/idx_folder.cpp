// Finding the IDX files of a data folder and reading an images/labels pair.
#include "data/idx_folder.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "data/idx.hpp"

namespace blindspot::host {
namespace {

const std::vector<std::string> kSplitFiles{"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
const std::vector<std::string> kPoolFiles{"images-idx3-ubyte", "labels-idx1-ubyte"};

/// `folder/name`, or `folder/name.gz`, whichever exists (plain first); nullopt if neither.
/// Throws if one exists but cannot be inspected (a symlink loop, say).
std::optional<std::filesystem::path> find_file(const std::filesystem::path& folder,
                                               const std::string& name) {
  for (const std::string& candidate : {name, name + ".gz"}) {
    std::error_code ec;
    const std::filesystem::file_status status = std::filesystem::status(folder / candidate, ec);
    if (std::filesystem::is_regular_file(status)) return folder / candidate;
    if (ec && status.type() != std::filesystem::file_type::not_found)
      throw Error((folder / candidate).string(), fmt::format("cannot read: {}", ec.message()));
  }
  return std::nullopt;
}

/// Every file of `names` found in `folder`; the names of those missing go to `missing`.
std::vector<std::filesystem::path> find_all(const std::filesystem::path& folder,
                                            const std::vector<std::string>& names,
                                            std::vector<std::string>& missing) {
  std::vector<std::filesystem::path> found;
  for (const std::string& name : names) {
    if (auto file = find_file(folder, name))
      found.push_back(*file);
    else
      missing.push_back(name);
  }
  return found;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

IdxFolder find_idx_files(const std::filesystem::path& folder) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(folder, ec);
  if (status.type() == std::filesystem::file_type::not_found)
    throw Error(folder.string(), "no such folder");
  if (ec) throw Error(folder.string(), fmt::format("cannot read the folder: {}", ec.message()));
  if (!std::filesystem::is_directory(status))
    throw Error(folder.string(), "not a folder, expected a folder of IDX files");
  // An unreadable folder would otherwise look empty below.
  const std::filesystem::directory_iterator probe(folder, ec);
  if (ec) throw Error(folder.string(), fmt::format("cannot read the folder: {}", ec.message()));

  std::vector<std::string> split_missing, pool_missing;
  const auto split = find_all(folder, kSplitFiles, split_missing);
  if (split_missing.empty()) {
    IdxFolder out;
    out.train = IdxPair{split[0], split[1]};
    out.test = IdxPair{split[2], split[3]};
    return out;
  }
  const auto pool = find_all(folder, kPoolFiles, pool_missing);
  if (pool_missing.empty()) {
    IdxFolder out;
    out.pool = IdxPair{pool[0], pool[1]};
    return out;
  }
  // Name what is missing from the layout the folder seems to use.
  const std::string missing = !split.empty()  ? "; missing " + join(split_missing)
                              : !pool.empty() ? "; missing " + join(pool_missing)
                                              : "";
  throw Error(
      folder.string(),
      fmt::format("expected IDX files {} (train and test) or {} (one pool), each plain or .gz{}",
                  join(kSplitFiles), join(kPoolFiles), missing));
}

RawImages read_pair(const IdxPair& pair) {
  RawImages raw{read_idx(pair.images), read_idx(pair.labels)};
  if (raw.images.dim() != 3)
    throw Error(pair.images.string(),
                fmt::format("expected images of 3 dimensions [N, height, width], found {}",
                            raw.images.dim()));
  if (raw.images.size(1) == 0 || raw.images.size(2) == 0)
    throw Error(pair.images.string(),
                fmt::format("images of {}x{} pixels, expected a height and width of at least 1",
                            raw.images.size(1), raw.images.size(2)));
  if (raw.labels.dim() != 1)
    throw Error(pair.labels.string(),
                fmt::format("expected labels of 1 dimension [N], found {}", raw.labels.dim()));
  if (raw.images.size(0) != raw.labels.size(0))
    throw Error(pair.images.string(),
                fmt::format("holds {} images but {} holds {} labels", raw.images.size(0),
                            pair.labels.string(), raw.labels.size(0)));
  raw.images = raw.images.unsqueeze(1);
  raw.labels = raw.labels.to(at::kLong);
  return raw;
}

}  // namespace blindspot::host
