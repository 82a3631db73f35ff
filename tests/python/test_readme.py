"""README's Python examples run as they are written, on archives made by this test run.

Every ```python block after a ``<!-- snippet:python-package -->`` marker in README.md runs with
/usr/bin/python3 (this interpreter) in a fresh folder holding:

- results/quickstart.h5: a symlink to the quickstart archive fixtures.archives() made;
- results/table1.h5: a symlink to the two_models archive, whose nodes are named as Table 1's
  (mnist, fc100-100-10, errors-fc100-100-10, ...): the snippets about Table 1 run in seconds;
- experiments/ and tests/: symlinks to the repository's, for blindspot.run;

and its output is checked with the regular expressions of EXPECTED, one list per snippet in
the order README has them.
The plain-h5py snippet (after ``<!-- snippet:python -->``) is run too; tests/docs/check.sh
checks it on README.md for ctest's docs_python.
"""

import os
import re
import subprocess
import sys
import unittest

import fixtures

README = os.path.join(fixtures.REPO, "README.md")
PACKAGE_MARKER = "<!-- snippet:python-package -->"
H5PY_MARKER = "<!-- snippet:python -->"

# One list of patterns per snippet; each must match a whole line of the snippet's output.
EXPECTED = [
    [r"quickstart seed 2014 written by blindspot \S+",
     r"mnist dataset \{\} \d+\.\d s",
     r"fc10 softmax \{'data': \['mnist\.data'\]\} \d+\.\d s",
     r"errors evaluate \{'data': \['mnist\.data'\], 'model': \['fc10\.model'\]\} "
     r"\d+\.\d s",
     r"attack szegedy \{'data': \['mnist\.data'\], 'model': \['fc10\.model'\]\} \d+\.\d s",
     r"\{'adversarial': \{'batch': 500, [^{}]*'plugin': 'fgsm', [^{}]*\}, 'batch': 100, "
     r"'epochs': 20, 'lambda': 0\.0001, 'learning_rate': 0\.1, 'momentum': 0\.9, "
     r"'pool_every': 100, 'pool_mix': 0\.0, 'pool_replace': 0\.1, 'pool_size': 1000, "
     r"'split': 'train'\}"],
    [r"\s+error\s+wrong\s+count",
     r"train\s+0\.\d+\s+\d+\.0\s+5000\.0",
     r"test\s+0\.\d+\s+\d+\.0\s+5000\.0",
     r"test error \d+\.\d\d%",
     r"[1-9]\d* of 500 fooled; mean distortion 0\.\d{4}",
     r"distortion = RMS of the perturbation: True"],
    [r"same predictions as blindspot: True",
     r"the adversarial images fool it: True"],
    [r"FC100-100-10 \(sigmoid\): test error (\d+\.\d\d)%, blindspot's \1%"],
    [r"complete \['mnist', 'fc10', 'errors', 'attack'\]",
     r"bad input: tests/bad_input/unknown_plugin\.yaml:8:13: node 'fc10': unknown plugin "
     r"'sofmax'; did you mean 'softmax'\?"],
]
# What tests/docs/check.sh expects of the plain-h5py snippet.
EXPECTED_H5PY = [r"quickstart seed 2014", r"attack szegedy [0-9.]* s",
                 r"test error [0-9]+\.[0-9]{2}%",
                 r"[1-9][0-9]* fooled; mean distortion 0\.[0-9]{4}"]


def snippets(path, marker):
    """The ```python blocks that follow `marker` (the first such block after each)."""
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    blocks, armed, block = [], False, None
    for line in lines:
        if block is not None:
            if line.startswith("```"):
                blocks.append("\n".join(block) + "\n")
                block, armed = None, False
            else:
                block.append(line)
        elif line.strip() == marker:
            armed = True
        elif armed and line.startswith("```python"):
            block = []
    return blocks


class Snippets:
    """Runs the snippets of `source` (a mixin: README.md or the proposal)."""

    source = None

    @classmethod
    def setUpClass(cls):
        cls.paths = fixtures.archives()
        cls.exe = fixtures.executable()

    def folder(self):
        folder = fixtures.scratch()
        os.mkdir(os.path.join(folder, "results"))
        os.symlink(self.paths["quickstart"], os.path.join(folder, "results", "quickstart.h5"))
        os.symlink(self.paths["two_models"], os.path.join(folder, "results", "table1.h5"))
        for name in ("experiments", "tests"):
            os.symlink(os.path.join(fixtures.REPO, name), os.path.join(folder, name))
        return folder

    def run_snippet(self, code, patterns):
        folder = self.folder()
        with open(os.path.join(folder, "snippet.py"), "w", encoding="utf-8") as handle:
            handle.write(code)
        env = dict(os.environ, BLINDSPOT=self.exe,
                   PYTHONPATH=os.pathsep.join(filter(None, [
                       os.path.join(fixtures.REPO, "python"), os.environ.get("PYTHONPATH")])))
        result = subprocess.run([sys.executable, "snippet.py"], cwd=folder, env=env,
                                capture_output=True, encoding="utf-8", timeout=300, check=False)
        output = result.stdout
        self.assertEqual(result.returncode, 0,
                         "the snippet failed:\n%s\n%s" % (code, result.stderr))
        for pattern in patterns:
            self.assertRegex(output, re.compile("^" + pattern + "$", re.MULTILINE),
                             "output of\n%s" % code)
        return folder

    def check_package_snippets(self, blocks):
        self.assertEqual(len(blocks), len(EXPECTED),
                         "%s has %d snippets after %s; test_readme.EXPECTED has %d"
                         % (self.source, len(blocks), PACKAGE_MARKER, len(EXPECTED)))
        for number, (code, patterns) in enumerate(zip(blocks, EXPECTED), 1):
            with self.subTest(snippet=number):
                folder = self.run_snippet(code, patterns)
                if "blindspot.run(" in code:  # it replaced the symlink, not the archive
                    written = os.path.join(folder, "results", "quickstart.h5")
                    self.assertFalse(os.path.islink(written))
                    self.assertTrue(os.path.isfile(self.paths["quickstart"]))

    def check_h5py_snippet(self, blocks):
        self.assertTrue(blocks, "%s has no snippet after %s" % (self.source, H5PY_MARKER))
        self.run_snippet(blocks[0], EXPECTED_H5PY)


class ReadmeTest(Snippets, unittest.TestCase):
    """README.md's snippets."""

    source = README

    def test_package_snippets(self):
        blocks = snippets(README, PACKAGE_MARKER)
        self.assertTrue(blocks, "README.md has no %s snippets" % PACKAGE_MARKER)
        self.check_package_snippets(blocks)

    def test_h5py_snippet(self):
        self.check_h5py_snippet(snippets(README, H5PY_MARKER))


if __name__ == "__main__":
    unittest.main()
