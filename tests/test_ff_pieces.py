"""Forward-Forward's building blocks against hand-computed values."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ffbp.config import LRSchedule
from ffbp.ff.goodness import sum_of_squares
from ffbp.ff.labels import embed_label, embed_neutral_label
from ffbp.ff.losses import LossSettings, logistic_loss, p_positive
from ffbp.ff.negatives import random_wrong_labels
from ffbp.ff.normalization import l2_normalize, rms_normalize
from ffbp.ff.peer_normalization import PeerNormalization
from ffbp.ff.prediction import goodness_per_label
from ffbp.model import MLP
from ffbp.optim import lr_factor


def test_goodness_probability_and_loss_by_hand():
    activities = torch.tensor([[1.0, 2.0], [0.0, 3.0]])
    goodness = sum_of_squares(activities)
    assert goodness.tolist() == [5.0, 9.0]
    # threshold 6, temperature 2: logits -0.5 and 1.5
    probabilities = p_positive(goodness, threshold=6.0, temperature=2.0)
    expected = [1 / (1 + math.exp(0.5)), 1 / (1 + math.exp(-1.5))]
    assert probabilities.tolist() == pytest.approx(expected, rel=1e-6)
    # Positive example goodness 5 (should be high), negative example goodness 9 (should be low).
    loss = logistic_loss(
        torch.tensor([5.0]), torch.tensor([9.0]), LossSettings(6.0, temperature=2.0)
    )
    hand = (-math.log(expected[0]) - math.log(1 - expected[1])) / 2
    assert loss.item() == pytest.approx(hand, rel=1e-6)


def test_loss_is_stable_for_huge_goodness():
    loss = logistic_loss(torch.tensor([1e6]), torch.tensor([-1e6]), LossSettings(0.0))
    assert loss.item() == 0.0
    loss = logistic_loss(torch.tensor([-1e4]), torch.tensor([0.0]), LossSettings(0.0))
    assert math.isfinite(loss.item())


def test_label_embedding_and_neutral_label():
    inputs = torch.arange(2 * 15, dtype=torch.float32).view(2, 15)
    embedded = embed_label(inputs, torch.tensor([3, 7]), num_labels=10, strength=2.0)
    assert embedded[0, :10].tolist() == [0, 0, 0, 2, 0, 0, 0, 0, 0, 0]
    assert embedded[1, :10].tolist() == [0, 0, 0, 0, 0, 0, 0, 2, 0, 0]
    assert torch.equal(embedded[:, 10:], inputs[:, 10:])
    neutral = embed_neutral_label(inputs, num_labels=10)
    assert torch.allclose(neutral[:, :10], torch.full((2, 10), 0.1))
    assert torch.equal(neutral[:, 10:], inputs[:, 10:])
    assert inputs[0, 0] == 0 and inputs[0, 3] == 3  # the caller's tensor is untouched


@settings(max_examples=50, deadline=None)
@given(labels=st.lists(st.integers(0, 9), min_size=1, max_size=200), seed=st.integers(0, 2**31))
def test_negative_labels_are_never_the_true_label(labels, seed):
    torch.manual_seed(seed)
    true_labels = torch.tensor(labels)
    negatives = random_wrong_labels(true_labels, num_labels=10)
    assert not (negatives == true_labels).any()
    assert ((negatives >= 0) & (negatives < 10)).all()


def test_negative_labels_cover_every_wrong_label_evenly():
    torch.manual_seed(0)
    negatives = random_wrong_labels(torch.zeros(90000, dtype=torch.long), num_labels=10)
    counts = torch.bincount(negatives, minlength=10)
    assert counts[0] == 0
    assert ((counts[1:] - 10000).abs() < 500).all()


def test_normalisations():
    vectors = torch.randn(5, 40) * 7
    assert torch.allclose(rms_normalize(vectors).pow(2).mean(dim=1), torch.ones(5), atol=1e-5)
    assert torch.allclose(l2_normalize(vectors).norm(dim=1), torch.ones(5), atol=1e-5)
    directions = rms_normalize(vectors) / rms_normalize(vectors).norm(dim=1, keepdim=True)
    assert torch.allclose(directions, l2_normalize(vectors), atol=1e-6)


def test_peer_normalisation_gradient_is_hintons_extra_term():
    torch.manual_seed(0)
    layer = torch.nn.Linear(6, 4)
    inputs = torch.randn(8, 6)
    total_input = layer(inputs)
    activities = torch.relu(total_input)
    peer = PeerNormalization([4], strength=0.03, momentum=0.9, device="cpu")
    term = peer.loss(0, activities, layer(inputs.mean(dim=0)))
    running = 0.9 * 0.5 + 0.1 * activities.detach().mean(dim=0)
    assert torch.allclose(peer.running_means[0], running)
    # d term / d bias = sum over cases of the per-case term 0.03 * (unit mean - layer mean) / batch,
    # with no ReLU gating: the same for units that are off.
    bias_gradient = torch.autograd.grad(term, layer.bias)[0]
    assert torch.allclose(bias_gradient, 0.03 * (running - running.mean()), atol=1e-7)
    weight_gradient = torch.autograd.grad(
        peer.loss(0, activities, layer(inputs.mean(dim=0))), layer.weight
    )[0]
    running = peer.running_means[0]
    expected = 0.03 * torch.outer(running - running.mean(), inputs.mean(dim=0))
    assert torch.allclose(weight_gradient, expected, atol=1e-7)


def test_batched_goodness_prediction_equals_a_loop_over_labels():
    torch.manual_seed(0)
    model = MLP(30, [16, 16, 16])
    inputs = torch.randn(7, 30)

    def embed(x, labels):
        return embed_label(x, labels, num_labels=10)

    batched = goodness_per_label(
        model, inputs, embed, 10, rms_normalize, sum_of_squares, from_layer=2
    )
    looped = torch.stack(
        [
            sum(
                sum_of_squares(a)
                for a in model.hidden_activities(
                    embed(inputs, torch.full((7,), label)), rms_normalize
                )[1:]
            )
            for label in range(10)
        ],
        dim=1,
    )
    assert batched.shape == (7, 10)
    assert torch.allclose(batched, looped, rtol=1e-5)
    assert torch.equal(batched.argmax(dim=1), looped.argmax(dim=1))


def test_hinton_learning_rate_schedule():
    factors = [lr_factor(LRSchedule.hinton, epoch, 10) for epoch in range(10)]
    assert factors[:5] == [1.0] * 5
    assert factors[5:] == pytest.approx([0.9, 0.7, 0.5, 0.3, 0.1])
    assert all(lr_factor(LRSchedule.constant, epoch, 10) == 1.0 for epoch in range(10))
