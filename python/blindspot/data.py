"""Re-reading a Dataset's images, which the archive does not store.

A Dataset product keeps each split's ``labels`` and ``indices``: the rows of the source's
files the split took (after the node's seeded shuffle).  :func:`images` reads the files the
dataset node read (its ``source``, ``path``, array names and ``layout`` parameters), takes
those rows and converts them as blindspot does: float32 ``[N, C, H, W]``, uint8 divided by
255.  It checks the labels it reads against the archived ones, so changed data is an error
rather than a silent mismatch.

Where the files are: ``source: mnist`` reads ``DATA_DIR/mnist`` (``data_dir``, else
``$BLINDSPOT_DATA_DIR``, else the repository's ``data/`` when this package runs from a
checkout, else ``./data``); ``fashion-mnist`` reads ``/usr/share/datasets/fashion-mnist``;
a relative ``path`` (``idx``, ``npz``, ``npy``, ``hdf5``) is taken from ``cwd`` (default:
the current folder), as blindspot took it from the folder it ran in.
"""

import gzip
import os

import numpy as np

from .errors import Error

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
SPLIT_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
POOL_FILES = ("images-idx3-ubyte", "labels-idx1-ubyte")
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def repository_root():
    """The checkout this package runs from (the folder holding ``python/blindspot``), or
    None when it is installed elsewhere."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    if os.path.basename(os.path.dirname(here)) == "python" and os.path.isfile(
            os.path.join(root, "CMakeLists.txt")):
        return root
    return None


def default_data_dir():
    """``$BLINDSPOT_DATA_DIR``, else the repository's ``data/`` (this package running from
    a checkout), else ``data/`` in the current folder if it holds ``mnist/``, else None."""
    env = os.environ.get("BLINDSPOT_DATA_DIR")
    if env:
        return env
    root = repository_root()
    if root:
        return os.path.join(root, "data")
    return "data" if os.path.isdir(os.path.join("data", "mnist")) else None


def read_idx(path):
    """An IDX file (plain or ``.gz``) as a NumPy array of its type and shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise Error("%s: not an IDX file" % path)
    rank = raw[3]
    header = 4 + 4 * rank
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    count = int(np.prod(shape, dtype=np.int64))
    if len(raw) < header + count * dtype.itemsize:
        raise Error("%s: shorter than its header says (%s)" % (path, "x".join(map(str, shape))))
    array = np.frombuffer(raw, dtype=dtype, count=count, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def _find(folder, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    return None


def _idx_pieces(folder):
    """{"train": (images, labels), "test": ...} or {"pool": ...} of an IDX folder."""
    if not os.path.isdir(folder):
        raise Error("%s: no such folder (the dataset's IDX files)" % folder)
    found = [_find(folder, name) for name in SPLIT_FILES]
    if all(found):
        return {"train": (found[0], found[1]), "test": (found[2], found[3])}
    found = [_find(folder, name) for name in POOL_FILES]
    if all(found):
        return {"pool": (found[0], found[1])}
    raise Error("%s: expected IDX files %s or %s" % (folder, ", ".join(SPLIT_FILES),
                                                     ", ".join(POOL_FILES)))


def _to_nchw(images, layout, where):
    if layout == "auto":
        layout = "nhw" if images.ndim == 3 else "nhwc"
    rank = 3 if layout == "nhw" else 4
    if images.ndim != rank:
        raise Error("%s: images of %d dimensions for layout %s" % (where, images.ndim, layout))
    if layout == "nhw":
        return images[:, None]
    if layout == "nhwc":
        return images.transpose(0, 3, 1, 2)
    return images


class _ArrayStore:
    """Named arrays of a .npz file, a folder of .npy files or an HDF5 file."""

    def __init__(self, source, path):
        self.source = source
        self.path = path
        if source == "npz":
            self._npz = np.load(path, allow_pickle=False)
            self.names = list(self._npz.files)
        elif source == "npy":
            self.names = [f[:-4] for f in sorted(os.listdir(path)) if f.endswith(".npy")]
        else:
            import h5py  # pylint: disable=import-outside-toplevel
            self._h5 = h5py.File(path, "r")
            self.names = []
            self._h5.visititems(lambda name, item: self.names.append("/" + name)
                                if isinstance(item, h5py.Dataset) else None)

    def has(self, name):
        if self.source == "hdf5":
            return ("/" + name.lstrip("/")) in self.names
        return name in self.names

    def read(self, name):
        if self.source == "npz":
            return self._npz[name]
        if self.source == "npy":
            return np.load(os.path.join(self.path, name + ".npy"), allow_pickle=False)
        return self._h5["/" + name.lstrip("/")][()]


def _array_pieces(source, path, params):
    store = _ArrayStore(source, path)
    names = [params.get(k, "") for k in ("images", "labels", "test_images", "test_labels")]
    if not names[0]:
        if store.has("x_train"):
            names = ["x_train", "y_train", "x_test", "y_test"]
        else:
            names = ["x", "y", "", ""]
    layout = params.get("layout", "auto")
    pieces = {}
    for split, (image_name, label_name) in (("train", names[:2]), ("test", names[2:])):
        if image_name and store.has(image_name):
            images = _to_nchw(store.read(image_name), layout, "%s:%s" % (path, image_name))
            pieces[split] = (images, store.read(label_name).reshape(-1))
    if "test" not in pieces:
        pieces = {"pool": pieces["train"]}
    return pieces


def _load_pieces(path):
    return {name: (read_idx(images)[:, None], read_idx(labels))
            for name, (images, labels) in _idx_pieces(path).items()}


def images(node, split, port=None, data_dir=None, cwd=None, check_labels=True):
    """The images of ``split`` ("train", "test", "p1", "p2") of the dataset ``node``:
    float32 [N, C, H, W] in [0, 1], row i being the image of the archived ``labels[i]``.

    Raises :class:`blindspot.Error` when the source's files are missing, the source kind
    is unknown, or (``check_labels``) the labels read differ from the archived ones."""
    product = node.product("Dataset", port)
    splits = product.dataset()
    if split not in splits:
        raise Error("node '%s' has no split '%s'; it has %s"
                    % (node.name, split, ", ".join(splits)))
    params = node.parameters
    if not isinstance(params, dict):
        raise Error("node '%s': reading its parameters needs PyYAML (python3-yaml)" % node.name)
    source = params.get("source", "mnist")
    base = cwd if cwd is not None else os.getcwd()
    path = params.get("path", "") or ""
    if path and not os.path.isabs(path):
        path = os.path.join(base, path)
    if source == "mnist":
        folder = data_dir or default_data_dir()
        if not folder:
            raise Error("node '%s': where are the MNIST digits? pass data_dir= or set "
                        "BLINDSPOT_DATA_DIR" % node.name)
        pieces = _load_pieces(os.path.join(folder, "mnist"))
    elif source == "fashion-mnist":
        pieces = _load_pieces(FASHION_MNIST_DIR)
    elif source == "idx":
        pieces = _load_pieces(path)
    elif source in ("npz", "npy", "hdf5"):
        if not os.path.exists(path):
            raise Error("%s: no such file (node '%s' read its arrays from it)" % (path, node.name))
        pieces = _array_pieces(source, path, params)
    else:
        raise Error("node '%s': cannot re-read images of source '%s'" % (node.name, source))
    if "pool" in pieces:
        raw_images, raw_labels = pieces["pool"]
    else:
        raw_images, raw_labels = pieces["test" if split == "test" else "train"]
    indices = np.asarray(splits[split]["indices"], dtype=np.int64)
    if indices.size and (indices.min() < 0 or indices.max() >= len(raw_images)):
        raise Error("node '%s': split '%s' takes rows up to %d, but the source holds %d images"
                    % (node.name, split, indices.max(), len(raw_images)))
    chosen = raw_images[indices]
    result = (chosen.astype(np.float32) / np.float32(255) if chosen.dtype == np.uint8
              else chosen.astype(np.float32))
    if check_labels:
        labels = np.asarray(raw_labels).reshape(-1)[indices].astype(np.int64)
        if not np.array_equal(labels, splits[split]["labels"]):
            raise Error("node '%s': the labels of split '%s' read from %s differ from the "
                        "archived ones; the data changed since the run"
                        % (node.name, split, source if not path else path))
    return np.ascontiguousarray(result)
