"""The one MLP that every algorithm trains."""

from __future__ import annotations

from collections.abc import Callable

import torch.nn.functional as F
from torch import Tensor, nn


class MLP(nn.Module):
    """A ReLU MLP: hidden layers, plus a linear output head when an algorithm needs one.

    Backprop reads `forward` (head on the last hidden layer, one graph through all layers).
    Forward-Forward reads `hidden_activities` with a normalisation between layers and the
    layer inputs detached, so no gradient crosses a layer boundary.
    """

    def __init__(
        self,
        input_size: int,
        hidden_sizes: list[int],
        output_size: int | None = None,
        init: str = "normal_fan_in",
    ):
        super().__init__()
        widths = [input_size, *hidden_sizes]
        self.hidden_layers = nn.ModuleList(
            nn.Linear(fan_in, fan_out)
            for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True)
        )
        self.head = nn.Linear(widths[-1], output_size) if output_size is not None else None
        if init == "normal_fan_in":  # Hinton's code: N(0, 1/fan_in) weights, zero biases
            for layer in self.linear_layers():
                nn.init.normal_(layer.weight, std=layer.in_features**-0.5)
                nn.init.zeros_(layer.bias)
        elif init != "torch_default":
            raise ValueError(f"unknown weight init {init!r}")

    def linear_layers(self) -> list[nn.Linear]:
        return [*self.hidden_layers, *([self.head] if self.head is not None else [])]

    @property
    def hidden_sizes(self) -> list[int]:
        return [layer.out_features for layer in self.hidden_layers]

    def hidden_activities(
        self,
        inputs: Tensor,
        normalize: Callable[[Tensor], Tensor] | None = None,
        detach_layer_inputs: bool = False,
    ) -> list[Tensor]:
        """ReLU activities of every hidden layer."""
        activities = []
        layer_input = inputs
        for index in range(len(self.hidden_layers)):
            if detach_layer_inputs:
                layer_input = layer_input.detach()
            if normalize is not None:
                layer_input = normalize(layer_input)
            layer_input = self.activate(index, layer_input)
            activities.append(layer_input)
        return activities

    def activate(self, index: int, layer_input: Tensor) -> Tensor:
        """Hidden layer `index` (0-based): ReLU(W x + b)."""
        return F.relu(self.hidden_layers[index](layer_input))

    def forward(self, inputs: Tensor) -> Tensor:
        if self.head is None:
            raise RuntimeError("this MLP was built without an output head (output_size=None)")
        return self.head(self.hidden_activities(inputs)[-1])
