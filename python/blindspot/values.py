"""Decoding what an archive stores as attributes into plain Python values.

HDF5 hands back NumPy scalars, ``bytes`` for fixed-length strings and ``str`` for
variable-length ones; the functions here turn them into ``str``, ``int``, ``float`` and
``bool``.  They also parse the two texts a node carries: ``parameters`` (format 1: YAML
flow text as yaml-cpp writes it, ``{batch: 100, lambda: 0.0001}``; format 2: a JSON
object) and ``inputs`` (one ``PORT=NODE.PORT`` line per edge).
"""

import json
import re

import numpy as np

try:
    import yaml
except ImportError:  # parameters of format-1 archives then stay text
    yaml = None


def plain(value):
    """An attribute as a plain Python value: str for strings, int/float/bool for
    numbers, a list for a one-dimensional array (bytes decoded as UTF-8)."""
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        if value.shape == ():
            return plain(value[()])
        return [plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def text(value):
    """An attribute that should be a string, as ``str``."""
    value = plain(value)
    return value if isinstance(value, str) else str(value)


def integer(value):
    """An attribute that should be an integer (format 1 may hold it as text)."""
    value = plain(value)
    if isinstance(value, str):
        return int(value.strip())
    return int(value)


def real(value):
    """An attribute that should be a float (format 1 may hold it as text)."""
    value = plain(value)
    if isinstance(value, str):
        return float(value.strip())
    return float(value)


if yaml is not None:

    class CoreLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        """PyYAML's safe loader with YAML 1.2's core schema for scalars.

        PyYAML follows YAML 1.1, which reads yaml-cpp's ``1e+10`` (no dot) as a string,
        ``010`` as octal and ``on``/``no`` as booleans; blindspot (yaml-cpp) reads them as
        1e10, 10 and strings, and so does this loader."""

    CoreLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers
                if tag.rsplit(":", 1)[-1] not in ("bool", "int", "float", "null")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    CoreLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"))
    CoreLoader.add_implicit_resolver(
        "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
        list("-+0123456789"))
    CoreLoader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                   r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
        list("-+0123456789."))
    CoreLoader.add_implicit_resolver(
        "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])

    def _construct_int(loader, node):
        value = loader.construct_scalar(node)
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value, 10)

    def _construct_float(loader, node):
        value = loader.construct_scalar(node).lower()
        if value.endswith(".inf"):
            return float("-inf") if value.startswith("-") else float("inf")
        if value == ".nan":
            return float("nan")
        return float(value)

    def _construct_bool(loader, node):
        return loader.construct_scalar(node).lower() == "true"

    CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    CoreLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
    CoreLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def load_yaml(source):
    """YAML text (an experiment file, a format-1 parameters attribute) as Python values,
    read the way blindspot reads it; raises ImportError without PyYAML."""
    if yaml is None:
        raise ImportError("reading YAML needs PyYAML (Debian: python3-yaml)")
    return yaml.load(source, Loader=CoreLoader)  # nosec: CoreLoader is a SafeLoader


def parse_parameters(source, format_version):
    """A node's ``parameters`` attribute as a dict.

    Format 2 stores a JSON object; format 1 YAML flow text, parsed with PyYAML when it is
    installed.  Without PyYAML a format-1 text is returned unparsed, as a ``str``.  Raises
    ValueError if the text is not an object."""
    if format_version >= 2:
        value = json.loads(source)
    else:
        try:  # a format-1 text can happen to be JSON too ("{}")
            value = json.loads(source)
        except ValueError:
            if yaml is None:
                return source
            try:
                value = load_yaml(source)
            except yaml.YAMLError as error:
                raise ValueError("parameters are not YAML: %s" % " ".join(str(error).split()))
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ValueError("parameters are %s, not a mapping" % type(value).__name__)
    return value


def parse_inputs(source):
    """A node's ``inputs`` attribute (``PORT=NODE.PORT`` lines) as ``{port: [node.port]}``;
    ``PORT=`` gives an empty list.  Raises ValueError on a line without ``=``."""
    inputs = {}
    for line in source.split("\n"):
        if not line:
            continue
        port, equals, source_port = line.partition("=")
        if not equals or not port:
            raise ValueError("inputs hold the line %r; expected PORT=NODE.PORT" % line)
        sources = inputs.setdefault(port, [])
        if source_port:
            sources.append(source_port)
    return inputs
