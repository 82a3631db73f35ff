"""What the Python tests share: the repository, the blindspot executable, the archives
they make once per run, and readers that do not go through the package (so that the tests
compare the package with an independent reading).

The executable is ``$BLINDSPOT`` (``tests/python/run.sh`` sets it), else whatever
``blindspot.find_executable()`` finds (``build/blindspot`` of this checkout); without one
the tests that need an archive are skipped.
"""

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(REPO, "tests", "python")
EXPERIMENTS = {"quickstart": os.path.join(REPO, "experiments", "quickstart.yaml"),
               "two_models": os.path.join(HERE, "two_models.yaml")}

try:
    import yaml
except ImportError:
    yaml = None

_made = {}


def executable():
    """The blindspot executable, or raise unittest.SkipTest."""
    import blindspot  # pylint: disable=import-outside-toplevel
    try:
        return blindspot.find_executable(os.environ.get("BLINDSPOT") or None)
    except blindspot.Error as error:
        raise unittest.SkipTest("no blindspot executable (%s); run tests/python/run.sh "
                                "BLINDSPOT_EXE" % error)


def scratch():
    """A temporary folder removed when the tests end."""
    folder = tempfile.mkdtemp(prefix="blindspot-python-tests-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


def archives():
    """{"quickstart": path, "two_models": path}: the two experiments run once per test
    run with ``blindspot.run`` (from the repository root, as README's commands are)."""
    if not _made:
        import blindspot  # pylint: disable=import-outside-toplevel
        exe = executable()
        folder = scratch()
        for name, experiment in EXPERIMENTS.items():
            out = os.path.join(folder, name + ".h5")
            blindspot.run(experiment, out=out, executable=exe, cwd=REPO).close()
            _made[name] = out
        _made["folder"] = folder
    return dict(_made)


def experiment_text(name):
    with open(EXPERIMENTS[name], encoding="utf-8") as handle:
        return handle.read()


def numbers(value):
    """PyYAML (YAML 1.1) leaves 1e-05 a string; blindspot reads it as a float."""
    if isinstance(value, dict):
        return {k: numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [numbers(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"[-+]?[0-9.]+[eE][-+]?[0-9]+", value):
        return float(value)
    return value


def experiment(name):
    """The experiment file parsed with PyYAML (numbers as blindspot reads them)."""
    return numbers(yaml.safe_load(experiment_text(name)))


_described = {}


def described(*plugins):
    """``blindspot plugins describe PLUGIN`` for each plugin (run side by side, once per
    test run): {plugin: (version, {parameter: default})}, maps left out (None): their
    archived value holds the component's parameters too."""
    wanted = [p for p in dict.fromkeys(plugins) if p not in _described]
    running = {p: subprocess.Popen([executable(), "plugins", "describe", p], encoding="utf-8",
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for p in wanted}
    for plugin, process in running.items():
        text, errors = process.communicate()
        if process.returncode != 0:
            raise AssertionError("plugins describe %s: %s" % (plugin, errors))
        version = re.match(r"^\S+ \(\w+, version (\S+)\)", text).group(1)
        section = text.split("\nparameters:\n", 1)[1].split("\n\n", 1)[0]
        defaults = {}
        for line in section.splitlines():
            match = re.match(r"^  (\S+)\s+(.+?)\s+default (.*?)(?:\s{2,}.*)?$", line)
            if match:
                kind, default = match.group(2), match.group(3)
                defaults[match.group(1)] = (None if kind == "map"
                                            else numbers(yaml.safe_load(default)))
        _described[plugin] = (version, defaults)
    return {p: _described[p] for p in plugins}


def data_dir():
    return os.environ.get("BLINDSPOT_DATA_DIR") or os.path.join(REPO, "data")


def read_idx(path):
    """An uncompressed IDX file of unsigned bytes (data/mnist's), read with NumPy alone."""
    with open(path, "rb") as handle:
        raw = handle.read()
    assert raw[:3] == b"\0\0\x08", "%s: not a uint8 IDX file" % path
    rank = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(shape)


def mnist_split(archive, split):
    """The images ([N, 1, 28, 28] float32, /255) and labels of a split of the archive's
    ``mnist`` node, re-read from data/mnist by the split's archived indices, with h5py."""
    import h5py  # pylint: disable=import-outside-toplevel
    images = read_idx(os.path.join(data_dir(), "mnist", "images-idx3-ubyte"))
    labels = read_idx(os.path.join(data_dir(), "mnist", "labels-idx1-ubyte"))
    with h5py.File(archive, "r") as f:
        indices = f["nodes/mnist/data/%s/indices" % split][()]
    return (images[indices][:, None].astype(np.float32) / np.float32(255),
            labels[indices].astype(np.int64))


def torch_recipe(plugin, parameters):
    """The network of a softmax or mlp node, written out as README describes it."""
    import collections  # pylint: disable=import-outside-toplevel
    import torch  # pylint: disable=import-outside-toplevel
    if plugin == "softmax":
        layers = [("flatten", torch.nn.Flatten()), ("fc", torch.nn.Linear(784, 10))]
    else:
        act = {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU,
               "tanh": torch.nn.Tanh}[parameters.get("activation", "sigmoid")]
        layers, width = [("flatten", torch.nn.Flatten())], 784
        for i, hidden in enumerate(parameters["hidden"], 1):
            layers += [("fc%d" % i, torch.nn.Linear(width, hidden)), ("act%d" % i, act())]
            width = hidden
        layers.append(("fc%d" % (len(parameters["hidden"]) + 1), torch.nn.Linear(width, 10)))
    return torch.nn.Sequential(collections.OrderedDict(layers))
