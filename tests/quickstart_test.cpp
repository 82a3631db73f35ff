// The quickstart experiment end to end: run it, then show and report its archive.
#include <doctest/doctest.h>

#include <regex>

#include "archive/archive.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::test_support::run_blindspot;

TEST_CASE("experiments/quickstart.yaml runs and its report prints Table 1's first row") {
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
  CHECK(archive.experiment().versions.at("blas_kernels") != "unknown");
  auto nodes = archive.nodes();
  REQUIRE(nodes.size() == 4);
  CHECK(nodes[0].name == "mnist");
  CHECK(nodes[2].name == "errors");
  CHECK(nodes[3].name == "attack");

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

  // The attack, read with h5py: every digit FC10 classifies correctly is fooled (the paper's
  // 100%), and the report's Table 1 row holds the errors above and the successes' mean
  // distortion, each beside the paper's number.
  auto attack = blindspot::test_support::run_command(
      "/usr/bin/python3 -c \"import h5py; s = h5py.File('" + out.string() +
      "', 'r')['nodes/attack/adversarial']; ok = s['success'][:] == 1; "
      "right = s['original_prediction'][:] == s['labels'][:]; "
      "print(ok.sum(), (right & ~ok).sum(), '%.4f' % "
      "s['distortion'][:][ok].astype('float64').mean())\"");
  INFO(attack.output);
  REQUIRE(attack.exit_code == 0);
  std::smatch facts;
  REQUIRE(std::regex_search(attack.output, facts, std::regex(R"((\d+) (\d+) (0\.\d{4}))")));
  CHECK(std::stoi(facts[1]) > 400);
  CHECK(facts[2] == "0");  // no correctly classified digit left unfooled
  CHECK(report.output.find("| FC10(1e-4) | " + train[1].str() + "% (6.7%) | " + test[1].str() +
                           "% (7.4%) | " + facts[3].str() + " (0.062) |") != std::string::npos);

  auto show = run_blindspot("show " + out.string());
  CHECK(show.exit_code == 0);
  CHECK(show.output.find("train:  error") != std::string::npos);
  CHECK(show.output.find("model: Model: 2 tensors, 7850 weights") != std::string::npos);
}
