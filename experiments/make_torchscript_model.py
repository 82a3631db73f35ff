#!/usr/bin/python3
"""Saves a tiny, untrained PyTorch classifier as TorchScript, for the torchscript model plugin.

Usage (Debian's python3-torch 1.13 matches the LibTorch that blindspot is built with):

    /usr/bin/python3 experiments/make_torchscript_model.py /tmp/m.pt

Then use the file in an experiment; the archive keeps the weights, the file is read once:

    nodes:
      mnist: {plugin: dataset, with: {source: mnist, train: 8000, test: 2000}}
      mine:
        plugin: torchscript
        with: {path: /tmp/m.pt, input_shape: [1, 28, 28], input_range: [0, 1]}
      errors: {plugin: evaluate, inputs: {model: mine, data: mnist}}

Any model of your own works the same way if torch.jit.script (or torch.jit.trace) accepts it
and it maps a batch [N, *input_shape] to logits [N, classes]. Keep layers in an nn.Sequential
(or call the children in order) so that blindspot can list them and their shapes.
"""
import sys

import torch
from torch import nn


def tiny_model() -> nn.Module:
    """One conv stage and a linear output for 1x28x28 images, 10 classes."""
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 14 * 14, 10),
    )


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTPUT.pt")
    torch.manual_seed(0)
    model = tiny_model().eval()
    torch.jit.save(torch.jit.script(model), sys.argv[1])
    print(f"saved {sys.argv[1]}: input [N, 1, 28, 28] in [0, 1], output [N, 10]")


if __name__ == "__main__":
    main()
