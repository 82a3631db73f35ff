// The arrays of a NumPy .npz archive, read entry by entry with libzip.
#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <memory>

#include "blindspot/error.hpp"
#include "data/array_store.hpp"
#include "data/npy.hpp"
#include "data/path_kind.hpp"

namespace blindspot::host {
namespace {

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

/// The arrays of one .npz file, opened once and read on demand.
class NpzStore final : public ArrayStore {
 public:
  explicit NpzStore(std::filesystem::path file) : file_(std::move(file)) {
    int code = 0;
    zip_.reset(zip_open(file_.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
    if (!zip_) {
      zip_error_t error;
      zip_error_init_with_code(&error, code);
      const std::string reason = zip_error_strerror(&error);
      zip_error_fini(&error);
      throw Error(file_.string(), fmt::format("not a readable .npz (zip) archive: {}", reason));
    }
    const zip_int64_t entries = zip_get_num_entries(zip_.get(), 0);
    for (zip_int64_t i = 0; i < entries; ++i) {
      const std::string name = zip_get_name(zip_.get(), static_cast<zip_uint64_t>(i), 0);
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
        names_.push_back(name.substr(0, name.size() - 4));
    }
    std::sort(names_.begin(), names_.end());
  }

  bool has(const std::string& name) const override {
    return std::binary_search(names_.begin(), names_.end(), name);
  }
  std::vector<std::string> names() const override { return names_; }
  std::string where(const std::string& name) const override {
    return fmt::format("{}: {}", file_.string(), name);
  }
  std::vector<std::filesystem::path> files(const std::vector<std::string>&) const override {
    return {file_};
  }

  at::Tensor read(const std::string& name) const override {
    const std::string entry = name + ".npy", here = where(name);
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat(zip_.get(), entry.c_str(), 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE))
      throw Error(here, fmt::format("cannot read the entry: {}", zip_strerror(zip_.get())));
    std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen(zip_.get(), entry.c_str(), 0));
    if (!file)
      throw Error(here, fmt::format("cannot read the entry: {}", zip_strerror(zip_.get())));
    ByteStream bytes{
        stat.size, [&](char* buffer, std::size_t count) {
          while (count > 0) {
            const zip_int64_t got = zip_fread(file.get(), buffer, count);
            if (got < 0)
              throw Error(here, fmt::format("corrupt entry: {}", zip_file_strerror(file.get())));
            if (got == 0) throw Error(here, "truncated: the entry ends early");
            buffer += got;
            count -= static_cast<std::size_t>(got);
          }
        }};
    at::Tensor array = read_npy(bytes, here);
    // Reading to the end lets libzip compare the entry's CRC-32 with the data.
    char extra;
    if (zip_fread(file.get(), &extra, 1) != 0)
      throw Error(here, fmt::format("corrupt entry: {}", zip_file_strerror(file.get())));
    return array;
  }

 private:
  std::filesystem::path file_;
  std::unique_ptr<zip_t, ZipCloser> zip_;
  std::vector<std::string> names_;
};

}  // namespace

std::unique_ptr<ArrayStore> open_npz(const std::filesystem::path& file) {
  require_file(file, "a NumPy .npz archive");
  return std::make_unique<NpzStore>(file);
}

}  // namespace blindspot::host
