#!/usr/bin/python3
"""Exports torchvision's AlexNet (random or pretrained) as TorchScript for Table 5's spectral analysis.

Needs torchvision beside Debian's python3-torch 1.13 (the LibTorch blindspot is built with), for
example `pip install --no-deps torchvision==0.14.1` in a virtual environment made with
`python3 -m venv --system-site-packages`. Then:

    python3 experiments/table5-alexnet.py /tmp/alexnet.pt               # random weights, seed 0
    python3 experiments/table5-alexnet.py /tmp/alexnet.pt --pretrained  # ImageNet weights (downloads)

and run this experiment (save it as alexnet.yaml; blindspot run alexnet.yaml -o alexnet.h5):

    experiment: table5-torchvision
    seed: 2014
    nodes:
      mnist: {plugin: dataset, with: {source: mnist, train: 100, test: 100}}
      alexnet:
        plugin: torchscript
        with: {path: /tmp/alexnet.pt, input_shape: [3, 224, 224], input_range: [0, 1]}
      bounds:
        plugin: spectral
        inputs: {model: alexnet, data: mnist}   # unused with sample: uniform, but required
        with: {sample: uniform, count: 8, batch: 4}

blindspot lists a TorchScript model's layers only when its submodules, run in order, are the
model, and it recognises them by their torch.nn class. torchvision's AlexNet calls
torch.flatten between its two Sequentials and has Dropout and AdaptiveAvgPool2d modules, so the
network is rebuilt here as one flat nn.Sequential with named children: Flatten in its place,
without Dropout (the identity in evaluation) and without AdaptiveAvgPool2d (the identity on the
6x6 maps that 224x224 images give). With --pretrained the ImageNet normalisation
(x - mean) / std comes first, written as an evaluation-mode BatchNorm2d (running_mean = mean,
running_var = std^2 - eps), so the spectral analysis bounds it too: 1 / min(std), about 4.4.
"""
import argparse
from collections import OrderedDict

import torch
from torch import nn

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def normalisation() -> nn.BatchNorm2d:
    """(x - mean) / std per channel, as a BatchNorm2d in evaluation mode."""
    norm = nn.BatchNorm2d(3)
    with torch.no_grad():
        norm.running_mean.copy_(torch.tensor(IMAGENET_MEAN))
        norm.running_var.copy_(torch.tensor(IMAGENET_STD) ** 2 - norm.eps)
        norm.weight.fill_(1.0)
        norm.bias.zero_()
    return norm


def flat_alexnet(alexnet: nn.Module, normalise: bool) -> nn.Sequential:
    """torchvision's AlexNet as one nn.Sequential: conv1, relu1, pool1, ..., flatten, fc1, ..."""
    children = OrderedDict()
    if normalise:
        children["normalise"] = normalisation()
    convs = 0
    for module in alexnet.features:
        if isinstance(module, nn.Conv2d):
            convs += 1
            children[f"conv{convs}"] = module
        elif isinstance(module, nn.ReLU):
            children[f"relu{convs}"] = module
        else:
            children[f"pool{convs}"] = module
    children["flatten"] = nn.Flatten()
    linears = [m for m in alexnet.classifier if isinstance(m, nn.Linear)]
    for i, linear in enumerate(linears, start=1):
        children[f"fc{i}"] = linear
        if i < len(linears):
            children[f"relu_fc{i}"] = nn.ReLU()
    return nn.Sequential(children).eval()


def torchvision_alexnet(pretrained: bool) -> nn.Module:
    """torchvision's AlexNet, ImageNet weights or random ones drawn with seed 0."""
    import torchvision  # imported here: only this function needs it

    torch.manual_seed(0)
    if not pretrained:
        return torchvision.models.alexnet()
    try:
        return torchvision.models.alexnet(weights="DEFAULT")  # torchvision >= 0.13
    except TypeError:
        return torchvision.models.alexnet(pretrained=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="the TorchScript file to write (.pt)")
    parser.add_argument("--pretrained", action="store_true",
                        help="ImageNet weights (with the normalisation first) instead of random")
    args = parser.parse_args()
    model = flat_alexnet(torchvision_alexnet(args.pretrained), normalise=args.pretrained)
    scripted = torch.jit.script(model)
    logits = scripted(torch.rand(2, 3, 224, 224))
    torch.jit.save(scripted, args.output)
    print(f"saved {args.output}: input [N, 3, 224, 224] in [0, 1], output {list(logits.shape)}")


if __name__ == "__main__":
    main()
