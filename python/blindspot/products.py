"""A node's outputs (products) and how each kind is read into NumPy, pandas and torch.

Each output port of a node is an HDF5 group ``/nodes/NODE/PORT`` whose attribute ``kind``
says what it holds (docs/archive.md):

- ``Table``: ``values`` (float64 [rows, columns]), ``rows``, ``columns`` (strings),
  optionally ``formats`` (a string per column) and ``references`` (a string per cell);
  attribute ``title``.
- ``AdversarialSet``: ``original``, ``adversarial``, ``perturbation`` (float32
  [N, C, H, W]), ``labels``, ``indices``, ``target``, ``original_prediction``,
  ``prediction`` (int64 [N]), ``success`` (uint8 [N]), ``distortion`` (float32 [N]) and
  ``extra/NAME`` per-sample values.
- ``Model``: one float32 dataset per tensor of the model's state dict (``fc.weight``).
- ``Dataset``: ``SPLIT/labels`` and ``SPLIT/indices`` (the images are not archived; see
  :mod:`blindspot.data`); attributes ``source``, ``num_classes``.
- ``Arrays`` (and kinds plugins define): named datasets.

Format 2 archives attach HDF5 dimension scales: datasets named after dimensions (``N``,
``C``, ...) that carry no data of their own.  They are left out of every listing here.
"""

import collections

import h5py
import numpy as np

from . import values
from .errors import ArchiveError, PortError

#: The arrays of an AdversarialSet, in the order docs/archive.md lists them.
ADVERSARIAL_ARRAYS = ("original", "adversarial", "perturbation", "labels", "indices", "target",
                      "original_prediction", "prediction", "success", "distortion")

#: Port attributes that are numbers; format 1 stores them as text, and they are converted
#: to int so that code reads both formats alike.  Other attributes are returned as stored.
NUMERIC_ATTRIBUTES = {"num_classes": int}

# HDF5 dimension-scale bookkeeping attributes (and netCDF's), not part of the archive.
SCALE_ATTRIBUTES = frozenset(("CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST",
                              "_Netcdf4Dimid", "_Netcdf4Coordinates", "_nc3_strict"))
PURE_DIMENSION = "This is a netCDF dimension but not a netCDF variable"


def is_pure_dimension(dataset):
    """Whether a dataset is a dimension scale without a coordinate meaning (netCDF's
    "dimension but not a variable"), which holds no data worth reading."""
    try:
        if not h5py.h5ds.is_scale(dataset.id):
            return False
    except Exception:  # pylint: disable=broad-except
        return False
    name = values.plain(dataset.attrs.get("NAME", ""))
    return isinstance(name, str) and name.startswith(PURE_DIMENSION)


def read_array(dataset):
    """A dataset as a NumPy array: strings as an object array of ``str``."""
    if h5py.check_string_dtype(dataset.dtype) is not None:
        data = dataset.asstr()[()]
        return data if isinstance(data, np.ndarray) else np.array(data, dtype=object)
    return dataset[()]


def read_strings(dataset):
    """A dataset of strings as a list of ``str`` (bytes decoded as UTF-8)."""
    return [values.text(v) for v in np.asarray(read_array(dataset)).reshape(-1).tolist()]


def data_items(group, prefix=""):
    """(name, dataset) of every dataset under ``group``, sub-groups joined with "/",
    leaving out pure dimension scales."""
    items = []
    for name, item in group.items():
        if isinstance(item, h5py.Group):
            items.extend(data_items(item, prefix + name + "/"))
        elif isinstance(item, h5py.Dataset) and not is_pure_dimension(item):
            items.append((prefix + name, item))
    return items


class Product:
    """One output of a node: ``/nodes/NODE/PORT``.

    ``name`` is the port, ``kind`` its product kind, ``attrs`` its attributes (bookkeeping
    attributes of dimension scales left out; ``kind`` left out too), ``node`` the node."""

    def __init__(self, node, name, group):
        self.node = node
        self.name = name
        self.group = group
        self.path = group.name
        attrs = {}
        fmt = node.archive.format_version
        for key, value in group.attrs.items():
            if key in SCALE_ATTRIBUTES:
                continue
            value = values.plain(value)
            if key in NUMERIC_ATTRIBUTES and fmt < 2 and isinstance(value, str):
                try:
                    value = NUMERIC_ATTRIBUTES[key](value)
                except ValueError:
                    pass
            attrs[key] = value
        self.kind = values.text(attrs.pop("kind", ""))
        self.attrs = attrs

    def __repr__(self):
        return "<blindspot.Product %s.%s (%s)>" % (self.node.name, self.name, self.kind)

    def _fail(self, message):
        return ArchiveError(self.node.archive.path,
                            "node '%s', port '%s': %s" % (self.node.name, self.name, message))

    def _expect(self, kind):
        if self.kind != kind:
            raise PortError("port '%s' of node '%s' is a %s, not a %s"
                            % (self.name, self.node.name, self.kind or "product of no kind", kind))

    def _dataset(self, name):
        item = self.group.get(name)
        if not isinstance(item, h5py.Dataset):
            raise self._fail("no dataset '%s'" % name)
        return item

    def keys(self):
        """Names of the port's arrays ("extra/c" for one in a sub-group)."""
        return [name for name, _ in data_items(self.group)]

    def arrays(self):
        """Every array of the port as ``{name: numpy array}`` (sub-groups joined with "/",
        strings as object arrays of ``str``), whatever its kind."""
        return {name: read_array(dataset) for name, dataset in data_items(self.group)}

    def table(self, pandas=None):
        """A Table as a pandas DataFrame: index = the row names, columns = the column names,
        float64 values; ``df.attrs`` holds ``title``, ``formats`` ({column: format} or {}),
        ``references`` (a DataFrame of strings, "" where none, or None) and
        ``reference_source`` (or None).

        Without pandas (or with ``pandas=False``) a dict instead::

            {"rows": [str] * R, "columns": [str] * C,
             "values": numpy float64 array [R, C],
             "title": str, "formats": [str] * C or None,
             "references": numpy object array of str [R, C] or None,
             "reference_source": str or None}
        """
        self._expect("Table")
        rows = read_strings(self._dataset("rows"))
        columns = read_strings(self._dataset("columns"))
        data = np.asarray(self._dataset("values")[()], dtype=np.float64)
        if data.size == 0:
            data = data.reshape(len(rows), len(columns))
        if data.shape != (len(rows), len(columns)):
            raise self._fail("values of shape %s for %d rows and %d columns"
                             % (list(data.shape), len(rows), len(columns)))
        formats = read_strings(self.group["formats"]) if "formats" in self.group else None
        references = None
        if "references" in self.group:
            references = np.array(read_strings(self.group["references"]), dtype=object)
            references = references.reshape(len(rows), len(columns))
        result = {"rows": rows, "columns": columns, "values": data,
                  "title": values.text(self.attrs.get("title", "")), "formats": formats,
                  "references": references,
                  "reference_source": self.attrs.get("reference_source")}
        if pandas is False:
            return result
        try:
            import pandas as pd  # pylint: disable=import-outside-toplevel
        except ImportError:
            if pandas:
                raise
            return result
        frame = pd.DataFrame(data, index=pd.Index(rows, dtype=object),
                             columns=pd.Index(columns, dtype=object))
        frame.attrs["title"] = result["title"]
        frame.attrs["formats"] = dict(zip(columns, formats)) if formats else {}
        frame.attrs["references"] = (None if references is None else
                                     pd.DataFrame(references, index=frame.index,
                                                  columns=frame.columns))
        frame.attrs["reference_source"] = result["reference_source"]
        return frame

    def adversarial(self):
        """An AdversarialSet as ``{name: numpy array}``: the arrays of
        :data:`ADVERSARIAL_ARRAYS` under their archive names (``success`` as bool), every
        other array of the group under its own name, and each ``extra/NAME`` as ``NAME``
        (as ``extra/NAME`` if that name is taken)."""
        self._expect("AdversarialSet")
        result = {}
        for name in ADVERSARIAL_ARRAYS:
            if name not in self.group:
                raise self._fail("no dataset '%s'" % name)
            result[name] = read_array(self._dataset(name))
        result["success"] = result["success"].astype(bool)
        extras = []
        for name, dataset in data_items(self.group):
            if name in result:
                continue
            if name.startswith("extra/"):
                extras.append((name, dataset))
            else:
                result[name] = read_array(dataset)
        for name, dataset in extras:
            short = name[len("extra/"):]
            result[short if short not in result else name] = read_array(dataset)
        return result

    def weights(self):
        """A Model's tensors as ``collections.OrderedDict`` of NumPy arrays, named as
        archived (``fc.weight``), in the archive's (alphabetical) order."""
        self._expect("Model")
        return collections.OrderedDict(
            (name, np.array(read_array(dataset))) for name, dataset in data_items(self.group))

    def state_dict(self):
        """A Model as a ``collections.OrderedDict`` of torch tensors named as archived
        (the model's parameter names, ``fc.weight``): ready for ``load_state_dict``."""
        try:
            import torch  # pylint: disable=import-outside-toplevel
        except ImportError as error:
            raise ImportError("state_dict() needs PyTorch (Debian: python3-torch); "
                              "weights() gives NumPy arrays") from error
        return collections.OrderedDict(
            (name, torch.from_numpy(np.ascontiguousarray(array)))
            for name, array in self.weights().items())

    def dataset(self):
        """A Dataset as ``{split: {"labels": int64 [N], "indices": int64 [N]}}``; the
        indices are rows of the source's files (images are re-read by
        :func:`blindspot.data.images`)."""
        self._expect("Dataset")
        splits = {}
        for split, group in self.group.items():
            if isinstance(group, h5py.Group):
                splits[split] = {name: read_array(dataset)
                                 for name, dataset in data_items(group)}
        return splits
