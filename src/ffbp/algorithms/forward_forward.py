"""Forward-Forward (Hinton 2022): every layer learns from its own goodness, nothing flows back.

Each hidden layer sees its input normalised and detached, so the gradient of layer k's loss
reaches only layer k's parameters. The simultaneous schedule backpropagates each layer's loss
as soon as the layer has run (so only one layer's activations are ever held for backward) and
then takes one optimiser step for all layers: the gradients are exactly those of per-layer
updates, and since every layer's outputs for a batch are computed before any update on that
batch, layer k+1 never waits for layer k's update (the property that lets FF layers run as a
pipeline).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ffbp.algorithms.base import Algorithm
from ffbp.config import UNSUPERVISED_NEGATIVES, FFPrediction, FFSchedule
from ffbp.ff.goodness import GOODNESS_FUNCTIONS, default_threshold
from ffbp.ff.hybrid_images import hybrid_images
from ffbp.ff.labels import embed_label, embed_neutral_label
from ffbp.ff.losses import LAYER_LOSSES, LossSettings
from ffbp.ff.negatives import NEGATIVE_LABELS
from ffbp.ff.normalization import NORMALIZATIONS
from ffbp.ff.peer_normalization import PeerNormalization
from ffbp.ff.prediction import goodness_per_label
from ffbp.optim import build_optimizer, lr_factor, set_lr_factor


def layers_of_each_epoch(
    schedule: FFSchedule, num_layers: int, epochs: int, epochs_per_layer: int | None
) -> list[list[int]]:
    """The 0-indexed layers that learn in each epoch."""
    if schedule == FFSchedule.simultaneous:
        return [list(range(num_layers))] * epochs
    if epochs_per_layer is None:  # equal blocks of epochs
        return [[epoch * num_layers // epochs] for epoch in range(epochs)]
    return [[min(epoch // epochs_per_layer, num_layers - 1)] for epoch in range(epochs)]


class ForwardForward(Algorithm):
    prediction_methods = ("goodness", "softmax")

    def __init__(self, cfg, model, num_classes: int, epochs: int, image_shape=(1, 28, 28)):
        super().__init__(cfg, model, num_classes, epochs, image_shape)
        self.supervised = cfg.negatives != UNSUPERVISED_NEGATIVES
        if not self.supervised:  # no label in the input: nothing for goodness to compare
            self.prediction_methods = ("softmax",)
        if not cfg.readout:  # no neutral pass, no readout: goodness alone predicts
            self.prediction_methods = ("goodness",)
        self.primary_method = FFPrediction(cfg.prediction).value
        device = next(model.parameters()).device
        self.normalize = NORMALIZATIONS[cfg.normalization]
        self.goodness = GOODNESS_FUNCTIONS[cfg.goodness]
        self.layer_loss = LAYER_LOSSES[cfg.loss]
        self.embed = partial(embed_label, num_labels=num_classes, strength=cfg.label_strength)
        self.embed_neutral = partial(
            embed_neutral_label, num_labels=num_classes, value=cfg.neutral_label_value
        )
        hidden_sizes = model.hidden_sizes
        self.loss_settings = [
            LossSettings(
                threshold=(
                    cfg.threshold
                    if cfg.threshold is not None
                    else default_threshold(self.goodness, width)
                ),
                temperature=cfg.temperature,
                symba_alpha=cfg.symba_alpha,
            )
            for width in hidden_sizes
        ]
        self.peer_normalization = (
            PeerNormalization(hidden_sizes, cfg.peer_normalization, cfg.peer_momentum, device)
            if cfg.peer_normalization > 0
            else None
        )
        # Softmax readout of the normalised activities (neutral label, or no label when
        # unsupervised); its input is detached, so it learns alongside the FF layers without
        # sending them any gradient.
        readout_width = sum(hidden_sizes[cfg.readout_from_layer - 1 :])
        self.readout = nn.Linear(readout_width, num_classes, device=device)
        nn.init.zeros_(self.readout.weight)  # as in Hinton's code
        nn.init.zeros_(self.readout.bias)
        self.optimizer = build_optimizer(
            cfg.optimizer,
            [
                {"params": model.parameters()},
                {
                    "params": self.readout.parameters(),
                    "lr": cfg.readout_lr,
                    "weight_decay": cfg.readout_weight_decay,
                },
            ],
        )
        self.layers_of_epoch = layers_of_each_epoch(
            FFSchedule(cfg.schedule), len(hidden_sizes), epochs, cfg.epochs_per_layer
        )
        self.learning_layers = self.layers_of_epoch[0]

    def state_dict(self) -> dict:
        running_means = self.peer_normalization.running_means if self.peer_normalization else []
        return {
            **super().state_dict(),
            "readout": self.readout.state_dict(),
            "peer_running_means": [mean.clone() for mean in running_means],
        }

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.readout.load_state_dict(state["readout"])
        if self.peer_normalization is not None:
            for mean, saved in zip(
                self.peer_normalization.running_means, state["peer_running_means"], strict=True
            ):
                mean.copy_(saved)

    def modules_by_name(self) -> dict:
        return {**super().modules_by_name(), "softmax readout": self.readout}

    def start_epoch(self, epoch: int) -> dict[str, float]:
        """Pick the learning layers; in layerwise training each layer's block of epochs has its
        own learning-rate schedule."""
        self.learning_layers = self.layers_of_epoch[epoch]
        stage = [
            e for e, layers in enumerate(self.layers_of_epoch) if layers == self.learning_layers
        ]
        factor = lr_factor(self.cfg.optimizer.lr_schedule, epoch - stage[0], len(stage))
        set_lr_factor(self.optimizer, factor)
        return {"train/lr": self.cfg.optimizer.lr * factor}

    def layer_activities(self, inputs: Tensor) -> list[Tensor]:
        """Each layer's ReLU activities, its input normalised and detached from the layer below."""
        return self.model.hidden_activities(inputs, self.normalize, detach_layer_inputs=True)

    def readout_input(self, inputs: Tensor) -> Tensor:
        return self.embed_neutral(inputs) if self.supervised else inputs

    def readout_features(self, activities: list[Tensor]) -> Tensor:
        layers = activities[self.cfg.readout_from_layer - 1 :]
        return torch.cat([self.normalize(activity) for activity in layers], dim=1).detach()

    def readout_logits(self, inputs: Tensor) -> Tensor:
        """The softmax readout's scores on the neutral-label (or label-free) pass; gradients
        reach the readout only, never the layers."""
        with torch.no_grad():
            features = self.readout_features(self.layer_activities(self.readout_input(inputs)))
        return self.readout(features)

    def positive_and_negative(
        self, inputs: Tensor, labels: Tensor, readout_logits: Tensor | None
    ) -> tuple[Tensor, Tensor]:
        """Positive data (batch, features) and negative data (batch * k, features)."""
        if not self.supervised:
            return inputs, hybrid_images(
                inputs, labels, self.image_shape, self.cfg.hybrid_blur_steps
            )
        wrong_labels = NEGATIVE_LABELS[self.cfg.negatives](labels, self.num_classes, readout_logits)

        negatives_per_positive = wrong_labels.shape[0] // labels.shape[0]
        negative_inputs = inputs.repeat_interleave(negatives_per_positive, dim=0)
        return self.embed(inputs, labels), self.embed(negative_inputs, wrong_labels)

    def layer_losses(
        self, positive: Tensor, negative: Tensor
    ) -> Iterator[tuple[int, Tensor, dict[str, Tensor]]]:
        """Each learning layer's loss on positive and negative data, and what to log, one layer
        at a time: a caller that backpropagates each loss before asking for the next frees that
        layer's graph first, so the memory held for backward does not grow with depth."""
        batch = positive.shape[0]
        layer_input = torch.cat([positive, negative])  # (batch * (1 + k), features)
        for index in range(max(self.learning_layers) + 1):
            normalized_input = self.normalize(layer_input.detach())
            activities = self.model.activate(index, normalized_input)
            layer_input = activities
            if index not in self.learning_layers:
                continue
            positive_activities, negative_activities = activities.split([batch, len(negative)])
            positive_goodness = self.goodness(positive_activities)
            negative_goodness = self.goodness(negative_activities)
            loss = self.layer_loss(positive_goodness, negative_goodness, self.loss_settings[index])
            paired_positive = positive_goodness.detach().repeat_interleave(len(negative) // batch)
            prefix = f"ff/layer{index + 1}"
            metrics = {
                f"{prefix}/loss": loss.detach(),
                f"{prefix}/goodness_pos": positive_goodness.detach().mean(),
                f"{prefix}/goodness_neg": negative_goodness.detach().mean(),
                f"{prefix}/separation": (paired_positive > negative_goodness).float().mean(),
            }
            if self.peer_normalization is not None:
                mean_total_input = self.model.hidden_layers[index](
                    normalized_input[:batch].mean(dim=0)
                )
                loss = loss + self.peer_normalization.loss(
                    index, positive_activities, mean_total_input
                )
            yield index, loss, metrics

    def train_readout(self, inputs: Tensor, labels: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """One readout update's gradient on the neutral-label pass; its logits, and what to log."""
        readout_logits = self.readout_logits(inputs)
        readout_loss = F.cross_entropy(readout_logits, labels)
        # Backward now, before the layers run: its input and their activations never coexist.
        readout_loss.backward()
        accuracy = (readout_logits.argmax(dim=1) == labels).float().mean()
        metrics = {"train/readout_loss": readout_loss.detach(), "train/accuracy": accuracy}
        return readout_logits.detach(), metrics

    def train_step(self, inputs: Tensor, labels: Tensor) -> dict[str, Tensor]:
        self.optimizer.zero_grad(set_to_none=True)
        readout_logits, metrics = None, {}
        if self.cfg.readout:
            readout_logits, metrics = self.train_readout(inputs, labels)
        positive, negative = self.positive_and_negative(inputs, labels, readout_logits)
        layer_loss_total = torch.zeros((), device=inputs.device)
        for index, loss, layer_metrics in self.layer_losses(positive, negative):
            # The layer's input is detached: this reaches only its own parameters, and frees its
            # graph before the next layer runs.
            loss.backward()
            metrics.update(layer_metrics)
            layer_loss_total = layer_loss_total + layer_metrics[f"ff/layer{index + 1}/loss"]
        self.optimizer.step()  # one step for all layers: each holds only its own gradient
        return {"train/loss": layer_loss_total, **metrics}

    @torch.inference_mode()
    def predict(self, inputs: Tensor) -> dict[str, Tensor]:
        predictions = {}
        if self.cfg.readout:
            predictions["softmax"] = self.readout_logits(inputs).argmax(dim=1)
        if self.supervised:
            goodness = goodness_per_label(
                self.model,
                inputs,
                self.embed,
                self.num_classes,
                self.normalize,
                self.goodness,
                self.cfg.goodness_from_layer,
            )
            predictions["goodness"] = goodness.argmax(dim=1)
        return predictions
