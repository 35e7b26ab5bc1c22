import gzip
import shutil

import pytest
import torch

from ffbp import data as data_module
from ffbp.data import (
    DatasetCorruptError,
    DatasetUnavailableError,
    ShuffledBatches,
    Split,
    load_torchvision,
    make_synthetic,
    split_train_val,
    to_splits,
)


def test_synthetic_task_has_mnist_shape_and_is_fixed_by_its_own_seed():
    first = make_synthetic(train_size=200, test_size=50, noise=1.0)
    second = make_synthetic(train_size=200, test_size=50, noise=1.0)
    assert first.train_images.shape == (200, 1, 28, 28)
    assert first.train_images.dtype == torch.uint8
    assert set(first.train_labels.tolist()) == set(range(10))
    assert torch.equal(first.train_images, second.train_images)


def test_splits_are_disjoint_seeded_and_limited():
    train, val = split_train_val(1000, val_size=100, train_limit=300, seed=3)
    assert len(val) == 100 and len(train) == 300
    assert not set(train.tolist()) & set(val.tolist())
    again, _ = split_train_val(1000, val_size=100, train_limit=300, seed=3)
    other, _ = split_train_val(1000, val_size=100, train_limit=300, seed=4)
    assert torch.equal(train, again)
    assert not torch.equal(train, other)


def test_split_sizes_that_cannot_be_met_are_refused():
    with pytest.raises(ValueError, match="val_size"):
        split_train_val(100, val_size=100, train_limit=None, seed=0)
    with pytest.raises(ValueError, match="train_limit"):
        split_train_val(100, val_size=10, train_limit=200, seed=0)


def test_training_inputs_are_flattened_and_standardised():
    raw = make_synthetic(train_size=2000, test_size=100, noise=1.0)
    splits = to_splits(
        "synthetic", raw, val_size=200, train_limit=1000, seed=0, device=torch.device("cpu")
    )
    assert splits.train.inputs.shape == (1000, 784)
    assert len(splits.val) == 200 and len(splits.test) == 100
    assert abs(splits.train.inputs.mean().item()) < 1e-4
    assert abs(splits.train.inputs.std().item() - 1) < 1e-2
    assert splits.num_classes == 10


def test_shuffled_batches_visit_every_example_once_per_pass_in_a_new_order():
    split = Split(torch.arange(10.0).unsqueeze(1), torch.arange(10))
    batches = ShuffledBatches(split, batch_size=4, generator=torch.Generator().manual_seed(0))
    assert len(batches) == 3
    first = torch.cat([labels for _, labels in batches])
    second = torch.cat([labels for _, labels in batches])
    assert sorted(first.tolist()) == list(range(10)) == sorted(second.tolist())
    assert not torch.equal(first, second)
    replay = ShuffledBatches(split, batch_size=4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(torch.cat([labels for _, labels in replay]), first)


def test_missing_dataset_names_the_fixes(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "SYSTEM_FASHION_MNIST", tmp_path / "absent")
    with pytest.raises(DatasetUnavailableError) as error:
        load_torchvision("fashion_mnist", tmp_path / "data", download=False)
    message = str(error.value)
    assert "data.root" in message and "apt-get install dataset-fashion-mnist" in message
    assert "network" in message


def test_truncated_files_give_a_clear_error(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ):
        # A valid IDX header promising 60000 28x28 images, followed by only a few bytes.
        (raw / name).write_bytes(
            bytes([0, 0, 8, 3])
            + (60000).to_bytes(4, "big")
            + (28).to_bytes(4, "big") * 2
            + b"\x00" * 50
        )
    with pytest.raises(DatasetCorruptError, match="unreadable"):
        load_torchvision("mnist", tmp_path, download=False)


def test_corrupt_system_archive_gives_a_clear_error(tmp_path, monkeypatch):
    system = tmp_path / "system"
    system.mkdir()
    payload = gzip.compress(b"\x00" * 100000)
    for name in (
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ):
        (system / name).write_bytes(payload[: len(payload) // 2])
    monkeypatch.setattr(data_module, "SYSTEM_FASHION_MNIST", system)
    with pytest.raises(DatasetCorruptError, match="reinstall"):
        load_torchvision("fashion_mnist", tmp_path / "data", download=False)


@pytest.mark.slow
def test_real_fashion_mnist_from_the_debian_package(tmp_path):
    """Needs `apt-get install dataset-fashion-mnist` (done by .ci/run)."""
    raw = load_torchvision("fashion_mnist", tmp_path, download=False)
    assert raw.train_images.shape == (60000, 1, 28, 28)
    assert raw.test_images.shape == (10000, 1, 28, 28)
    assert torch.bincount(raw.test_labels).tolist() == [1000] * 10
    # A second load reads the unpacked files without touching the system copy.
    shutil.rmtree(tmp_path / "FashionMNIST" / "processed", ignore_errors=True)
    assert load_torchvision("fashion_mnist", tmp_path, download=False).train_labels.shape == (
        60000,
    )
