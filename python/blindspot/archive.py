"""Opening an archive: the experiment's attributes and its nodes.

``blindspot.open(path)`` returns an :class:`Archive`; ``archive.nodes`` holds a
:class:`Node` per ``/nodes/NAME`` group, in the order the run computed them.
The HDF5 file stays open (read-only) until ``close()`` or the end of a ``with`` block;
products are read when asked for.
"""

import os

import h5py

from . import values
from .errors import ArchiveError, NewerFormat, NoSuchNode, PortError
from .products import Product

#: The newest archive format this package reads.  Format 1 has no ``format_version``.
FORMAT_VERSION = 2


def open(path):  # pylint: disable=redefined-builtin
    """Opens the archive at ``path`` (an ``.h5`` or ``.h5.partial`` file); see
    :class:`Archive`.  Raises :class:`blindspot.ArchiveError` naming the file when it is
    missing, unreadable, not HDF5 or not a blindspot archive, and
    :class:`blindspot.NewerFormat` when a newer blindspot wrote it."""
    return Archive(path)


def _open_file(path):
    if not os.path.exists(path):
        raise ArchiveError(path, "no such file")
    if os.path.isdir(path):
        raise ArchiveError(path, "a folder, not an archive")
    if not os.access(path, os.R_OK):
        raise ArchiveError(path, "cannot read it (permission denied)")
    try:
        if not h5py.is_hdf5(path):
            raise ArchiveError(path, "not a blindspot archive: not an HDF5 file")
    except OSError as error:
        raise ArchiveError(path, "cannot read it: %s" % error) from None
    try:
        return h5py.File(path, "r")
    except OSError as first:
        # A run holding the .partial open locks it (HDF5 1.10+); reading it is safe: every
        # finished node is flushed and a half-written one is not linked yet.
        try:
            return h5py.File(path, "r", locking=False)
        except (OSError, TypeError, ValueError):
            raise ArchiveError(path, "cannot open it as HDF5: %s"
                               % " ".join(str(first).split())) from None


class Archive:
    """An open archive.

    Attributes, from ``/experiment``: ``name``, ``yaml`` (the experiment file's text),
    ``yaml_hash``, ``seed`` (int), ``started``, ``finished`` (ISO 8601 UTC; "" while the
    run is going), ``status`` ("running" or "complete"), ``host``, ``threads`` (int,
    per rank), ``ranks`` (MPI ranks; 1 for archives without the attribute), ``versions``
    (``{"blindspot": "0.1.0", "git_commit": ..., "libtorch": ...}`` from the
    ``version_*`` attributes), ``format_version`` (1 for archives without the attribute),
    ``attrs`` (every attribute of ``/experiment``, decoded).  ``path`` is the file and
    ``h5`` the open ``h5py.File``.

    ``nodes`` is ``{name: Node}`` in the run's order; ``archive[name]`` is one node,
    ``name in archive``, ``len(archive)`` and iterating over node names work too."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self.h5 = _open_file(self.path)
        try:
            self._read()
        except BaseException:
            self.h5.close()
            raise

    def _fail(self, message):
        return ArchiveError(self.path, message)

    def _read(self):
        experiment = self.h5.get("experiment")
        if not isinstance(experiment, h5py.Group):
            raise self._fail("not a blindspot archive: it has no /experiment group")
        self.attrs = {key: values.plain(value) for key, value in experiment.attrs.items()}
        fmt = self.attrs.get("format_version", 1)
        try:
            self.format_version = values.integer(fmt)
        except (TypeError, ValueError):
            raise self._fail("format_version %r is not a number" % (fmt,)) from None
        if self.format_version > FORMAT_VERSION:
            raise NewerFormat(self.path, self.format_version, FORMAT_VERSION)
        if self.format_version < 1:
            raise self._fail("format_version %d; expected 1 to %d"
                             % (self.format_version, FORMAT_VERSION))
        try:
            self.name = values.text(self.attrs["name"])
            self.yaml = values.text(self.attrs.get("yaml", ""))
            self.yaml_hash = values.text(self.attrs.get("yaml_hash", ""))
            self.seed = values.integer(self.attrs["seed"])
            self.started = values.text(self.attrs.get("started", ""))
            self.finished = values.text(self.attrs.get("finished", ""))
            self.status = values.text(self.attrs.get("status", ""))
            self.host = values.text(self.attrs.get("host", ""))
            self.threads = values.integer(self.attrs.get("threads", 0))
            self.ranks = values.integer(self.attrs.get("ranks", 1))
        except KeyError as error:
            raise self._fail("/experiment has no attribute %s" % error) from None
        except (TypeError, ValueError) as error:
            raise self._fail("/experiment: %s" % error) from None
        self.versions = {key[len("version_"):]: values.text(value)
                         for key, value in self.attrs.items() if key.startswith("version_")}
        nodes = self.h5.get("nodes")
        if nodes is None:
            nodes_list = []
        elif not isinstance(nodes, h5py.Group):
            raise self._fail("/nodes is not a group")
        else:
            nodes_list = [Node(self, name, group) for name, group in nodes.items()
                          if isinstance(group, h5py.Group)]
        nodes_list.sort(key=lambda node: (node.order is None, node.order, node.name))
        self.nodes = {node.name: node for node in nodes_list}

    def __getitem__(self, name):
        try:
            return self.nodes[name]
        except KeyError:
            raise NoSuchNode("%s: no node '%s'; it holds %s"
                             % (self.path, name, ", ".join(self.nodes) or "no nodes")) from None

    def __contains__(self, name):
        return name in self.nodes

    def __iter__(self):
        return iter(self.nodes)

    def __len__(self):
        return len(self.nodes)

    def close(self):
        """Closes the HDF5 file; products can no longer be read."""
        self.h5.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<blindspot.Archive %r: %s, %d nodes, format %d>" % (
            self.path, getattr(self, "name", "?"), len(getattr(self, "nodes", {})),
            getattr(self, "format_version", 0))


class Node:
    """One node of the run: ``/nodes/NAME``.

    Attributes: ``name``, ``plugin``, ``plugin_version``, ``parameters`` (a dict: every
    parameter the node ran with, defaults included; a ``str`` for a format-1 archive read
    without PyYAML), ``parameters_text`` (as archived), ``key``, ``status``, ``seed`` (int),
    ``duration`` (float seconds), ``order`` (int, its place in the run; None if not
    recorded), ``inputs`` (``{port: ["node.port", ...]}``, ``[]`` for a list port connected
    to nothing; None in archives written before edges were recorded), ``attrs`` (every
    attribute, decoded) and ``ports`` (``{port: Product}``)."""

    def __init__(self, archive, name, group):
        self.archive = archive
        self.name = name
        self.group = group
        self.attrs = {key: values.plain(value) for key, value in group.attrs.items()}
        try:
            self.plugin = values.text(self.attrs["plugin"])
            self.plugin_version = values.text(self.attrs.get("plugin_version", ""))
            self.parameters_text = values.text(self.attrs.get("parameters", "{}"))
            self.key = values.text(self.attrs.get("key", ""))
            self.status = values.text(self.attrs.get("status", ""))
            self.seed = values.integer(self.attrs.get("seed", 0))
            self.duration = values.real(self.attrs.get("duration", 0.0))
            self.order = (values.integer(self.attrs["order"]) if "order" in self.attrs
                          else None)
        except KeyError as error:
            raise self._fail("no attribute %s" % error) from None
        except (TypeError, ValueError) as error:
            raise self._fail(str(error)) from None
        try:
            self.parameters = values.parse_parameters(self.parameters_text,
                                                      archive.format_version)
        except ValueError as error:
            raise self._fail(str(error)) from None
        self.inputs = None
        if "inputs" in self.attrs:
            try:
                self.inputs = values.parse_inputs(values.text(self.attrs["inputs"]))
            except ValueError as error:
                raise self._fail(str(error)) from None
        self._ports = None

    def _fail(self, message):
        return ArchiveError(self.archive.path, "node '%s': %s" % (self.name, message))

    def __repr__(self):
        return "<blindspot.Node %s (%s)>" % (self.name, self.plugin)

    @property
    def ports(self):
        """``{port: Product}``, one per output port (read when first asked for)."""
        if self._ports is None:
            self._ports = {name: Product(self, name, group)
                           for name, group in self.group.items()
                           if isinstance(group, h5py.Group)}
        return self._ports

    def product(self, kind=None, port=None):
        """The product at ``port``; without ``port``, the node's only port of ``kind``
        (any kind when None).  Raises :class:`blindspot.PortError` when the port is absent,
        of another kind, or when several ports fit (naming them)."""
        ports = self.ports
        if port is not None:
            if port not in ports:
                raise PortError("node '%s' has no port '%s'; its ports: %s"
                                % (self.name, port, self._describe(ports.values())))
            return ports[port]
        fitting = [p for p in ports.values() if kind is None or p.kind == kind]
        if len(fitting) == 1:
            return fitting[0]
        what = "port" if kind is None else "%s port" % kind
        if not fitting:
            raise PortError("node '%s' (%s) has no %s; its ports: %s"
                            % (self.name, self.plugin, what, self._describe(ports.values())))
        raise PortError("node '%s' has %d %ss (%s); pass port= one of them"
                        % (self.name, len(fitting), what, ", ".join(p.name for p in fitting)))

    @staticmethod
    def _describe(products):
        products = list(products)
        if not products:
            return "none"
        return ", ".join("%s (%s)" % (p.name, p.kind) for p in products)

    def table(self, port=None, pandas=None):
        """The Table at ``port`` (default: the node's only Table) as a pandas DataFrame, or
        the dict described in :meth:`blindspot.products.Product.table` without pandas."""
        return self.product("Table", port).table(pandas=pandas)

    def adversarial(self, port=None):
        """The AdversarialSet at ``port`` (default: the only one) as a dict of NumPy
        arrays; see :meth:`blindspot.products.Product.adversarial`."""
        return self.product("AdversarialSet", port).adversarial()

    def state_dict(self, port=None):
        """The Model at ``port`` (default: the only one) as an OrderedDict of torch
        tensors named as archived."""
        return self.product("Model", port).state_dict()

    def weights(self, port=None):
        """The Model's tensors as NumPy arrays (no torch needed)."""
        return self.product("Model", port).weights()

    def dataset(self, port=None):
        """The Dataset's splits: ``{split: {"labels": ..., "indices": ...}}``."""
        return self.product("Dataset", port).dataset()

    def arrays(self, port=None):
        """Every array of a port as ``{name: numpy array}``, whatever its kind.  Without
        ``port``: the node's only Arrays port, else its only port."""
        if port is None:
            arrays_ports = [p for p in self.ports.values() if p.kind == "Arrays"]
            if len(arrays_ports) == 1:
                return arrays_ports[0].arrays()
        return self.product(None, port).arrays()

    def images(self, split, port=None, data_dir=None, cwd=None):
        """The images of a Dataset's split, re-read from the source's files: float32
        [N, C, H, W] in [0, 1]; see :func:`blindspot.data.images`."""
        from . import data  # pylint: disable=import-outside-toplevel
        return data.images(self, split, port=port, data_dir=data_dir, cwd=cwd)

    def model(self, port=None):
        """The Model as a ``torch.nn.Sequential`` with its weights loaded, in eval mode;
        see :func:`blindspot.models.sequential`."""
        from . import models  # pylint: disable=import-outside-toplevel
        return models.sequential(self, port=port)
