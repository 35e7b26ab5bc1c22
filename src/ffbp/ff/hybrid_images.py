"""Unsupervised negative data (Hinton 2022, section 3.2): hybrids of two real images.

The mask has large regions of ones and zeros, so a hybrid has realistic short-range
statistics but the wrong long-range shape: only features that span regions tell it apart.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

BLUR_KERNEL = (0.25, 0.5, 0.25)


def hybrid_masks(
    count: int,
    height: int,
    width: int,
    blur_steps: int,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> Tensor:
    """Random bit images blurred `blur_steps` times with [1/4, 1/2, 1/4] horizontally and
    vertically, thresholded at 0.5. -> (count, 1, height, width) of 0.0 and 1.0"""
    bits = torch.randint(0, 2, (count, 1, height, width), generator=generator).float().to(device)
    kernel = torch.tensor(BLUR_KERNEL, device=device)
    horizontal, vertical = kernel.view(1, 1, 1, 3), kernel.view(1, 1, 3, 1)
    for _ in range(blur_steps):
        bits = F.conv2d(F.pad(bits, (1, 1, 0, 0), mode="replicate"), horizontal)
        bits = F.conv2d(F.pad(bits, (0, 0, 1, 1), mode="replicate"), vertical)
    return (bits > 0.5).float()


def partners_of_other_classes(labels: Tensor, attempts: int = 10) -> Tensor:
    """For each example, the index of another example in the batch with a different label."""
    partners = torch.randperm(len(labels), device=labels.device)
    for _ in range(attempts):
        same = labels[partners] == labels
        if not same.any():
            break
        partners[same] = torch.randint(len(labels), (int(same.sum()),), device=labels.device)
    return partners


def hybrid_images(
    inputs: Tensor, labels: Tensor, image_shape: tuple[int, int, int], blur_steps: int
) -> Tensor:
    """mask * image A + (1 - mask) * image B, A and B of different classes. (batch, features)"""
    channels, height, width = image_shape
    images = inputs.view(-1, channels, height, width)
    masks = hybrid_masks(len(inputs), height, width, blur_steps, device=inputs.device)
    partners = images[partners_of_other_classes(labels)]
    return (masks * images + (1 - masks) * partners).flatten(1)
