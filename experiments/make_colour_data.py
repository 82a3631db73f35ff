#!/usr/bin/python3
"""Makes "tinted Fashion-MNIST", a small colour data set where colour matters as much as shape.

Three garments that are easy to tell apart (Fashion-MNIST's Trouser, Sneaker and Bag) times
three tints (red, green, blue) give nine classes, label = 3 * garment + tint:

    0 trouser-red   1 trouser-green   2 trouser-blue
    3 sneaker-red   4 sneaker-green   5 sneaker-blue
    6 bag-red       7 bag-green       8 bag-blue

Each grey image becomes a 28x28x3 image grey * rgb, where rgb is its class's tint jittered per
image (the tint's channel drawn from [0.7, 1.0], the other two from [0, 0.35]), so no two images
share exact colours. Every image of the three garments in Fashion-MNIST's train file (18,000)
and test file (3,000) is used, in the files' order; each garment's images get the three tints
in equal numbers (up to one), at random. The result is a .npz in the Keras convention that the
dataset node reads with `source: npz`: x_train [N, 28, 28, 3] uint8 (NHWC), y_train [N] uint8,
x_test, y_test. The same seed gives the same file.

    /usr/bin/python3 experiments/make_colour_data.py            # data/colour-fashion.npz
    /usr/bin/python3 experiments/make_colour_data.py --out /tmp/c.npz --seed 7
"""
import argparse
import gzip
import sys
from pathlib import Path

import numpy as np

GARMENTS = (1, 7, 8)  # Fashion-MNIST labels of Trouser, Sneaker and Bag
TINTS = 3  # red, green, blue: tint t's dominant channel is channel t
DOMINANT = (0.7, 1.0)  # range of the tint's own channel
OTHERS = (0.0, 0.35)  # range of the two other channels
REPO = Path(__file__).resolve().parent.parent


def read_idx(path: Path) -> np.ndarray:
    """An IDX file of unsigned bytes (gzipped): magic 0 0 8 ndim, ndim big-endian sizes, data."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0:3] != b"\x00\x00\x08":
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def tint(grey: np.ndarray, garments: np.ndarray, rng: np.random.Generator):
    """Tinted images [N, 28, 28, 3] uint8 and their labels 3 * garment + tint [N] uint8."""
    n = len(grey)
    tints = np.empty(n, dtype=np.int64)
    for g in range(len(GARMENTS)):
        members = np.flatnonzero(garments == g)
        tints[members] = rng.permutation(np.arange(len(members)) % TINTS)
    rgb = rng.uniform(*OTHERS, size=(n, 3))
    rgb[np.arange(n), tints] = rng.uniform(*DOMINANT, size=n)
    images = grey[..., None].astype(np.float64) * rgb[:, None, None, :]
    return np.rint(images).astype(np.uint8), (3 * garments + tints).astype(np.uint8)


def split(source: Path, prefix: str, rng: np.random.Generator):
    """The tinted images and labels of the three garments in one of Fashion-MNIST's files."""
    images = read_idx(source / f"{prefix}-images-idx3-ubyte.gz")
    labels = read_idx(source / f"{prefix}-labels-idx1-ubyte.gz")
    keep = np.isin(labels, GARMENTS)
    garments = np.searchsorted(GARMENTS, labels[keep])
    return tint(images[keep], garments, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "data" / "colour-fashion.npz",
                        help="the .npz to write (default: data/colour-fashion.npz in the repo)")
    parser.add_argument("--seed", type=int, default=2014, help="seed of the tints (default 2014)")
    parser.add_argument("--source", type=Path, default=Path("/usr/share/datasets/fashion-mnist"),
                        help="folder of Fashion-MNIST's four .gz IDX files (default: Debian's)")
    args = parser.parse_args()
    if not args.source.is_dir():
        print(f"error: Fashion-MNIST not found in {args.source}; install Debian's "
              "dataset-fashion-mnist (scripts/setup does) or pass --source", file=sys.stderr)
        sys.exit(2)

    rng = np.random.default_rng(args.seed)
    partial = args.out.with_name(args.out.name + ".partial")
    try:
        x_train, y_train = split(args.source, "train", rng)
        x_test, y_test = split(args.source, "t10k", rng)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as f:  # a file object: savez would append .npz to a name
            np.savez_compressed(f, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
        partial.replace(args.out)  # so an interrupted run never leaves a truncated --out
    except (OSError, ValueError) as e:
        partial.unlink(missing_ok=True)
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    print(f"wrote {args.out}: {len(x_train)} train, {len(x_test)} test, "
          f"{len(GARMENTS) * TINTS} classes, 3x28x28")


if __name__ == "__main__":
    main()
