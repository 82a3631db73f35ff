"""Tests of the blindspot Python package (python/blindspot) on archives it makes itself.

Run from the repository root:  tests/python/run.sh build/blindspot
(PYTHONPATH=python BLINDSPOT=build/blindspot /usr/bin/python3 -m unittest discover -s
tests/python -v).  The module runs experiments/quickstart.yaml and tests/python/two_models.yaml
once (fixtures.archives()) and checks what the package reads against independent
expectations: the YAML files, `blindspot plugins describe`, the MNIST files read with NumPy,
and recomputations in NumPy and PyTorch.  Tests that need PyTorch, pandas, PyYAML or xarray
are skipped without them.
"""

import collections
import os
import re
import shutil
import stat
import subprocess
import sys
import unittest

import h5py
import numpy as np

import blindspot
import fixtures

try:
    import torch
except ImportError:
    torch = None
try:
    import pandas
except ImportError:
    pandas = None
try:
    import xarray
    import h5netcdf  # noqa: F401  pylint: disable=unused-import
except ImportError:
    xarray = None

PATHS = {}
OPEN = {}


def setUpModule():  # pylint: disable=invalid-name
    PATHS.update(fixtures.archives())
    for name in fixtures.EXPERIMENTS:
        OPEN[name] = blindspot.open(PATHS[name])


def tearDownModule():  # pylint: disable=invalid-name
    for archive in OPEN.values():
        archive.close()


def needs_yaml(test):
    return unittest.skipUnless(fixtures.yaml, "needs PyYAML (python3-yaml)")(test)


def needs_torch(test):
    return unittest.skipUnless(torch, "needs PyTorch (python3-torch)")(test)


class ExperimentTest(unittest.TestCase):
    """/experiment's attributes against the experiment files."""

    def test_seed_and_name_as_the_yaml_says(self):
        for name, archive in OPEN.items():
            text = fixtures.experiment_text(name)
            seed = int(re.search(r"^seed:\s*(\d+)\s*$", text, re.MULTILINE).group(1))
            exp_name = re.search(r"^experiment:\s*(\S+)\s*$", text, re.MULTILINE).group(1)
            self.assertEqual(archive.seed, seed)
            self.assertIsInstance(archive.seed, int)
            self.assertEqual(archive.name, exp_name)
            self.assertEqual(archive.yaml, text)

    def test_run_facts(self):
        for archive in OPEN.values():
            self.assertEqual(archive.status, "complete")
            iso = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"
            self.assertRegex(archive.started, iso)
            self.assertRegex(archive.finished, iso)
            self.assertLessEqual(archive.started, archive.finished)
            self.assertIsInstance(archive.threads, int)
            self.assertGreaterEqual(archive.threads, 1)
            self.assertRegex(archive.yaml_hash, r"^[0-9a-f]+$")
            self.assertTrue(archive.host)
            self.assertIn(archive.format_version, (1, 2))
            for key in ("blindspot", "git_commit", "libtorch", "blas", "blas_kernels"):
                self.assertIsInstance(archive.versions[key], str)
                self.assertTrue(archive.versions[key], key)
            self.assertNotIn("version_blindspot", archive.versions)

    def test_mapping_of_nodes(self):
        archive = OPEN["quickstart"]
        self.assertEqual(list(archive), ["mnist", "fc10", "errors", "attack"])
        self.assertEqual(len(archive), 4)
        self.assertIn("errors", archive)
        self.assertIs(archive["errors"], archive.nodes["errors"])
        with self.assertRaises(blindspot.NoSuchNode) as caught:
            archive["eror"]  # pylint: disable=pointless-statement
        self.assertIsInstance(caught.exception, KeyError)
        self.assertIn("no node 'eror'", str(caught.exception))
        self.assertIn(PATHS["quickstart"], str(caught.exception))


class NodeTest(unittest.TestCase):
    """Each node's attributes against the experiment files and `plugins describe`."""

    @needs_yaml
    def test_nodes_plugins_and_order(self):
        for name, archive in OPEN.items():
            declared = fixtures.experiment(name)["nodes"]
            self.assertEqual(set(archive.nodes), set(declared))
            for position, node in enumerate(archive.nodes.values()):
                self.assertEqual(node.order, position)
                self.assertEqual(node.plugin, declared[node.name]["plugin"])
                self.assertEqual(node.status, "complete")
                self.assertIsInstance(node.seed, int)
                self.assertIsInstance(node.duration, float)
                self.assertGreaterEqual(node.duration, 0)
                self.assertRegex(node.key, r"^[0-9a-f]+$")

    @needs_yaml
    def test_inputs_are_the_yaml_edges(self):
        for name, archive in OPEN.items():
            declared = fixtures.experiment(name)["nodes"]
            seen = []
            for node in archive.nodes.values():
                edges = declared[node.name].get("inputs", {})
                self.assertEqual(sorted(node.inputs), sorted(edges), node.name)
                for port, sources in node.inputs.items():
                    wanted = edges[port] if isinstance(edges[port], list) else [edges[port]]
                    self.assertEqual([s.split(".")[0] for s in sources], wanted)
                    for source in sources:
                        upstream, out_port = source.split(".")
                        self.assertIn(upstream, seen, "inputs come from earlier nodes")
                        self.assertIn(out_port, archive[upstream].ports)
                seen.append(node.name)

    @needs_yaml
    def test_parameters_are_the_yaml_values_and_defaults(self):
        for name, archive in OPEN.items():
            declared = fixtures.experiment(name)["nodes"]
            plugins = fixtures.described(*[node.plugin for node in archive.nodes.values()])
            for node in archive.nodes.values():
                given = declared[node.name].get("with", {})
                version, defaults = plugins[node.plugin]
                self.assertEqual(node.plugin_version, version, node.name)
                self.assertEqual(set(node.parameters), set(defaults), node.name)
                for key, default in defaults.items():
                    if key in given:
                        self.assertEqual(node.parameters[key], given[key], (node.name, key))
                    elif default is not None:
                        self.assertEqual(node.parameters[key], default, (node.name, key))
                    else:
                        self.assertIsInstance(node.parameters[key], dict)

    def test_parameters_types(self):
        mlp = OPEN["two_models"]["fc100-100-10"].parameters
        self.assertEqual(mlp["hidden"], [100, 100])
        self.assertEqual(mlp["lambdas"], [1e-05, 1e-05, 1e-06])
        self.assertIs(type(mlp["epochs"]), int)
        self.assertIs(type(mlp["learning_rate"]), float)
        self.assertEqual(mlp["activation"], "sigmoid")
        attack = OPEN["quickstart"]["attack"].parameters
        self.assertEqual(attack["optimiser"]["plugin"], "projected_lbfgs")
        self.assertIsInstance(attack["optimiser"]["factr"], float)  # yaml-cpp's 1e+10
        self.assertIs(attack["warm_start"], True)
        self.assertEqual(OPEN["quickstart"]["mnist"].parameters["path"], "")

    def test_ports(self):
        archive = OPEN["quickstart"]
        kinds = {name: {port: product.kind for port, product in node.ports.items()}
                 for name, node in archive.nodes.items()}
        self.assertEqual(kinds, {"mnist": {"data": "Dataset"},
                                 "fc10": {"curve": "Table", "model": "Model"},
                                 "errors": {"errors": "Table"},
                                 "attack": {"adversarial": "AdversarialSet"}})
        self.assertEqual(archive["fc10"].ports["model"].attrs["num_classes"], 10)
        self.assertEqual(archive["mnist"].ports["data"].attrs,
                         {"num_classes": 10, "source": "mnist"})

    def test_port_choice_errors(self):
        fc10 = OPEN["quickstart"]["fc10"]
        with self.assertRaisesRegex(blindspot.PortError, r"no AdversarialSet port; its ports: "
                                    r"curve \(Table\), model \(Model\)"):
            fc10.adversarial()
        with self.assertRaisesRegex(blindspot.PortError, "no port 'weights'"):
            fc10.state_dict(port="weights")
        with self.assertRaisesRegex(blindspot.PortError, "is a Model, not a Table"):
            fc10.table(port="model")
        copy = os.path.join(fixtures.scratch(), "two_tables.h5")
        shutil.copyfile(PATHS["quickstart"], copy)
        with h5py.File(copy, "r+") as f:
            f.copy("nodes/fc10/curve", "nodes/fc10/curve2")
        with blindspot.open(copy) as archive:
            with self.assertRaisesRegex(blindspot.PortError,
                                        r"2 Table ports \(curve, curve2\); pass port="):
                archive["fc10"].table()
            curve = archive["fc10"].table(port="curve2", pandas=False)
            self.assertEqual(len(curve["rows"]), 20)  # quickstart.yaml's epochs


class TableTest(unittest.TestCase):
    """Tables: their layout, and error rates recomputed from the weights and the data."""

    def test_dict_form(self):
        table = OPEN["quickstart"]["errors"].table(pandas=False)
        self.assertEqual(sorted(table), ["columns", "formats", "reference_source", "references",
                                         "rows", "title", "values"])
        self.assertEqual(table["rows"], ["train", "test"])
        self.assertEqual(table["columns"], ["error", "wrong", "count"])
        self.assertEqual(table["formats"], ["percent", "count", "count"])
        self.assertEqual(table["title"], "Error rates")
        self.assertEqual(table["values"].dtype, np.float64)
        self.assertEqual(table["values"].shape, (2, 3))
        counts = table["values"][:, 2]
        self.assertEqual(counts.tolist(), [5000, 5000])  # quickstart.yaml's train and test
        np.testing.assert_allclose(table["values"][:, 0], table["values"][:, 1] / counts)

    @unittest.skipUnless(pandas, "needs pandas")
    def test_dataframe(self):
        frame = OPEN["quickstart"]["errors"].table()
        self.assertIsInstance(frame, pandas.DataFrame)
        self.assertEqual(list(frame.index), ["train", "test"])
        self.assertEqual(list(frame.columns), ["error", "wrong", "count"])
        self.assertEqual(frame.attrs["title"], "Error rates")
        self.assertEqual(frame.attrs["formats"]["error"], "percent")
        plain = OPEN["quickstart"]["errors"].table(pandas=False)
        np.testing.assert_array_equal(frame.to_numpy(), plain["values"])

    @needs_yaml
    def test_training_curve_has_a_row_per_epoch(self):
        declared = fixtures.experiment("two_models")["nodes"]
        for name in ("fc10-1e-4", "fc100-100-10"):
            curve = OPEN["two_models"][name].table(port="curve", pandas=False)
            epochs = declared[name]["with"]["epochs"]
            self.assertEqual(curve["rows"], [str(i) for i in range(1, epochs + 1)])
            self.assertEqual(curve["columns"], ["loss", "error"])

    @needs_torch
    def test_error_rates_equal_a_recomputation(self):
        for name, pairs in (("quickstart", [("errors", "fc10")]),
                            ("two_models", [("errors-fc10-1e-4", "fc10-1e-4"),
                                            ("errors-fc100-100-10", "fc100-100-10")])):
            archive = OPEN[name]
            for errors_node, model_node in pairs:
                net = fixtures.torch_recipe(archive[model_node].plugin,
                                            archive[model_node].parameters)
                net.load_state_dict(archive[model_node].state_dict())
                table = archive[errors_node].table(pandas=False)
                for row, split in enumerate(table["rows"]):
                    images, labels = fixtures.mnist_split(PATHS[name], split)
                    with torch.no_grad():
                        predicted = net(torch.from_numpy(images)).argmax(1).numpy()
                    wrong = int((predicted != labels).sum())
                    error = 1 - np.mean(predicted == labels)
                    self.assertEqual(table["values"][row].tolist(),
                                     [table["values"][row, 0], wrong, len(labels)],
                                     (errors_node, split))
                    self.assertAlmostEqual(table["values"][row, 0], error, places=12)


class AdversarialTest(unittest.TestCase):
    """AdversarialSets: the dict's keys and the relations between its arrays."""

    def sets(self):
        return [OPEN["quickstart"]["attack"].adversarial(),
                OPEN["two_models"]["attack-fc100-100-10"].adversarial()]

    def test_keys_and_types(self):
        for adv in self.sets():
            self.assertEqual(set(adv), set(blindspot.products.ADVERSARIAL_ARRAYS)
                             | {"c", "iterations", "evaluations", "solves"})
            n = len(adv["labels"])
            for key in ("original", "adversarial", "perturbation"):
                self.assertEqual(adv[key].dtype, np.float32)
                self.assertEqual(adv[key].shape, (n, 1, 28, 28))
            for key in ("labels", "indices", "target", "prediction", "original_prediction"):
                self.assertEqual(adv[key].dtype, np.int64)
                self.assertEqual(adv[key].shape, (n,))
            self.assertEqual(adv["success"].dtype, np.bool_)
            self.assertEqual(adv["distortion"].dtype, np.float32)

    @needs_yaml
    def test_the_samples_asked_for(self):
        node = OPEN["two_models"]["attack-fc100-100-10"]
        adv = node.adversarial()
        given = fixtures.experiment("two_models")["nodes"]["attack-fc100-100-10"]["with"]
        self.assertEqual(len(adv["labels"]), given["count"])
        test = OPEN["two_models"]["mnist"].dataset()[given["split"]]
        np.testing.assert_array_equal(adv["indices"], test["indices"][:given["count"]])
        np.testing.assert_array_equal(adv["labels"], test["labels"][:given["count"]])
        images, _ = fixtures.mnist_split(PATHS["two_models"], given["split"])
        np.testing.assert_array_equal(adv["original"], images[:given["count"]])

    def test_success_means_fooled(self):
        for adv in self.sets():
            ok = adv["success"]
            self.assertGreater(ok.sum(), 0)
            self.assertTrue(np.all(adv["prediction"][ok] != adv["labels"][ok]))
            self.assertTrue(np.all(adv["prediction"][ok] == adv["target"][ok]))  # random targets
            self.assertTrue(np.all(adv["target"] != adv["labels"]))
            # samples misclassified before the attack are never successes
            self.assertFalse(np.any(ok & (adv["original_prediction"] != adv["labels"])))

    def test_distortion_is_the_rms_of_the_perturbation(self):
        for adv in self.sets():
            difference = adv["adversarial"].astype(np.float64) - adv["original"]
            rms = np.sqrt((difference ** 2).reshape(len(difference), -1).mean(axis=1))
            np.testing.assert_allclose(adv["distortion"], rms, rtol=0, atol=1e-5)
            np.testing.assert_allclose(adv["perturbation"], difference, rtol=0, atol=1e-6)
            self.assertTrue(np.all((adv["adversarial"] >= 0) & (adv["adversarial"] <= 1)))

    @needs_torch
    def test_state_dict_round_trip(self):
        for name, model, attack in (("quickstart", "fc10", "attack"),
                                    ("two_models", "fc100-100-10", "attack-fc100-100-10")):
            node = OPEN[name][model]
            state = node.state_dict()
            self.assertIsInstance(state, collections.OrderedDict)
            net = fixtures.torch_recipe(node.plugin, node.parameters)
            self.assertEqual(sorted(state), sorted(net.state_dict()))
            net.load_state_dict(state)  # strict: every name and shape matches
            adv = OPEN[name][attack].adversarial()
            with torch.no_grad():
                original = net(torch.from_numpy(adv["original"])).argmax(1).numpy()
                fooled = net(torch.from_numpy(adv["adversarial"])).argmax(1).numpy()
            np.testing.assert_array_equal(original, adv["original_prediction"])
            np.testing.assert_array_equal(fooled[adv["success"]],
                                          adv["prediction"][adv["success"]])

    @needs_torch
    def test_package_models_equal_the_written_recipe(self):
        for name, model in (("quickstart", "fc10"), ("two_models", "fc100-100-10"),
                            ("two_models", "fc10-1e-4")):
            node = OPEN[name][model]
            net = node.model()
            recipe = fixtures.torch_recipe(node.plugin, node.parameters)
            self.assertEqual(str(net), str(recipe))
            images, _ = fixtures.mnist_split(PATHS[name], "test")
            recipe.load_state_dict(node.state_dict())
            with torch.no_grad():
                self.assertTrue(torch.equal(net(torch.from_numpy(images)),
                                            recipe(torch.from_numpy(images))))

    def test_weights_without_torch(self):
        weights = OPEN["quickstart"]["fc10"].weights()
        self.assertEqual(list(weights), ["fc.bias", "fc.weight"])
        self.assertEqual(weights["fc.weight"].shape, (10, 784))
        self.assertEqual(weights["fc.weight"].dtype, np.float32)


class DatasetTest(unittest.TestCase):
    """The Dataset port (labels and indices) and images re-read from the source."""

    def test_splits(self):
        data = OPEN["two_models"]["mnist"].dataset()
        self.assertEqual(sorted(data), ["test", "train"])
        self.assertEqual(len(data["train"]["labels"]), 1000)
        self.assertEqual(len(data["test"]["indices"]), 500)
        self.assertFalse(set(data["train"]["indices"]) & set(data["test"]["indices"]))

    @needs_yaml
    def test_images_equal_the_files(self):
        node = OPEN["two_models"]["mnist"]
        for split in ("train", "test"):
            images, labels = fixtures.mnist_split(PATHS["two_models"], split)
            np.testing.assert_array_equal(node.images(split), images)
            np.testing.assert_array_equal(node.dataset()[split]["labels"], labels)
        with self.assertRaisesRegex(blindspot.Error, "no split 'p1'"):
            node.images("p1")

    def test_arrays_generic(self):
        arrays = OPEN["two_models"]["mnist"].arrays()
        self.assertEqual(sorted(arrays), ["test/indices", "test/labels", "train/indices",
                                          "train/labels"])
        curve = OPEN["two_models"]["fc10-1e-4"].arrays("curve")
        self.assertEqual(list(curve["columns"]), ["loss", "error"])


class RunTest(unittest.TestCase):
    """blindspot.run: exit codes become exceptions carrying blindspot's message."""

    def setUp(self):
        self.folder = fixtures.scratch()
        self.exe = fixtures.executable()

    def test_unknown_plugin_is_bad_input(self):
        bad = os.path.join(self.folder, "typo.yaml")
        with open(bad, "w", encoding="utf-8") as handle:
            handle.write("experiment: typo\nseed: 1\nnodes:\n  mnist: {plugin: dataset}\n"
                         "  fc10: {plugin: sofmax, inputs: {data: mnist}}\n")
        out = os.path.join(self.folder, "typo.h5")
        with self.assertRaises(blindspot.BadInput) as caught:
            blindspot.run(bad, out=out, executable=self.exe)
        error = caught.exception
        self.assertIsInstance(error, blindspot.Error)
        self.assertEqual(error.returncode, 2)
        self.assertIn(bad, error.message)
        self.assertIn("sofmax", error.message)
        self.assertEqual(len(error.lines), 1)
        self.assertEqual(str(error), error.message)
        self.assertFalse(os.path.exists(out))

    def fake(self, code, message):
        """A stand-in executable that prints `message` (its first line, for a negative
        `code`) on stderr and exits with `code`, or is killed by signal -`code`."""
        path = os.path.join(self.folder, "fake-%d" % code)
        end = "exit %d" % code if code >= 0 else "kill -%d $$" % -code
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("#!/bin/sh\necho 'running'\necho '%s' >&2\n%s\n"
                         % (message.split("\n")[0], end))
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    def test_exit_codes(self):
        cases = [(1, blindspot.RunFailed, "blindspot: x.h5.partial: no space left on device"),
                 (2, blindspot.BadInput, "blindspot: exp.yaml: cannot read experiment file"),
                 (130, blindspot.Interrupted, "interrupted; kept mnist in x.h5.partial"),
                 (3, blindspot.RunFailed, "blindspot: something else"),
                 (-11, blindspot.RunFailed,
                  "blindspot: reading\nblindspot run exp.yaml was killed by SIGSEGV"),
                 (-15, blindspot.Interrupted,
                  "blindspot: reading\nblindspot run exp.yaml was killed by SIGTERM")]
        for code, kind, message in cases:
            with self.assertRaises(kind) as caught:
                blindspot.run("exp.yaml", out="x.h5", executable=self.fake(code, message))
            self.assertEqual(caught.exception.message, message)
            self.assertEqual(caught.exception.returncode, code)
            self.assertEqual(caught.exception.stdout, "running\n")
        self.assertTrue(issubclass(blindspot.Interrupted, blindspot.RunFailed))
        self.assertFalse(issubclass(blindspot.BadInput, blindspot.RunFailed))

    def test_missing_experiment_file(self):
        missing = os.path.join(self.folder, "absent.yaml")
        with self.assertRaisesRegex(blindspot.BadInput, re.escape(missing)):
            blindspot.run(missing, out=os.path.join(self.folder, "a.h5"), executable=self.exe)

    def test_no_executable(self):
        with self.assertRaisesRegex(blindspot.Error, "no blindspot executable"):
            blindspot.run("exp.yaml", executable=os.path.join(self.folder, "absent"))

    def test_threads_and_resume(self):
        out = os.path.join(self.folder, "two.h5")
        with blindspot.run(fixtures.EXPERIMENTS["two_models"], out=out, threads=1,
                           executable=self.exe, cwd=fixtures.REPO) as archive:
            self.assertEqual(archive.threads, 1)
            self.assertEqual(archive.ranks, 1)  # no mpirun: one rank, recorded
            self.assertIn("ranks", archive.attrs)
            self.assertEqual(archive.path, out)
            keys = {name: node.key for name, node in archive.nodes.items()}
            weights = archive["fc10-1e-4"].weights()
        with blindspot.run(fixtures.EXPERIMENTS["two_models"], out=out, threads=1, resume=True,
                           executable=self.exe, cwd=fixtures.REPO) as again:
            self.assertEqual({name: node.key for name, node in again.nodes.items()}, keys)
            for name, tensor in again["fc10-1e-4"].weights().items():
                np.testing.assert_array_equal(tensor, weights[name])

    def test_default_output_name(self):
        """Without out=, the archive is where blindspot says it wrote it (a stand-in
        executable copies the quickstart archive there, as `run` without -o would)."""
        folder = os.path.join(self.folder, "default")
        os.mkdir(folder)
        fake = os.path.join(self.folder, "fake-default")
        with open(fake, "w", encoding="utf-8") as handle:
            handle.write("#!/bin/sh\n[ \"$1 $2\" = \"run t.yaml\" ] && [ $# = 2 ] || exit 9\n"
                         "cp '%s' quick.h5 && echo 'archive written: quick.h5'\n"
                         % PATHS["quickstart"])
        os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
        with blindspot.run("t.yaml", executable=fake, cwd=folder) as archive:
            self.assertEqual(archive.path, os.path.join(folder, "quick.h5"))
            self.assertEqual(archive.name, "quickstart")


class OpenTest(unittest.TestCase):
    """What is not an archive, or not one this package can read, is one clear error."""

    def setUp(self):
        self.folder = fixtures.scratch()

    def assert_one_line(self, error, path):
        message = str(error)
        self.assertTrue(message.startswith(path + ": "), message)
        self.assertNotIn("\n", message)

    def test_missing_file(self):
        path = os.path.join(self.folder, "absent.h5")
        with self.assertRaises(blindspot.ArchiveError) as caught:
            blindspot.open(path)
        self.assert_one_line(caught.exception, path)
        self.assertIn("no such file", str(caught.exception))
        self.assertEqual(caught.exception.path, path)

    def test_text_file(self):
        path = os.path.join(self.folder, "notes.h5")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("not an archive\n")
        with self.assertRaises(blindspot.ArchiveError) as caught:
            blindspot.open(path)
        self.assert_one_line(caught.exception, path)
        self.assertIn("not an HDF5 file", str(caught.exception))

    def test_hdf5_that_is_not_an_archive(self):
        path = os.path.join(self.folder, "other.h5")
        with h5py.File(path, "w") as f:
            f["x"] = np.arange(3)
        with self.assertRaisesRegex(blindspot.ArchiveError, "no /experiment group") as caught:
            blindspot.open(path)
        self.assert_one_line(caught.exception, path)

    def test_newer_format(self):
        path = os.path.join(self.folder, "future.h5")
        shutil.copyfile(PATHS["quickstart"], path)
        with h5py.File(path, "r+") as f:
            f["experiment"].attrs["format_version"] = np.int64(blindspot.FORMAT_VERSION + 1)
        with self.assertRaises(blindspot.NewerFormat) as caught:
            blindspot.open(path)
        self.assertIsInstance(caught.exception, blindspot.ArchiveError)
        self.assert_one_line(caught.exception, path)
        self.assertIn("written by a newer blindspot", str(caught.exception))

    def test_damaged_node(self):
        path = os.path.join(self.folder, "damaged.h5")
        shutil.copyfile(PATHS["quickstart"], path)
        with h5py.File(path, "r+") as f:
            f["nodes/fc10"].attrs["inputs"] = "no equals sign"
        with self.assertRaisesRegex(blindspot.ArchiveError, r"node 'fc10': inputs hold"):
            blindspot.open(path)

    def test_context_manager_closes(self):
        with blindspot.open(PATHS["quickstart"]) as archive:
            self.assertTrue(archive.h5.id.valid)
        self.assertFalse(archive.h5.id.valid)

    def test_partial_archive_while_running(self):
        """An archive whose run is still going: status "running", finished ""."""
        path = os.path.join(self.folder, "running.h5.partial")
        shutil.copyfile(PATHS["quickstart"], path)
        with h5py.File(path, "r+") as f:
            f["experiment"].attrs["status"] = "running"
            f["experiment"].attrs["finished"] = ""
            del f["nodes/attack"]
        with blindspot.open(path) as archive:
            self.assertEqual((archive.status, archive.finished), ("running", ""))
            self.assertEqual(list(archive), ["mnist", "fc10", "errors"])


class WithoutOptionalModulesTest(unittest.TestCase):
    """With only h5py and NumPy (pandas, torch and PyYAML hidden), the package still reads."""

    def test_fallbacks(self):
        code = (
            "import sys\n"
            "for name in ('pandas', 'torch', 'yaml'): sys.modules[name] = None\n"
            "import blindspot\n"
            "a = blindspot.open(sys.argv[1])\n"
            "t = a['errors'].table()\n"
            "print(type(t).__name__, sorted(t), t['values'].shape)\n"
            "print(type(a['fc10'].parameters).__name__)\n"
            "print(sorted(a['fc10'].weights()))\n"
            "try:\n"
            "    a['fc10'].state_dict()\n"
            "except ImportError as e:\n"
            "    print('ImportError', e)\n")
        env = dict(os.environ, PYTHONPATH=os.path.join(fixtures.REPO, "python"))
        out = subprocess.run([sys.executable, "-c", code, PATHS["quickstart"]], env=env,
                             capture_output=True, encoding="utf-8", check=True).stdout
        lines = out.splitlines()
        self.assertEqual(lines[0], "dict ['columns', 'formats', 'reference_source', "
                                   "'references', 'rows', 'title', 'values'] (2, 3)")
        if OPEN["quickstart"].format_version < 2:
            self.assertEqual(lines[1], "str")  # format-1 parameters stay text without PyYAML
        else:
            self.assertEqual(lines[1], "dict")
        self.assertEqual(lines[2], "['fc.bias', 'fc.weight']")
        self.assertRegex(lines[3], r"^ImportError state_dict\(\) needs PyTorch")


class Format2Test(unittest.TestCase):
    """Format 2 as blindspot writes it: numbers as numbers, named dimensions."""

    def setUp(self):
        self.archive = OPEN["quickstart"]
        self.assertEqual(self.archive.format_version, 2)

    @unittest.skipUnless(xarray, "needs xarray and h5netcdf")
    def test_xarray_dimensions(self):
        with xarray.open_dataset(PATHS["quickstart"], engine="h5netcdf",
                                 group="nodes/attack/adversarial") as ds:
            n = len(self.archive["attack"].adversarial()["labels"])
            self.assertEqual(dict(ds.sizes), {"N": n, "C": 1, "H": 28, "W": 28})
            self.assertEqual(ds["original"].dims, ("N", "C", "H", "W"))
            self.assertEqual(ds["distortion"].dims, ("N",))

    def test_every_attribute_is_a_number_or_str(self):
        skip = blindspot.products.SCALE_ATTRIBUTES
        numeric = (int, float, np.integer, np.floating)
        for path in PATHS["quickstart"], PATHS["two_models"]:
            found = []
            with h5py.File(path, "r") as f:
                def visit(name, item, found=found):
                    for key, value in item.attrs.items():
                        if key not in skip and not isinstance(value, (str,) + numeric):
                            found.append("%s@%s: %r" % (name, key, value))
                f.visititems(visit)
                for key, value in f["nodes/mnist/data"].attrs.items():
                    if key == "num_classes":
                        self.assertIsInstance(value, numeric)
            self.assertEqual(found, [], path)


@unittest.skipUnless(shutil.which("pip3", path="/usr/bin"), "needs pip (python3-pip)")
class InstallTest(unittest.TestCase):
    """`pip install ./python` works offline, and the installed copy reads an archive."""

    def test_pip_install_offline(self):
        target = os.path.join(fixtures.scratch(), "site")
        subprocess.run(["/usr/bin/pip3", "install", "--quiet", "--no-build-isolation",
                        "--no-deps", "--no-index", "--target", target,
                        os.path.join(fixtures.REPO, "python")],
                       check=True, capture_output=True, cwd=fixtures.scratch())
        code = ("import blindspot, sys; a = blindspot.open(sys.argv[1]); "
                "print(blindspot.__file__); print(a.name, a['attack'].plugin)")
        out = subprocess.run([sys.executable, "-c", code, PATHS["quickstart"]], check=True,
                             capture_output=True, text=True, cwd=fixtures.scratch(),
                             env=dict(os.environ, PYTHONPATH=target)).stdout.splitlines()
        self.assertTrue(out[0].startswith(target), out[0])
        self.assertEqual(out[1], "quickstart szegedy")


if __name__ == "__main__":
    unittest.main()
