"""Publication-style figures: mean over seeds with a shaded band of one standard deviation."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from cycler import cycler  # noqa: E402

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
STYLE = {
    "font.size": 9,
    "axes.labelsize": 9,
    "axes.titlesize": 9,
    "legend.fontsize": 7,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": cycler(color=OKABE_ITO),
    "lines.linewidth": 1.5,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,  # TrueType in PDFs, so journals' checkers accept the fonts
}
SINGLE_COLUMN = (3.4, 2.5)


def save(figure: plt.Figure, out_dir: Path, name: str) -> list[Path]:
    paths = [out_dir / f"{name}.png", out_dir / f"{name}.pdf"]
    for path in paths:
        figure.savefig(path)
    plt.close(figure)
    return paths


def slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "_", text).strip("_").lower()


def _mean_and_std(history: pd.DataFrame, runs: list[str], metric: str) -> pd.DataFrame:
    """Per epoch, the mean and std of `metric` (and of elapsed training time) over `runs`."""
    rows = history[history["run"].isin(runs)].dropna(subset=[metric])
    return rows.groupby("epoch").agg(
        mean=(metric, "mean"),
        std=(metric, "std"),
        time=("train/time_s", "mean"),
        count=(metric, "size"),
    )


def _band(axis, x, curve: pd.DataFrame, label: str, color: str, linestyle: str = "-") -> None:
    axis.plot(x, curve["mean"], label=label, color=color, linestyle=linestyle)
    std = curve["std"].fillna(0)
    axis.fill_between(
        x, curve["mean"] - std, curve["mean"] + std, color=color, alpha=0.2, linewidth=0
    )


def learning_curves(
    runs: pd.DataFrame, history: pd.DataFrame, out_dir: Path
) -> dict[str, list[Path]]:
    """Validation accuracy against epoch and against training time, one line per group."""
    figures = {}
    with plt.rc_context(STYLE):
        for x_name, x_label in [("epoch", "Epoch"), ("time", "Training time (s)")]:
            figure, axis = plt.subplots(figsize=SINGLE_COLUMN)
            for color, (group, members) in zip(
                OKABE_ITO * 4, runs.groupby("group", sort=True), strict=False
            ):
                curve = _mean_and_std(history, list(members["run"]), "val/accuracy")
                x = curve.index if x_name == "epoch" else curve["time"]
                seeds = members["seed"].nunique()
                _band(axis, x, curve, f"{group} (n={seeds})", color)
            axis.set_xlabel(x_label)
            axis.set_ylabel("Validation accuracy")
            axis.legend(frameon=False, loc="lower right")
            name = f"val_accuracy_vs_{x_name}"
            figures[name] = save(figure, out_dir, name)
    return figures


def ff_layer_figures(
    runs: pd.DataFrame, history: pd.DataFrame, out_dir: Path
) -> dict[str, list[Path]]:
    """For each FF group: per-layer goodness of positive and negative data, and separation."""
    figures = {}
    layer_pattern = re.compile(r"ff/layer(\d+)/separation")
    layers = sorted(int(m.group(1)) for c in history.columns if (m := layer_pattern.fullmatch(c)))
    if not layers:
        return figures
    with plt.rc_context(STYLE):
        for group, members in runs[runs["algo"] == "ff"].groupby("group", sort=True):
            run_ids = list(members["run"])
            figure, (goodness_axis, separation_axis) = plt.subplots(1, 2, figsize=(6.8, 2.5))
            for color, layer in zip(OKABE_ITO * 4, layers, strict=False):
                for kind, linestyle in [("pos", "-"), ("neg", "--")]:
                    metric = f"ff/layer{layer}/goodness_{kind}"
                    curve = _mean_and_std(history, run_ids, metric)
                    if len(curve):
                        _band(
                            goodness_axis,
                            curve.index,
                            curve,
                            f"layer {layer} {kind}",
                            color,
                            linestyle,
                        )
                curve = _mean_and_std(history, run_ids, f"ff/layer{layer}/separation")
                if len(curve):
                    _band(separation_axis, curve.index, curve, f"layer {layer}", color)
            goodness_axis.set_xlabel("Epoch")
            goodness_axis.set_ylabel("Mean goodness (training)")
            goodness_axis.set_yscale("log")
            goodness_axis.legend(
                frameon=False, ncol=len(layers), loc="upper center", bbox_to_anchor=(0.5, -0.22)
            )
            separation_axis.set_xlabel("Epoch")
            separation_axis.set_ylabel("P(goodness pos > neg)")
            separation_axis.legend(frameon=False, loc="lower right")
            figure.suptitle(group, fontsize=8)
            figure.subplots_adjust(wspace=0.35)
            name = f"ff_layers_{slug(group)}"
            figures[name] = save(figure, out_dir, name)
    return figures
