#!/usr/bin/python3
"""Writes the NumPy and HDF5 data sets the tests read, good and broken, into a folder.

Written with NumPy and h5py, independently of blindspot's readers. Image i, value p (in C order
of [N, H, W, C]) is (i * 31 + p * 7) % 256; label i is i % 3.
Usage: make_arrays.py FOLDER
"""
import os
import sys

import h5py
import numpy as np


def images(count, shape=(5, 4, 3)):
    """uint8 images [count, *shape], every one different."""
    size = int(np.prod(shape))
    i = np.arange(count).reshape(count, 1)
    p = np.arange(size).reshape(1, size)
    return ((i * 31 + p * 7) % 256).astype(np.uint8).reshape((count,) + shape)


def labels(count, dtype=np.int64):
    return (np.arange(count) % 3).astype(dtype)


def as_float_nchw(x):
    """uint8 [N, H, W, C] as float32 [N, C, H, W] in [0, 1], divided in float32."""
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2)).astype(np.float32) / np.float32(255)


def good(out):
    x_train, x_test = images(6), images(4)[::-1] // 2
    y_train, y_test = labels(6), labels(4)
    # Keras's CIFAR-10 convention: uint8 NHWC images, labels of shape [N, 1].
    np.savez(os.path.join(out, "nhwc.npz"), x_train=x_train, y_train=y_train,
             x_test=x_test, y_test=y_test.astype(np.uint16).reshape(4, 1))
    np.savez_compressed(os.path.join(out, "nchw_float.npz"), x_train=as_float_nchw(x_train),
                        y_train=y_train.astype(np.int32), x_test=as_float_nchw(x_test),
                        y_test=y_test.astype(np.int8))
    with h5py.File(os.path.join(out, "arrays.h5"), "w") as f:
        f["train/x"], f["train/y"] = x_train, y_train
        f["test/x"], f["test/y"] = x_test, y_test.astype(np.uint8)
    folder = os.path.join(out, "npy")
    os.makedirs(folder, exist_ok=True)
    # Big-endian floats in Fortran order, and big-endian uint64 labels.
    np.save(os.path.join(folder, "x_train.npy"),
            np.asfortranarray((x_train / 255).astype(">f8")))
    np.save(os.path.join(folder, "y_train.npy"), y_train.astype(">u8"))
    np.save(os.path.join(folder, "x_test.npy"), np.asfortranarray(x_test))
    np.save(os.path.join(folder, "y_test.npy"), y_test.astype("<u4"))
    np.savez(os.path.join(out, "pool.npz"), x=images(10, (4, 4)), y=labels(10, np.uint8))


def bad(out):
    x, y = images(6), labels(6)
    path = lambda name: os.path.join(out, name)
    np.savez(path("missing_key.npz"), x_train=x, y_train=y, other=y)
    np.savez(path("stored.npz"), x_train=x, y_train=y, x_test=x, y_test=y)
    data = bytearray(open(path("stored.npz"), "rb").read())
    data[data.find(b"\x93NUMPY") + 200] ^= 1  # inside x_train's data: only the CRC-32 sees it
    open(path("flipped.npz"), "wb").write(bytes(data))
    open(path("text.npz"), "w").write("not a zip archive\n")
    with h5py.File(path("whole.h5"), "w") as f:
        f["x_train"], f["y_train"] = x, y
        f["x_test"], f["y_test"] = x, y
    whole = open(path("whole.h5"), "rb").read()
    open(path("truncated.h5"), "wb").write(whole[: len(whole) // 2])
    with h5py.File(path("giant.h5"), "w") as f:  # 9 TB of images, none of them stored
        f.create_dataset("x", shape=(10**6, 10**6, 3, 3), dtype="u1", chunks=(1, 1000, 3, 3))
        f["y"] = y
    np.savez(path("int16.npz"), x=x.astype(np.int16), y=y)
    np.savez(path("complex.npz"), x=x.astype(np.complex64), y=y)
    nan = x.astype(np.float32) / 255
    nan[2, 1, 1, 0] = np.nan
    np.savez(path("nan.npz"), x=nan, y=y)
    np.savez(path("range.npz"), x=x.astype(np.float32), y=y)
    np.savez(path("short_labels.npz"), x=x, y=y[:5])
    np.savez(path("negative.npz"), x=x, y=y - 1)
    np.savez(path("float_labels.npz"), x=x, y=y.astype(np.float32))
    np.savez(path("nchw_as_nhwc.npz"), x=x.transpose(0, 3, 1, 2).repeat(8, axis=3), y=y)
    # A header declaring 10^9 x 10^9 float64 values, followed by 48 bytes.
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    raw = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
    os.makedirs(path("giant"), exist_ok=True)
    open(path("giant/x.npy"), "wb").write(raw + bytes(48))
    np.save(path("giant/y.npy"), y)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    good(sys.argv[1])
    bad(sys.argv[1])


if __name__ == "__main__":
    main()
