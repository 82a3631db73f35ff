#!/usr/bin/python3
"""Writes CIFAR-10 from torchvision as a .npz that the dataset node reads with `source: npz`.

The file holds the Keras convention: x_train [50000, 32, 32, 3] and x_test [10000, 32, 32, 3]
uint8 (NHWC, as torchvision keeps them), y_train and y_test [N] uint8 (labels 0..9). Needs
Debian's python3-torchvision and the CIFAR-10 archive in --root; --download fetches it there
(about 170 MB) on a machine with network access.

    /usr/bin/python3 experiments/export_cifar10.py   # ~/.cache/cifar10 -> data/cifar10.npz

and then, in an experiment:

    nodes:
      cifar10: {plugin: dataset, with: {source: npz, path: data/cifar10.npz}}
      mine:                    # a model trained on torchvision's normalised CIFAR-10
        plugin: torchscript
        with: {path: mine.pt, input_shape: [3, 32, 32], input_range: [0, 1],
               mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616]}
"""
import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
# torchvision's usual CIFAR-10 normalisation (x - mean) / std, per channel R, G, B.
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)


def triple(values) -> str:
    """Three numbers as a YAML list, [0.4914, 0.4822, 0.4465]: four decimals, as usually quoted."""
    return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"


def arrays(datasets, root: Path, train: bool, download: bool):
    """Images [N, 32, 32, 3] uint8 and labels [N] uint8 of one CIFAR-10 split."""
    split = datasets.CIFAR10(str(root), train=train, download=download)
    return np.ascontiguousarray(split.data, dtype=np.uint8), np.asarray(split.targets, np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.home() / ".cache" / "cifar10",
                        help="folder holding (or to receive) torchvision's cifar-10-batches-py "
                             "(default: ~/.cache/cifar10)")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "cifar10.npz",
                        help="the .npz to write (default: data/cifar10.npz in the repo)")
    parser.add_argument("--download", action="store_true",
                        help="download CIFAR-10 into --root first (off by default: this "
                             "machine has no network)")
    args = parser.parse_args()
    try:
        from torchvision import datasets
    except ImportError:
        print("error: torchvision is missing; apt-get install python3-torchvision", file=sys.stderr)
        sys.exit(2)

    root = args.root.expanduser()
    try:
        x_train, y_train = arrays(datasets, root, True, args.download)
        x_test, y_test = arrays(datasets, root, False, args.download)
    except (RuntimeError, OSError) as e:  # torchvision: "Dataset not found or corrupted. ..."
        print(f"error: CIFAR-10 not readable in {root}: {e} (pass --download on a machine "
              "with network access, or copy cifar-10-batches-py there)", file=sys.stderr)
        sys.exit(2)
    out = args.out.expanduser()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:  # a file object: savez would append .npz to a name
        np.savez_compressed(f, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    print(f"wrote {out}: {len(x_train)} train, {len(x_test)} test, 10 classes, 3x32x32")
    print(f"in an experiment: {{source: npz, path: {out}}}")
    print(f"a TorchScript model trained with torchvision's usual normalisation: {{plugin: "
          f"torchscript, with: {{path: MODEL.pt, input_shape: [3, 32, 32], input_range: [0, 1], "
          f"mean: {triple(MEAN)}, std: {triple(STD)}}}}}")


if __name__ == "__main__":
    main()
