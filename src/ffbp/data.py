"""Datasets as in-memory tensors on the training device, split and batched without DataLoader.

MNIST-sized data fits in memory many times over, so each split is loaded once, flattened and
normalised, and moved to the device; batches are slices of a seeded permutation. This keeps
the harness's own overhead out of the algorithms' timings.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

SYSTEM_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


class DatasetUnavailableError(RuntimeError):
    """No files for a dataset were found and none could be downloaded."""


class DatasetCorruptError(RuntimeError):
    """A dataset's files exist but cannot be read as the dataset."""


@dataclass(frozen=True)
class Split:
    inputs: Tensor  # (examples, features), float32, normalised
    labels: Tensor  # (examples,), int64

    def __len__(self) -> int:
        return self.labels.shape[0]

    def to(self, device: torch.device) -> Split:
        return Split(self.inputs.to(device), self.labels.to(device))


@dataclass(frozen=True)
class DataSplits:
    name: str
    train: Split
    val: Split | None
    test: Split
    num_classes: int
    image_shape: tuple[int, int, int]  # (channels, height, width) before flattening

    @property
    def input_size(self) -> int:
        return self.train.inputs.shape[1]


@dataclass(frozen=True)
class RawDataset:
    """Images as stored: uint8 (examples, channels, height, width) and int64 labels."""

    train_images: Tensor
    train_labels: Tensor
    test_images: Tensor
    test_labels: Tensor


class ShuffledBatches:
    """Seeded shuffle-and-slice batches of a split; a new permutation every pass."""

    def __init__(self, split: Split, batch_size: int, generator: torch.Generator):
        self.split = split
        self.batch_size = batch_size
        self.generator = generator

    def __len__(self) -> int:
        return -(-len(self.split) // self.batch_size)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        return self.epoch()

    def epoch(self, skip_batches: int = 0) -> Iterator[tuple[Tensor, Tensor]]:
        """One pass in a new order; the first `skip_batches` batches are drawn but not yielded
        (a resumed epoch)."""
        order = torch.randperm(len(self.split), generator=self.generator).to(
            self.split.labels.device
        )
        for start in range(skip_batches * self.batch_size, len(order), self.batch_size):
            indices = order[start : start + self.batch_size]
            yield self.split.inputs[indices], self.split.labels[indices]


def ordered_batches(split: Split, batch_size: int) -> Iterator[tuple[Tensor, Tensor]]:
    for start in range(0, len(split), batch_size):
        yield split.inputs[start : start + batch_size], split.labels[start : start + batch_size]


# --- torchvision datasets -------------------------------------------------------------------


def _torchvision_class(name: str):
    from torchvision import datasets

    return {
        "mnist": datasets.MNIST,
        "fashion_mnist": datasets.FashionMNIST,
        "cifar10": datasets.CIFAR10,
    }[name]


def _images_and_labels(dataset) -> tuple[Tensor, Tensor]:
    images = torch.as_tensor(dataset.data)
    # MNIST stores (N, H, W), CIFAR (N, H, W, C); both become (N, C, H, W).
    images = images.unsqueeze(1) if images.ndim == 3 else images.permute(0, 3, 1, 2)
    return images.contiguous(), torch.as_tensor(dataset.targets, dtype=torch.int64)


def _install_system_fashion_mnist(root: Path) -> bool:
    """Unpack Debian's `dataset-fashion-mnist` IDX files where torchvision looks for them."""
    if not SYSTEM_FASHION_MNIST.is_dir():
        return False
    raw_folder = root / "FashionMNIST" / "raw"
    raw_folder.mkdir(parents=True, exist_ok=True)
    for archive in sorted(SYSTEM_FASHION_MNIST.glob("*-ubyte.gz")):
        target = raw_folder / archive.name.removesuffix(".gz")
        if target.exists():
            continue
        partial = target.with_suffix(".partial")
        try:
            with gzip.open(archive, "rb") as source, open(partial, "wb") as sink:
                shutil.copyfileobj(source, sink)
        except (OSError, EOFError) as error:
            partial.unlink(missing_ok=True)
            raise DatasetCorruptError(
                f"cannot unpack {archive}: {error}. Reinstall it with "
                "`apt-get install --reinstall dataset-fashion-mnist`."
            ) from error
        partial.rename(target)
    return True


class _DownloadFailed(RuntimeError):
    pass


def _open_torchvision(name: str, root: Path, download: bool):
    """Both torchvision splits, or None when the files are not under `root`."""
    dataset_class = _torchvision_class(name)
    try:
        train = dataset_class(str(root), train=True, download=download)
        test = dataset_class(str(root), train=False, download=download)
    except RuntimeError as error:
        message = " ".join(str(error).split())  # torchvision's messages span lines
        if not download and "not found" in message.lower():
            return None
        if download and "download" in message.lower():
            raise _DownloadFailed(message) from error
        raise DatasetCorruptError(f"{name} files under {root} are unreadable: {message}") from error
    except OSError as error:
        if download:  # urllib's errors are OSErrors: the network, not the files
            raise _DownloadFailed(f"{type(error).__name__}: {error}") from error
        raise _corrupt(name, root, error) from error
    except (ValueError, EOFError, IndexError) as error:
        raise _corrupt(name, root, error) from error
    return train, test


def _corrupt(name: str, root: Path, error: Exception) -> DatasetCorruptError:
    return DatasetCorruptError(
        f"{name} files under {root} are unreadable ({type(error).__name__}: {error}). "
        "Delete them so they are fetched again."
    )


EXPECTED_SIZES = {
    "mnist": (60000, 10000),
    "fashion_mnist": (60000, 10000),
    "cifar10": (50000, 10000),
}


def load_torchvision(name: str, root: Path, download: bool) -> RawDataset:
    """Look in `root`, then (Fashion-MNIST) Debian's package, then download with torchvision."""
    opened = _open_torchvision(name, root, download=False)
    if opened is None and name == "fashion_mnist" and _install_system_fashion_mnist(root):
        opened = _open_torchvision(name, root, download=False)
    if opened is None and download:
        try:
            opened = _open_torchvision(name, root, download=True)
        except _DownloadFailed as error:
            raise _unavailable(name, root, f"download failed ({error})") from error
    if opened is None:
        raise _unavailable(
            name, root, "download is off (data.download=false)" if not download else ""
        )
    (train_images, train_labels), (test_images, test_labels) = map(_images_and_labels, opened)
    expected = EXPECTED_SIZES[name]
    if (len(train_labels), len(test_labels)) != expected or len(train_images) != len(train_labels):
        raise DatasetCorruptError(
            f"{name} under {root} has {len(train_images)}/{len(train_labels)} training "
            "images/labels "
            f"and {len(test_labels)} test labels, expected {expected[0]} and {expected[1]}: "
            "the files are truncated or mixed up. Delete them so they are fetched again."
        )
    return RawDataset(train_images, train_labels, test_images, test_labels)


def _unavailable(name: str, root: Path, reason: str) -> DatasetUnavailableError:
    fixes = [f"put the torchvision files under data.root (now {root})"]
    if name == "fashion_mnist":
        fixes.append("`apt-get install dataset-fashion-mnist` (works offline on Debian)")
    fixes.append("run once with network access so torchvision downloads them")
    return DatasetUnavailableError(
        f"dataset {name!r} not found{': ' + reason if reason else ''}. Fixes: "
        + "; or ".join(fixes)
    )


# --- the synthetic task ---------------------------------------------------------------------


def make_synthetic(
    train_size: int, test_size: int, noise: float, num_classes: int = 10, seed: int = 1234
) -> RawDataset:
    """A learnable MNIST-shaped task: smooth class prototypes plus pixel noise.

    The task (prototypes and examples) depends only on its own seed, so every run seed sees
    the same task. Prototypes are upsampled 7x7 random images, so neighbouring pixels are
    correlated as in real images; the noise makes it non-trivial for a linear model.
    """
    generator = torch.Generator().manual_seed(seed)
    coarse = torch.rand(num_classes, 1, 7, 7, generator=generator)
    prototypes = torch.nn.functional.interpolate(coarse, size=(28, 28), mode="bilinear")

    def sample(count: int) -> tuple[Tensor, Tensor]:
        labels = torch.randint(num_classes, (count,), generator=generator)
        pixels = prototypes[labels] + noise * 0.25 * torch.randn(
            count, 1, 28, 28, generator=generator
        )
        return (pixels.clamp(0, 1) * 255).round().to(torch.uint8), labels

    train_images, train_labels = sample(train_size)
    test_images, test_labels = sample(test_size)
    return RawDataset(train_images, train_labels, test_images, test_labels)


# --- from stored images to normalised splits ------------------------------------------------


def split_train_val(
    labels_count: int, val_size: int, train_limit: int | None, seed: int
) -> tuple[Tensor, Tensor]:
    """Disjoint seeded index sets: validation first, then up to `train_limit` training examples."""
    if val_size >= labels_count:
        raise ValueError(
            f"data.val_size={val_size} leaves no training examples (of {labels_count})"
        )
    order = torch.randperm(labels_count, generator=torch.Generator().manual_seed(seed))
    val_indices, train_indices = order[:val_size], order[val_size:]
    if train_limit is not None:
        if train_limit > len(train_indices):
            raise ValueError(
                f"data.train_limit={train_limit} exceeds the {len(train_indices)} training "
                "examples "
                f"left after holding out data.val_size={val_size}"
            )
        train_indices = train_indices[:train_limit]
    return train_indices, val_indices


def normalise(images: Tensor, mean: Tensor, std: Tensor) -> Tensor:
    """uint8 (N, C, H, W) -> float32 (N, C*H*W), standardised per channel."""
    scaled = images.float().div_(255)
    return ((scaled - mean.view(1, -1, 1, 1)) / std.view(1, -1, 1, 1)).flatten(1)


def to_splits(
    name: str,
    raw: RawDataset,
    val_size: int,
    train_limit: int | None,
    seed: int,
    device: torch.device,
) -> DataSplits:
    train_indices, val_indices = split_train_val(len(raw.train_labels), val_size, train_limit, seed)
    train_images = raw.train_images[train_indices].float().div(255)
    # Statistics of the training examples only: nothing leaks from validation or test.
    mean = train_images.mean(dim=(0, 2, 3))

    std = train_images.std(dim=(0, 2, 3)).clamp_min(1e-6)

    def split(images: Tensor, labels: Tensor) -> Split:
        return Split(normalise(images, mean, std), labels).to(device)

    val = split(raw.train_images[val_indices], raw.train_labels[val_indices]) if val_size else None
    return DataSplits(
        name=name,
        train=split(raw.train_images[train_indices], raw.train_labels[train_indices]),
        val=val,
        test=split(raw.test_images, raw.test_labels),
        num_classes=int(raw.train_labels.max()) + 1,
        image_shape=tuple(raw.train_images.shape[1:]),
    )


def _torchvision_loader(name: str) -> Callable:
    def load(cfg) -> RawDataset:
        return load_torchvision(name, Path(cfg.root).expanduser().resolve(), cfg.download)

    return load


DATASETS: dict[str, Callable] = {
    "mnist": _torchvision_loader("mnist"),
    "fashion_mnist": _torchvision_loader("fashion_mnist"),
    "cifar10": _torchvision_loader("cifar10"),
    "synthetic": lambda cfg: make_synthetic(
        cfg.synthetic_train_size, cfg.synthetic_test_size, cfg.synthetic_noise
    ),
}


def load_data(cfg, seed: int, device: torch.device) -> DataSplits:
    """The configured dataset (a `DataConfig`), split, normalised and on `device`."""
    raw = DATASETS[cfg.name](cfg)
    return to_splits(cfg.name, raw, cfg.val_size, cfg.train_limit, seed, device)
