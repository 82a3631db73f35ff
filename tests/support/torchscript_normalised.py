#!/usr/bin/python3
"""Writes PyTorch's own logits for a model trained on normalised inputs, for the torchscript tests.

Usage: /usr/bin/python3 tests/support/torchscript_normalised.py FOLDER

FOLDER/model.pt    the model alone, without normalisation, as a user saves it (torch.jit.save)
FOLDER/images.f32  6 images [6, 3, 8, 8] in [0, 1] (float32, C order)
FOLDER/logits.f32  model((images - MEAN) / STD), per channel as torchvision's Normalize,
                   [6, 5] (float32, C order)

plugins/models/torchscript/torchscript_test.cpp loads model.pt with the same mean and std and
compares its logits with these.
"""
import sys
from pathlib import Path

import torch
from torch import nn

MEAN = (0.4914, 0.4822, 0.4465)  # CIFAR-10's, as commonly given to Normalize
STD = (0.2470, 0.2435, 0.2616)


class Normalised(nn.Module):
    """`inner` behind torchvision's Normalize(MEAN, STD): (x - mean[c]) / std[c]."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.register_buffer("mean", torch.tensor(MEAN).view(-1, 1, 1))
        self.register_buffer("std", torch.tensor(STD).view(-1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner((x - self.mean) / self.std)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} FOLDER")
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    inner = nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5)
    ).eval()
    torch.jit.save(torch.jit.script(inner), str(folder / "model.pt"))
    images = torch.rand(6, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        logits = Normalised(inner)(images)
    images.numpy().astype("float32").tofile(folder / "images.f32")
    logits.numpy().astype("float32").tofile(folder / "logits.f32")


if __name__ == "__main__":
    main()
