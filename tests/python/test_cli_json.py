"""The --json answers of blindspot carry everything its text shows.

For every plugin, `plugins describe NAME`'s text is rebuilt from `plugins describe NAME --json`
(the formatting of Schema::describe() in framework/src/sdk/schema.cpp, redone here), and `show
--json` on a quickstart archive holds the nodes in order with the parameters the experiment gave.
Runs $BLINDSPOT (default build/blindspot).
"""

import ctypes
import json
import math
import os
import shutil
import subprocess
import tempfile
import unittest

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLINDSPOT = os.environ.get("BLINDSPOT", os.path.join(REPO, "build", "blindspot"))
QUICKSTART = os.path.join(REPO, "experiments", "quickstart.yaml")

_libc = ctypes.CDLL(None)
_libc.strtod.restype = ctypes.c_double
_libc.strtod.argtypes = [ctypes.c_char_p, ctypes.c_void_p]

_tmp = None
_archive = None


def blindspot(*args):
    """Runs blindspot; returns its stdout, failing the test with its stderr if it fails."""
    done = subprocess.run([BLINDSPOT, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError("blindspot %s: exit %d\n%s" % (" ".join(args), done.returncode,
                                                            done.stderr))
    return done.stdout


def setUpModule():
    global _tmp, _archive
    _tmp = tempfile.mkdtemp(prefix="blindspot-cli-json-")
    _archive = os.path.join(_tmp, "quickstart.h5")
    out = blindspot("run", QUICKSTART, "-o", _archive, "--quiet")
    if out:
        raise AssertionError("run --quiet printed on stdout: %r" % out)


def tearDownModule():
    shutil.rmtree(_tmp, ignore_errors=True)


def real_text(value):
    """Value::to_yaml() of a float: the shortest %g text that reads back, with a '.' or an
    exponent."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    for precision in range(1, 18):
        text = "%.*g" % (precision, value)
        if float(text) == value:
            break
    if not any(c in text for c in ".eEn"):
        text += ".0"
    return text


def string_text(text):
    """Value::to_yaml() of a string: plain unless YAML would read it as something else."""
    plain = (text != "" and not any(c in ":#,[]{}&*!|>'\"%@`\n" for c in text)
             and text[0] != " " and text[-1] != " "
             and text not in ("true", "false", "null", "~")
             and _libc.strtod(text.encode("utf-8"), None) == 0.0
             and not "0" <= text[0] <= "9" and text[0] not in "-.")
    if plain:
        return text
    out = '"'
    for c in text:
        if c in '"\\':
            out += "\\"
        if c == "\n":
            out += "\\n"
            continue
        out += c
    return out + '"'


def to_yaml(value):
    """Value::to_yaml(): canonical YAML flow text, map keys in byte order."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return real_text(value)
    if isinstance(value, str):
        return string_text(value)
    if isinstance(value, list):
        return "[" + ", ".join(to_yaml(v) for v in value) + "]"
    keys = sorted(value, key=lambda k: k.encode("utf-8"))
    return "{" + ", ".join(string_text(k) + ": " + to_yaml(value[k]) for k in keys) + "}"


def range_text(p):
    """range_text() of schema.cpp: "[0, 1]", "(0, 1]", ">= 1", "> 0", "<= 5" or ""."""
    def bound(v):
        return str(int(v)) if math.floor(v) == v and abs(v) < 1e15 else "%g" % v
    low, high = p["min"], p["max"]
    if low is not None and high is not None:
        return "%s%s, %s]" % ("(" if p["min_exclusive"] else "[", bound(low), bound(high))
    if low is not None:
        return "%s %s" % (">" if p["min_exclusive"] else ">=", bound(low))
    if high is not None:
        return "<= %s" % bound(high)
    return ""


def describe_text(schema):
    """What `blindspot plugins describe NAME` prints, from its --json schema."""
    out = "%s (%s, version %s)\n%s\n" % (schema["name"], schema["kind"], schema["version"],
                                         schema["doc"])
    out += "\nparameters:\n" if schema["parameters"] else "\nparameters: none\n"
    for p in schema["parameters"]:
        kind = "list of " + p["element_type"] if p["type"] == "list" else p["type"]
        constraint = "one of " + ", ".join(p["choices"]) if p["choices"] else range_text(p)
        default = "(required)" if p["required"] else to_yaml(p["default"])
        line = "  {:<16} {:<16} default {:<12}  {}{}".format(
            p["name"], kind, default, constraint,
            "" if p["affects_results"] else "  (does not affect results)")
        if p["names_file"]:
            line += "  (its contents are part of the cache key)"
        out += line.rstrip(" ") + "\n      " + p["doc"] + "\n"
    for title in ("inputs", "outputs"):
        ports = schema[title]
        out += "\n%s:\n" % title if ports else "\n%s: none\n" % title
        for port in ports:
            kind = "list of " + port["kind"] if port["many"] else port["kind"]
            doc = "(optional) " + port["doc"] if port["optional"] else port["doc"]
            out += "  {:<16} {:<16} {}\n".format(port["name"], kind, doc)
    if schema["provides"]:
        out += "\nprovides (for an experiment's `reproduces:`):\n"
    for table in schema["provides"]:
        out += "  {:<16} {}\n".format(table["id"], table["title"])
    if schema["reproduce_tolerance"] > 0:
        out += "\nreproducible within %g\n" % schema["reproduce_tolerance"]
    if schema["across_ranks"]:
        out += "\nruns across the ranks of an MPI run, each doing a share\n"
    return out


class DescribeJsonTest(unittest.TestCase):
    def test_every_plugin_describes_the_same_in_text_and_json(self):
        listed = json.loads(blindspot("plugins", "--json"))
        names = [p["name"] for p in listed["plugins"]]
        self.assertIn("szegedy", names)
        for name in names:
            with self.subTest(plugin=name):
                answer = blindspot("plugins", "describe", name, "--json")
                self.assertTrue(answer.startswith('{\n  "'), "pretty printed, indent 2")
                self.assertTrue(answer.endswith("}\n"), "one trailing newline")
                schema = json.loads(answer)
                self.assertEqual(schema["name"], name)
                self.assertEqual(describe_text(schema), blindspot("plugins", "describe", name))


class ShowJsonTest(unittest.TestCase):
    def test_nodes_in_order_with_the_experiments_parameters(self):
        with open(QUICKSTART, encoding="utf-8") as f:
            declared = yaml.safe_load(f)
        shown = json.loads(blindspot("show", _archive, "--json"))
        self.assertEqual(shown["experiment"]["name"], "quickstart")
        self.assertEqual(shown["experiment"]["seed"], declared["seed"])
        self.assertEqual(shown["experiment"]["status"], "complete")
        self.assertIn("libtorch", shown["experiment"]["versions"])
        self.assertEqual([n["name"] for n in shown["nodes"]], list(declared["nodes"]))
        for node in shown["nodes"]:
            with self.subTest(node=node["name"]):
                decl = declared["nodes"][node["name"]]
                self.assertEqual(node["plugin"], decl["plugin"])
                self.assertEqual(node["status"], "complete")
                for key, value in decl.get("with", {}).items():
                    self.assertEqual(node["parameters"][key], value, key)
                    self.assertIs(type(node["parameters"][key]), type(value), key)
                self.assertTrue(node["products"])
                for port, product in node["products"].items():
                    self.assertIsInstance(product["kind"], str, port)
                    self.assertTrue(product["summary"], port)
                    self.assertIsInstance(product["details"], list, port)
        attack = shown["nodes"][-1]
        self.assertEqual(attack["inputs"], {"model": ["fc10.model"], "data": ["mnist.data"]})


if __name__ == "__main__":
    unittest.main()
