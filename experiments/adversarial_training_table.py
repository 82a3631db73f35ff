#!/usr/bin/python3
"""README's adversarial-training table from an archive of experiments/adversarial-training.yaml.

Usage: /usr/bin/python3 experiments/adversarial_training_table.py results/adversarial-training.h5

Prints one Markdown table: per data set and network, the training and test errors, the
training time, Szegedy's success and the mean and median RMS distortion it needed on the
attacked test images, and the test error under FGSM's step of 0.1 (images wrong before the
attack or fooled by it).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import blindspot  # noqa: E402  pylint: disable=wrong-import-position

NETWORKS = [("fc100-100-10", "weight decay alone"), ("fc100-fgsm-pool", "with an FGSM pool"),
            ("fc100-szegedy-pool", "with a Szegedy pool")]
DATA = [("", "MNIST digits"), ("fashion-", "Fashion-MNIST")]


def row(archive, prefix, data, network, title):
    """One network's row."""
    model = prefix + network
    errors = archive.nodes["errors-" + model].table()
    szegedy = archive.nodes["szegedy-" + model].adversarial()
    attacked = szegedy["original_prediction"] == szegedy["labels"]
    fooled = szegedy["distortion"][szegedy["success"]]
    fgsm = archive.nodes["fgsm-" + model].adversarial()
    fgsm_error = np.mean((fgsm["original_prediction"] != fgsm["labels"]) | fgsm["success"])
    return "| %s | %s | %.2f%% | %.2f%% | %.0f | %.1f%% | %.4f | %.4f | %.1f%% |" % (
        data, title, 100 * errors.loc["train", "error"], 100 * errors.loc["test", "error"],
        archive.nodes[model].duration, 100 * fooled.size / max(attacked.sum(), 1),
        fooled.mean(), np.median(fooled), 100 * fgsm_error)


def main(path):
    archive = blindspot.open(path)
    print("| data | FC100-100-10 | train error | test error | training s | Szegedy success "
          "| mean RMS | median RMS | error under FGSM 0.1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for prefix, data in DATA:
        for network, title in NETWORKS:
            print(row(archive, prefix, data, network, title))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    main(sys.argv[1])
