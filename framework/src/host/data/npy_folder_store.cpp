// The arrays of a folder of .npy files, one array a file.
#include <algorithm>

#include "data/array_store.hpp"
#include "data/npy.hpp"
#include "data/path_kind.hpp"

namespace blindspot::host {
namespace {

/// A folder of NAME.npy files.
class NpyFolderStore final : public ArrayStore {
 public:
  explicit NpyFolderStore(std::filesystem::path folder) : folder_(std::move(folder)) {}

  bool has(const std::string& name) const override {
    std::error_code ec;
    return std::filesystem::is_regular_file(file_of(name), ec);
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder_, ec))
      if (entry.path().extension() == ".npy" && out.size() < 20)
        out.push_back(entry.path().stem().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  at::Tensor read(const std::string& name) const override { return read_npy_file(file_of(name)); }
  std::string where(const std::string& name) const override { return file_of(name).string(); }
  std::vector<std::filesystem::path> files(const std::vector<std::string>& names) const override {
    std::vector<std::filesystem::path> out;
    for (const std::string& name : names) out.push_back(file_of(name));
    return out;
  }

 private:
  std::filesystem::path file_of(const std::string& name) const { return folder_ / (name + ".npy"); }

  std::filesystem::path folder_;
};

}  // namespace

std::unique_ptr<ArrayStore> open_npy_folder(const std::filesystem::path& folder) {
  require_folder(folder, "a folder of .npy files");
  return std::make_unique<NpyFolderStore>(folder);
}

}  // namespace blindspot::host
