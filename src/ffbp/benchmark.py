"""Measure both trainers against the hardware: throughput, FLOP/s against a matmul ceiling
measured in the same process, prediction cost, and the memory held for backward.

FLOPs are counted from the layer shapes (2 per multiply-add), so the fraction of the ceiling
says how much of the machine each algorithm's own arithmetic uses; the harness's overhead
(Python per step, syncs, copies, small kernels) shows up as the gap.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from ffbp.algorithms import build_algorithm
from ffbp.algorithms.base import Algorithm
from ffbp.config import algorithm_config

NUM_CLASSES = 10


@dataclass
class BenchmarkSettings:
    hidden_sizes: list[int] = field(default_factory=lambda: [1000, 1000, 1000])
    batch_size: int = 512
    input_size: int = 784
    device: str = "cpu"
    steps: int = 30
    warmup: int = 5
    depths: tuple[int, ...] = (2, 4, 8)
    depth_width: int = 1000


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(function: Callable[[], Any], repeats: int, warmup: int, device: torch.device) -> float:
    """Seconds per call, after `warmup` untimed calls, synchronised on CUDA."""
    for _ in range(warmup):
        function()
    synchronize(device)
    started = time.perf_counter()
    for _ in range(repeats):
        function()
    synchronize(device)
    return (time.perf_counter() - started) / repeats


# --- FLOPs counted from the shapes -----------------------------------------------------------


def weight_count(widths: list[int]) -> int:
    return sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=True))


def training_flops_per_sample(algo: str, input_size: int, hidden_sizes: list[int]) -> int:
    """Matmul FLOPs of one training step, per example.

    Backprop: forward 2P, weight gradients 2P, input gradients 2P for every layer but the
    first (its input needs none). Forward-Forward with one negative per positive: the neutral
    pass 2H, positive and negative passes 2 x 2H, weight gradients 2 x 2H (layer inputs are
    detached: no input gradients), plus the readout forward and backward.
    """
    if algo == "bp":
        weights = weight_count([input_size, *hidden_sizes, NUM_CLASSES])
        first = input_size * hidden_sizes[0]
        return 2 * weights + 2 * weights + 2 * (weights - first)
    hidden = weight_count([input_size, *hidden_sizes])
    readout = sum(hidden_sizes[1:]) * NUM_CLASSES
    if algo == "ff_no_readout":
        return 8 * hidden
    return 10 * hidden + 4 * readout


def prediction_flops_per_sample(method: str, input_size: int, hidden_sizes: list[int]) -> int:
    hidden = weight_count([input_size, *hidden_sizes])
    if method == "ff_goodness":
        return NUM_CLASSES * 2 * hidden
    if method == "ff_softmax":
        return 2 * hidden + 2 * sum(hidden_sizes[1:]) * NUM_CLASSES
    return 2 * weight_count([input_size, *hidden_sizes, NUM_CLASSES])


# --- the ceiling -----------------------------------------------------------------------------


def matmul_ceiling(settings: BenchmarkSettings, device: torch.device) -> float:
    """FLOP/s of plain matrix multiplies with the MLP's forward shapes at the batch size."""
    widths = [settings.input_size, *settings.hidden_sizes]
    operands = [
        (
            torch.randn(settings.batch_size, fan_in, device=device),
            torch.randn(fan_in, fan_out, device=device),
            torch.empty(settings.batch_size, fan_out, device=device),
        )
        for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True)
    ]

    def multiply() -> None:
        for inputs, weights, output in operands:
            torch.mm(inputs, weights, out=output)

    seconds = timed(multiply, settings.steps * 3, settings.warmup, device)
    return 2 * settings.batch_size * weight_count(widths) / seconds


# --- memory held for backward ----------------------------------------------------------------


class SavedTensorMeter:
    """Bytes of tensors that autograd saves for backward, live at the peak.

    Each saved tensor's storage is counted once however many graph nodes save it, and only
    while some node still holds it (the handle's finaliser runs when autograd frees the node).
    Parameters are not counted: they exist whether or not anything is saved.
    """

    def __init__(self, parameters: list[torch.Tensor]):
        self.excluded = {p.untyped_storage().data_ptr() for p in parameters}
        self.references: dict[int, int] = {}
        self.sizes: dict[int, int] = {}
        self.current = 0
        self.peak = 0

    def _pack(self, tensor: torch.Tensor) -> Any:
        storage = tensor.untyped_storage()
        key = storage.data_ptr()
        if key in self.excluded or storage.nbytes() == 0:
            return tensor
        if key not in self.references:
            self.references[key] = 0
            self.sizes[key] = storage.nbytes()
            self.current += storage.nbytes()
            self.peak = max(self.peak, self.current)
        self.references[key] += 1
        return _Held(self, key, tensor)

    def _release(self, key: int) -> None:
        self.references[key] -= 1
        if self.references[key] == 0:
            del self.references[key]
            self.current -= self.sizes.pop(key)

    @staticmethod
    def _unpack(packed: Any) -> torch.Tensor:
        return packed.tensor if isinstance(packed, _Held) else packed

    def __enter__(self) -> SavedTensorMeter:
        self._hooks = torch.autograd.graph.saved_tensors_hooks(self._pack, self._unpack)
        self._hooks.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._hooks.__exit__(*exc_info)


class _Held:
    __slots__ = ("meter", "key", "tensor")

    def __init__(self, meter: SavedTensorMeter, key: int, tensor: torch.Tensor):
        self.meter, self.key, self.tensor = meter, key, tensor

    def __del__(self) -> None:
        self.meter._release(self.key)


# --- the algorithms --------------------------------------------------------------------------


def build(
    algo: str, hidden_sizes: list[int], settings: BenchmarkSettings, device, **overrides: Any
) -> Algorithm:
    torch.manual_seed(0)
    cfg = algorithm_config(algo, **overrides)
    return build_algorithm(
        cfg, settings.input_size, hidden_sizes, NUM_CLASSES, epochs=1, device=device
    )


def _all_parameters(algorithm: Algorithm) -> list[torch.Tensor]:
    parameters = list(algorithm.model.parameters())
    if hasattr(algorithm, "readout"):
        parameters += list(algorithm.readout.parameters())
    return parameters


def saved_bytes_of_step(algorithm: Algorithm, inputs: torch.Tensor, labels: torch.Tensor) -> int:
    with SavedTensorMeter(_all_parameters(algorithm)) as meter:
        algorithm.train_step(inputs, labels)
    return meter.peak


def saved_bytes_of_ff_layers(algorithm, inputs: torch.Tensor, labels: torch.Tensor) -> int:
    """FF's layer-local learning alone, without its softmax readout (whose input, the
    activities of layers 2..L, grows with depth by design)."""
    zeros = torch.zeros(len(labels), NUM_CLASSES, device=inputs.device)
    positive, negative = algorithm.positive_and_negative(inputs, labels, zeros)
    with SavedTensorMeter(_all_parameters(algorithm)) as meter:
        for _, loss, _ in algorithm.layer_losses(positive, negative):
            loss.backward()
    return meter.peak


def peak_process_memory_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def run_benchmark(settings: BenchmarkSettings) -> dict[str, Any]:
    device = torch.device(settings.device)
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(settings.batch_size, settings.input_size, generator=generator).to(device)
    labels = torch.randint(NUM_CLASSES, (settings.batch_size,), generator=generator).to(device)
    ceiling = matmul_ceiling(settings, device)
    results: dict[str, Any] = {
        "settings": {**settings.__dict__, "depths": list(settings.depths)},
        "device": str(device),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "ceiling_flops": ceiling,
        "training": {},
        "prediction": {},
        "saved_for_backward_bytes": {},
    }
    algorithms = {
        "bp": build("bp", settings.hidden_sizes, settings, device),
        "ff": build("ff", settings.hidden_sizes, settings, device),
        # FF without its softmax readout: no neutral-label pass (algo.readout=false)
        "ff_no_readout": build("ff", settings.hidden_sizes, settings, device, readout=False),
    }
    for name, algorithm in algorithms.items():
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        seconds = timed(
            lambda a=algorithm: a.train_step(inputs, labels),
            settings.steps,
            settings.warmup,
            device,
        )
        flops = training_flops_per_sample(name, settings.input_size, settings.hidden_sizes)
        samples_per_s = settings.batch_size / seconds
        results["training"][name] = {
            "samples_per_s": samples_per_s,
            "flops_per_sample": flops,
            "achieved_flops": flops * samples_per_s,
            "fraction_of_ceiling": flops * samples_per_s / ceiling,
            "cuda_max_memory_allocated": torch.cuda.max_memory_allocated(device)
            if device.type == "cuda"
            else None,
        }
    bp, ff = algorithms["bp"], algorithms["ff"]
    predictors = {
        "bp_forward": lambda: bp.predict(inputs),
        "ff_goodness": lambda: ff.predict(inputs),  # both FF methods; goodness dominates
        "ff_softmax": lambda: _softmax_only(ff, inputs),  # the one-pass readout alone
    }
    for method, predict in predictors.items():
        seconds = timed(predict, settings.steps, settings.warmup, device)
        flops = prediction_flops_per_sample(method, settings.input_size, settings.hidden_sizes)
        results["prediction"][method] = {
            "samples_per_s": settings.batch_size / seconds,
            "flops_per_sample": flops,
        }
    saved = results["saved_for_backward_bytes"]
    for depth in settings.depths:
        hidden = [settings.depth_width] * depth
        for name in ("bp", "ff"):
            algorithm = build(name, hidden, settings, device)
            saved.setdefault(name, {})[depth] = saved_bytes_of_step(algorithm, inputs, labels)
            if name == "ff":
                layers_only = saved_bytes_of_ff_layers(algorithm, inputs, labels)
                saved.setdefault("ff_layers_only", {})[depth] = layers_only
    results["peak_process_memory_bytes"] = peak_process_memory_bytes()
    training, prediction = results["training"], results["prediction"]
    plain_forward = prediction["bp_forward"]["samples_per_s"]
    depths = settings.depths
    results["targets"] = {
        "bp_fraction_of_ceiling": training["bp"]["fraction_of_ceiling"],
        "ff_fraction_of_ceiling": training["ff"]["fraction_of_ceiling"],
        "ff_epoch_over_bp_epoch": training["bp"]["samples_per_s"] / training["ff"]["samples_per_s"],
        "ff_no_readout_epoch_over_bp_epoch": training["bp"]["samples_per_s"]
        / training["ff_no_readout"]["samples_per_s"],
        "ff_goodness_prediction_over_forward": plain_forward
        / prediction["ff_goodness"]["samples_per_s"],
        "ff_layers_saved_bytes_deepest_over_shallowest": (
            saved["ff_layers_only"][depths[-1]] / saved["ff_layers_only"][depths[0]]
        ),
        "ff_step_saved_bytes_deepest_over_shallowest": saved["ff"][depths[-1]]
        / saved["ff"][depths[0]],
        "bp_saved_bytes_deepest_over_shallowest": saved["bp"][depths[-1]] / saved["bp"][depths[0]],
    }
    return results


@torch.inference_mode()
def _softmax_only(algorithm, inputs: torch.Tensor) -> torch.Tensor:
    return algorithm.readout_logits(inputs).argmax(dim=1)


TARGETS = {
    "bp_fraction_of_ceiling": (">=", 0.70),
    "ff_fraction_of_ceiling": (">=", 0.70),
    "ff_epoch_over_bp_epoch": ("<=", 1.6),
    "ff_goodness_prediction_over_forward": ("<=", 12.0),
    "ff_layers_saved_bytes_deepest_over_shallowest": ("<=", 1.15),
}
REPORTED = (
    "ff_no_readout_epoch_over_bp_epoch",
    "ff_step_saved_bytes_deepest_over_shallowest",
    "bp_saved_bytes_deepest_over_shallowest",
)


def format_results(results: dict[str, Any]) -> str:
    settings = results["settings"]
    lines = [
        f"device {results['device']}, {results['threads']} threads, torch {results['torch']}; "
        f"MLP {settings['input_size']}-{'-'.join(map(str, settings['hidden_sizes']))}, "
        f"batch {settings['batch_size']}",
        f"matmul ceiling (same shapes): {results['ceiling_flops'] / 1e9:.1f} GFLOP/s",
        "",
        "| training | samples/s | GFLOP/sample | GFLOP/s | of ceiling |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, row in results["training"].items():
        lines.append(
            f"| {name} | {row['samples_per_s']:,.0f} | {row['flops_per_sample'] / 1e9:.4f} | "
            f"{row['achieved_flops'] / 1e9:.1f} | {row['fraction_of_ceiling']:.0%} |"
        )
    lines += ["", "| prediction | samples/s | GFLOP/sample |", "| --- | --- | --- |"]
    for name, row in results["prediction"].items():
        lines.append(
            f"| {name} | {row['samples_per_s']:,.0f} | {row['flops_per_sample'] / 1e9:.4f} |"
        )
    depths = settings["depths"]
    lines += ["", "| saved for backward (MiB) | " + " | ".join(f"depth {d}" for d in depths) + " |"]
    lines.append("| --- |" + " --- |" * len(depths))
    for name, by_depth in results["saved_for_backward_bytes"].items():
        lines.append(
            f"| {name} | " + " | ".join(f"{by_depth[d] / 2**20:.1f}" for d in depths) + " |"
        )
    lines += [
        "",
        f"peak process memory: {results['peak_process_memory_bytes'] / 2**20:.0f} MiB",
        "",
        "| target | measured | goal | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, (direction, goal) in TARGETS.items():
        value = results["targets"][name]
        met = value >= goal if direction == ">=" else value <= goal
        lines.append(f"| {name} | {value:.2f} | {direction} {goal} | {'yes' if met else 'NO'} |")
    for name in REPORTED:
        lines.append(f"| {name} | {results['targets'][name]:.2f} | (reported) | |")
    return "\n".join(lines)


def depth_scaling_figure(results: dict[str, Any], out_stem: Any) -> list[Any]:
    """Bytes held for backward against depth, one line per algorithm (PNG and PDF)."""
    import matplotlib.pyplot as plt

    from ffbp.report.figures import SINGLE_COLUMN, STYLE, save

    labels = {
        "bp": "backprop",
        "ff": "FF step (with softmax readout)",
        "ff_layers_only": "FF layers (layer-local learning)",
    }
    with plt.rc_context(STYLE):
        figure, axis = plt.subplots(figsize=SINGLE_COLUMN)
        for name, by_depth in results["saved_for_backward_bytes"].items():
            depths = sorted(int(d) for d in by_depth)
            values = [by_depth[d if d in by_depth else str(d)] / 2**20 for d in depths]
            axis.plot(depths, values, marker="o", label=labels.get(name, name))
        axis.set_xlabel(f"Hidden layers (width {results['settings']['depth_width']})")
        axis.set_ylabel("Saved for backward (MiB)")
        axis.set_xticks(depths)
        axis.legend(frameon=False)
        return save(figure, out_stem.parent, out_stem.name)
