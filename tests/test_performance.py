"""The benchmark's counters against hand counts, and optimised paths against plain ones."""

import json
import subprocess
import sys

import torch
import torch.nn.functional as F
from conftest import REPO
from helpers import build

from ffbp.benchmark import SavedTensorMeter, training_flops_per_sample
from ffbp.model import MLP


def test_saved_tensor_counter_matches_a_hand_count_for_backprop():
    torch.manual_seed(0)
    model = MLP(6, [5, 4], output_size=3)
    inputs = torch.randn(2, 6)
    with SavedTensorMeter(list(model.parameters())) as meter:
        model(inputs).sum().backward()
    # Saved: the input (for layer 1's weight gradient) and each ReLU's output (for the ReLU and,
    # the same storage, for the next layer's weight gradient); weights are not counted.
    assert meter.peak == 4 * 2 * (6 + 5 + 4)
    assert meter.current == 0  # everything was released by backward


def test_saved_tensor_counter_matches_a_hand_count_for_forward_forward():
    algorithm = build("ff", [5, 4], epochs=1, input_size=12, peer_normalization=0.0)
    batch = 3
    inputs, labels = torch.randn(batch, 12), torch.tensor([0, 1, 2])
    positive, negative = algorithm.positive_and_negative(inputs, labels, torch.zeros(batch, 10))
    parameters = list(algorithm.model.parameters())
    with SavedTensorMeter(parameters) as meter:
        for _, loss, _ in algorithm.layer_losses(positive, negative):
            loss.backward()
    # Per layer, over 2 * batch rows: the normalised input and the ReLU output, plus the two
    # softplus inputs (batch each). Layer 1's graph is freed before layer 2 runs: peak = layer 1.
    rows = 2 * batch
    layer1, layer2 = 4 * (rows * 12 + rows * 5 + 2 * batch), 4 * (rows * 5 + rows * 4 + 2 * batch)
    assert meter.peak == max(layer1, layer2) == layer1
    assert meter.current == 0


def test_flop_counts_from_shapes():
    assert training_flops_per_sample("bp", 10, [20]) == 2 * 400 + 2 * 400 + 2 * 200
    # neutral pass 2H, positive + negative 4H, weight gradients 4H; readout reads no layer here
    assert training_flops_per_sample("ff", 10, [20]) == 10 * 200


def plain_forward_forward_step(algorithm, inputs, labels):
    """The textbook version: every loss summed, one backward, then one step."""
    logits = algorithm.readout_logits(inputs)
    positive, negative = algorithm.positive_and_negative(inputs, labels, logits.detach())
    total = F.cross_entropy(logits, labels) + sum(
        loss for _, loss, _ in algorithm.layer_losses(positive, negative)
    )
    algorithm.optimizer.zero_grad(set_to_none=True)
    total.backward()
    algorithm.optimizer.step()


def test_layer_by_layer_backward_equals_the_summed_loss(synthetic_splits):
    inputs, labels = synthetic_splits.train.inputs[:64], synthetic_splits.train.labels[:64]
    optimised = build("ff", [48, 48, 48], epochs=1)
    plain = build("ff", [48, 48, 48], epochs=1)
    for _ in range(3):
        state = torch.get_rng_state()
        optimised.train_step(inputs, labels)
        torch.set_rng_state(state)
        plain_forward_forward_step(plain, inputs, labels)
    for a, b in zip(optimised.model.parameters(), plain.model.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-6)
    assert torch.allclose(optimised.readout.weight, plain.readout.weight, atol=1e-6)
    assert torch.equal(optimised.predict(inputs)["goodness"], plain.predict(inputs)["goodness"])


def test_benchmark_runs_end_to_end_in_quick_mode(tmp_path):
    output = tmp_path / "bench.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "benchmark.py"),
            "--quick",
            "--device",
            "cpu",
            "--json",
            str(output),
            "--figure",
            str(tmp_path / "depth"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert "matmul ceiling" in completed.stdout and "| target |" in completed.stdout
    results = json.loads(output.read_text())
    assert results["ceiling_flops"] > 0
    assert set(results["training"]) == {"bp", "ff", "ff_no_readout"}
    assert set(results["prediction"]) == {"bp_forward", "ff_goodness", "ff_softmax"}
    assert set(results["saved_for_backward_bytes"]["bp"]) == {"2", "4", "8"}
    assert (tmp_path / "depth.png").read_bytes().startswith(b"\x89PNG")


def test_fused_optimisers_match_the_per_tensor_ones():
    from omegaconf import OmegaConf

    from ffbp.config import OptimizerConfig
    from ffbp.optim import build_optimizer

    for name in ("sgd", "adam"):
        cfg = OmegaConf.structured(
            OptimizerConfig(
                name=name, lr=0.01, dampening=0.9 if name == "sgd" else 0.0, weight_decay=1e-3
            )
        )
        torch.manual_seed(0)
        fused_params = [
            torch.randn(50, 40, requires_grad=True),
            torch.randn(40, requires_grad=True),
        ]
        plain_params = [p.detach().clone().requires_grad_() for p in fused_params]
        fused = build_optimizer(cfg, [{"params": fused_params}])
        assert fused.defaults.get("fused") or fused.param_groups[0].get("fused")
        plain = (torch.optim.SGD if name == "sgd" else torch.optim.Adam)(
            plain_params,
            lr=0.01,
            weight_decay=1e-3,
            foreach=True,
            **({"momentum": 0.9, "dampening": 0.9} if name == "sgd" else {}),
        )
        for _ in range(3):
            for p, q in zip(fused_params, plain_params, strict=True):
                p.grad = torch.full_like(p, 0.5)
                q.grad = torch.full_like(q, 0.5)
            fused.step()
            plain.step()
        for p, q in zip(fused_params, plain_params, strict=True):
            assert torch.allclose(p, q, atol=1e-6), name


def test_fused_rms_norm_is_hintons_formula():
    from ffbp.ff.normalization import rms_normalize

    x = torch.relu(torch.randn(16, 300)) * 5
    assert torch.allclose(
        rms_normalize(x), x / torch.sqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8), atol=1e-6
    )
