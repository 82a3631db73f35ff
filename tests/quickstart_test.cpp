// The quickstart experiment end to end: run it, then show and report its archive.
#include <doctest/doctest.h>

#include <regex>

#include "archive/archive.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::run_blindspot;

TEST_CASE("experiments/quickstart.yaml runs and its report prints train and test error") {
  INFO("the MNIST digits come from scripts/setup");
  REQUIRE(fs::exists(BLINDSPOT_SOURCE_DIR "/data/mnist/images-idx3-ubyte"));
  blindspot::test_support::TempDir tmp("quickstart");
  fs::path out = tmp.path() / "quickstart.h5";
  auto run =
      run_blindspot("run " BLINDSPOT_SOURCE_DIR "/experiments/quickstart.yaml -o " + out.string());
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  REQUIRE(fs::exists(out));

  blindspot::host::ArchiveReader archive(out);
  CHECK(archive.experiment().status == "complete");
  CHECK(archive.experiment().versions.at("blas").find("openblas") != std::string::npos);
  auto nodes = archive.nodes();
  REQUIRE(nodes.size() == 3);
  CHECK(nodes[0].name == "mnist");
  CHECK(nodes[2].name == "errors");

  auto report = run_blindspot("report " + out.string());
  INFO(report.output);
  CHECK(report.exit_code == 0);
  std::smatch train, test;
  REQUIRE(std::regex_search(report.output, train, std::regex(R"(\| train \| (\d+\.\d+)%)")));
  REQUIRE(std::regex_search(report.output, test, std::regex(R"(\| test \| (\d+\.\d+)%)")));
  // Softmax regression on MNIST digits: the paper's FC10(1e-4) has 6.7% / 7.4%.
  CHECK(std::stod(train[1]) < 12.0);
  CHECK(std::stod(test[1]) < 15.0);
  CHECK(std::stod(train[1]) > 0.5);

  // Readable without blindspot: h5dump and h5py see the same table the report printed.
  std::string values = "/nodes/errors/errors/values";
  auto dump = blindspot::test_support::run_command("h5dump -d " + values + " " + out.string());
  CHECK(dump.exit_code == 0);
  CHECK(dump.output.find("DATASPACE  SIMPLE { ( 2, 3 ) / ( 2, 3 ) }") != std::string::npos);
  auto py = blindspot::test_support::run_command(
      "/usr/bin/python3 -c \"import h5py; f = h5py.File('" + out.string() + "', 'r'); v = f['" +
      values +
      "'][:]; print('%.2f %.2f' % (100 * v[0][0], 100 * v[1][0])); "
      "print(f['experiment'].attrs['name'])\"");
  INFO(py.output);
  CHECK(py.exit_code == 0);
  CHECK(py.output == train[1].str() + " " + test[1].str() + "\nquickstart\n");

  auto show = run_blindspot("show " + out.string());
  CHECK(show.exit_code == 0);
  CHECK(show.output.find("train:  error") != std::string::npos);
  CHECK(show.output.find("model: Model: 2 tensors, 7850 weights") != std::string::npos);
}
