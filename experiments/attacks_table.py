#!/usr/bin/python3
"""README's attack comparison from an archive of experiments/attacks.yaml.

Usage: /usr/bin/python3 experiments/attacks_table.py results/attacks.h5

Prints two Markdown tables: per model and attack, success, the mean and median RMS distortion
over the digits all three minimum-distortion attacks fooled, the paired ratio to Szegedy's,
evaluations per attacked digit and attacked digits per second (the node's run time); then per
model, PGD-L2's accuracy at its budget beside the accuracy the minimal attacks' curves give there.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import blindspot  # noqa: E402  pylint: disable=wrong-import-position

ATTACKS = [("szegedy", "Szegedy (L-BFGS)"), ("cw", "C&W L2"), ("deepfool", "DeepFool")]


def models(archive):
    """The model names, in the order of their compare-* nodes."""
    return [name[len("compare-"):] for name in archive.nodes if name.startswith("compare-")]


def comparison(archive, model):
    """Rows of the distortion table for one model."""
    table = archive.nodes["compare-" + model].table()
    rows = []
    for prefix, title in ATTACKS:
        node = archive.nodes["%s-%s" % (prefix, model)]
        row = table.loc[node.name]
        rate = row["attacked"] / node.duration
        rows.append("| %s | %s | %.1f%% | %.4f | %.4f | %.3f | %.0f | %.0f |" % (
            model, title, 100 * row["success"], row["mean"], row["median"],
            row["vs reference"], row["evaluations"], rate))
    return rows


def budget(archive, model):
    """PGD's point and the curves' accuracy at its budget, for one model."""
    table = archive.nodes["robustness-" + model].table(port="accuracy")
    pgd = table.loc["pgd-" + model]
    cells = ["%.1f%%" % (100 * pgd["at budget"])]
    for prefix, _ in ATTACKS:
        cells.append("%.1f%%" % (100 * table.loc["%s-%s" % (prefix, model), "at budget"]))
    return "| %s | %.4f | %s |" % (model, pgd["budget"], " | ".join(cells))


def main(path):
    archive = blindspot.open(path)
    print("| model | attack | success | mean RMS | median RMS | vs Szegedy | evaluations "
          "| digits/s |")
    print("|---|---|---|---|---|---|---|---|")
    for model in models(archive):
        print("\n".join(comparison(archive, model)))
    print()
    print("| model | budget (RMS) | PGD-L2 | Szegedy curve | C&W curve | DeepFool curve |")
    print("|---|---|---|---|---|---|")
    for model in models(archive):
        print(budget(archive, model))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    main(sys.argv[1])
