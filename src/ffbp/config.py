"""Structured configs: the schema behind `configs/`, so a typo or a wrong type fails at start-up.

Hydra merges every YAML file and command-line override into these dataclasses; OmegaConf
rejects unknown keys and values of the wrong type before any work starts. Ranges and
cross-field rules that a type cannot express are checked by `validate`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf


class ConfigError(ValueError):
    """A config value is out of range or inconsistent; raised before any work starts."""


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"
    mps = "mps"


class OptimizerName(str, Enum):
    adam = "adam"
    sgd = "sgd"


class LRSchedule(str, Enum):
    constant = "constant"
    # Hinton's recipe: constant for the first half of training, then linear decay to 0.
    hinton = "hinton"


class WandbMode(str, Enum):
    offline = "offline"
    online = "online"
    disabled = "disabled"


@dataclass
class OptimizerConfig:
    name: OptimizerName = OptimizerName.adam
    lr: float = 1e-3
    momentum: float = 0.9  # SGD only
    # SGD only: Hinton's code smooths gradients as buf = 0.9 buf + 0.1 grad (dampening 0.9).
    dampening: float = 0.0
    weight_decay: float = 0.0
    lr_schedule: LRSchedule = LRSchedule.constant


@dataclass
class BackpropConfig:
    name: str = "bp"
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)


class FFSchedule(str, Enum):
    simultaneous = "simultaneous"  # every layer updates on every batch
    layerwise = "layerwise"  # layer 1 for its share of the epochs, then layer 2, ...


class FFPrediction(str, Enum):
    goodness = "goodness"  # the label whose embedded input yields the most goodness
    softmax = "softmax"  # linear readout of the activities with the neutral label


@dataclass
class ForwardForwardConfig:
    name: str = "ff"
    optimizer: OptimizerConfig = field(
        default_factory=lambda: OptimizerConfig(
            name=OptimizerName.sgd,
            lr=0.01,
            momentum=0.9,
            dampening=0.9,
            weight_decay=0.001,
            lr_schedule=LRSchedule.hinton,
        )
    )
    # Train the softmax readout on a neutral-label pass (needed by prediction=softmax, hard
    # negatives and unsupervised FF); false saves that pass: goodness prediction only.
    readout: bool = True
    # The softmax readout learns with its own rate and weight decay (Hinton's code: 0.1, 0.003).
    readout_lr: float = 0.1
    readout_weight_decay: float = 0.003
    goodness: str = "sum_of_squares"  # key of ffbp.ff.goodness.GOODNESS_FUNCTIONS
    loss: str = "logistic"  # key of ffbp.ff.losses.LAYER_LOSSES
    normalization: str = "rms"  # key of ffbp.ff.normalization.NORMALIZATIONS
    # A key of ffbp.ff.negatives.NEGATIVE_LABELS (random | hard | all), or hybrid_images:
    # unsupervised FF, no label in the input (Hinton 2022, section 3.2).
    negatives: str = "random"
    hybrid_blur_steps: int = 10
    threshold: float | None = None  # None: goodness of a unit-RMS vector (sum of squares: width)
    temperature: float = 1.0
    symba_alpha: float = 4.0  # the SymBa loss's sharpness
    label_strength: float = 1.0
    neutral_label_value: float = 0.1
    peer_normalization: float = 0.03  # lambda; 0 turns it off
    peer_momentum: float = 0.9
    schedule: FFSchedule = FFSchedule.simultaneous
    epochs_per_layer: int | None = None  # layerwise: None splits trainer.epochs evenly
    prediction: FFPrediction = FFPrediction.goodness
    goodness_from_layer: int = 2  # goodness prediction sums hidden layers from here to L
    readout_from_layer: int = 2  # softmax readout reads hidden layers from here to L


@dataclass
class DataConfig:
    name: str = "fashion_mnist"  # key of ffbp.data.DATASETS
    root: str = "data"
    download: bool = True  # fall back to torchvision's download when no local files exist
    train_limit: int | None = None  # use N training examples (seeded); null = all
    val_size: int = 5000  # held out from the training set
    # The synthetic task only:
    synthetic_train_size: int = 6000
    synthetic_test_size: int = 2000
    synthetic_noise: float = 1.0


class WeightInit(str, Enum):
    # Weights ~ N(0, 1/fan_in), biases 0: Hinton's code, for both algorithms.
    normal_fan_in = "normal_fan_in"
    torch_default = "torch_default"  # nn.Linear's uniform(+-1/sqrt(fan_in))


@dataclass
class ModelConfig:
    hidden_sizes: list[int] = field(default_factory=lambda: [1000, 1000, 1000])
    init: WeightInit = WeightInit.normal_fan_in


@dataclass
class TrainerConfig:
    epochs: int = 5
    batch_size: int = 100
    eval_batch_size: int = 1000
    progress_bar: bool = True
    checkpoint_every: int = 1  # epochs between checkpoints in the run directory; 0: never
    resume: bool = False  # continue from the run directory's checkpoint (hydra.run.dir=...)
    resume_from: str | None = None  # continue from this checkpoint file


@dataclass
class LoggerConfig:
    backend: str = "wandb"  # wandb | none
    mode: WandbMode = WandbMode.offline
    project: str = "ffbp"
    entity: str | None = None
    group: str | None = None  # null: the sweep's name in a multirun, else the dataset's
    tags: list[str] = field(default_factory=list)


@dataclass
class TrainConfig:
    algo: Any = MISSING
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    logger: LoggerConfig = field(default_factory=LoggerConfig)
    seed: int = 0
    device: Device = Device.auto


UNSUPERVISED_NEGATIVES = "hybrid_images"

ALGORITHM_SCHEMAS = {"bp": BackpropConfig, "ff": ForwardForwardConfig}


def wandb_mode_from_environment() -> str:
    """`WANDB_MODE` when set and not empty (W&B's own convention), else offline."""
    return os.environ.get("WANDB_MODE") or WandbMode.offline.value


def algorithm_config(name: str, **overrides: Any) -> DictConfig:
    """Algorithm `name`'s schema defaults with dotted overrides: the same config object Hydra
    composes, for use without Hydra (benchmarks, tests)."""
    cfg = OmegaConf.structured(ALGORITHM_SCHEMAS[name]())
    for key, value in overrides.items():
        OmegaConf.update(cfg, key, value)
    return cfg


def register_configs() -> None:
    """Make the schemas visible to Hydra: `configs/train.yaml` and `configs/algo/*` extend them."""
    OmegaConf.register_new_resolver("wandb_mode", wandb_mode_from_environment, replace=True)
    store = ConfigStore.instance()
    store.store(name="train_schema", node=TrainConfig)
    for name, schema in ALGORITHM_SCHEMAS.items():
        store.store(group="schema/algo", name=name, node=schema)


def to_plain_dict(cfg: DictConfig) -> dict[str, Any]:
    """The fully resolved config as JSON-ready Python types (enums as their names)."""
    return OmegaConf.to_container(cfg, resolve=True, enum_to_str=True)  # type: ignore[return-value]


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """A nested config dict as `{"dotted.key": value}`, the way overrides name its values."""
    if not isinstance(node, dict):
        return {prefix: node}
    flat: dict[str, Any] = {}
    for key, value in node.items():
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def validate(cfg: DictConfig) -> None:
    """Check what types cannot: ranges, names of registered functions, cross-field rules."""
    from ffbp.algorithms import ALGORITHMS
    from ffbp.data import DATASETS

    _require(
        cfg.algo.name in ALGORITHMS,
        f"algo.name={cfg.algo.name!r}: choose one of {sorted(ALGORITHMS)}",
    )
    _require(
        cfg.data.name in DATASETS, f"data.name={cfg.data.name!r}: choose one of {sorted(DATASETS)}"
    )
    _require(cfg.trainer.epochs > 0, f"trainer.epochs={cfg.trainer.epochs}: must be > 0")
    _require(
        cfg.trainer.batch_size > 0, f"trainer.batch_size={cfg.trainer.batch_size}: must be > 0"
    )
    _require(
        cfg.trainer.eval_batch_size > 0,
        f"trainer.eval_batch_size={cfg.trainer.eval_batch_size}: must be > 0",
    )
    _require(
        cfg.trainer.checkpoint_every >= 0,
        f"trainer.checkpoint_every={cfg.trainer.checkpoint_every}: must be >= 0 (0: never)",
    )
    hidden_sizes = list(cfg.model.hidden_sizes)
    _require(len(hidden_sizes) > 0, "model.hidden_sizes is empty: give at least one layer width")
    _require(
        all(size > 0 for size in hidden_sizes),
        f"model.hidden_sizes={hidden_sizes}: every width must be > 0",
    )
    _require(cfg.data.val_size >= 0, f"data.val_size={cfg.data.val_size}: must be >= 0")
    _require(
        cfg.data.train_limit is None or cfg.data.train_limit > 0,
        f"data.train_limit={cfg.data.train_limit}: must be > 0 or null",
    )
    _require(
        cfg.logger.backend in ("wandb", "none"),
        f"logger.backend={cfg.logger.backend!r}: wandb or none",
    )
    optimizer = cfg.algo.optimizer
    _require(optimizer.lr > 0, f"algo.optimizer.lr={optimizer.lr}: must be > 0")
    _require(
        optimizer.weight_decay >= 0,
        f"algo.optimizer.weight_decay={optimizer.weight_decay}: must be >= 0",
    )
    _require(
        0 <= optimizer.momentum < 1,
        f"algo.optimizer.momentum={optimizer.momentum}: must be in [0, 1)",
    )
    _require(
        0 <= optimizer.dampening < 1,
        f"algo.optimizer.dampening={optimizer.dampening}: must be in [0, 1)",
    )
    if cfg.algo.name == "ff":
        _validate_forward_forward(cfg.algo, num_layers=len(hidden_sizes), epochs=cfg.trainer.epochs)


def _validate_forward_forward(algo: DictConfig, num_layers: int, epochs: int) -> None:
    from ffbp.ff.goodness import GOODNESS_FUNCTIONS
    from ffbp.ff.losses import LAYER_LOSSES
    from ffbp.ff.negatives import NEGATIVE_LABELS
    from ffbp.ff.normalization import NORMALIZATIONS

    for key, registry in [
        ("goodness", GOODNESS_FUNCTIONS),
        ("loss", LAYER_LOSSES),
        ("normalization", NORMALIZATIONS),
        ("negatives", [*NEGATIVE_LABELS, UNSUPERVISED_NEGATIVES]),
    ]:
        _require(
            algo[key] in registry, f"algo.{key}={algo[key]!r}: choose one of {sorted(registry)}"
        )
    _require(
        algo.threshold is None or algo.threshold >= 0,
        f"algo.threshold={algo.threshold}: must be >= 0",
    )
    _require(algo.readout_lr > 0, f"algo.readout_lr={algo.readout_lr}: must be > 0")
    _require(
        algo.readout_weight_decay >= 0,
        f"algo.readout_weight_decay={algo.readout_weight_decay}: must be >= 0",
    )
    _require(algo.temperature > 0, f"algo.temperature={algo.temperature}: must be > 0")
    _require(
        algo.peer_normalization >= 0,
        f"algo.peer_normalization={algo.peer_normalization}: must be >= 0",
    )
    _require(
        0 <= algo.peer_momentum < 1, f"algo.peer_momentum={algo.peer_momentum}: must be in [0, 1)"
    )
    for key in ("goodness_from_layer", "readout_from_layer"):
        _require(
            1 <= algo[key] <= num_layers,
            f"algo.{key}={algo[key]}: must name a hidden layer, 1..{num_layers}",
        )
    _require(algo.symba_alpha > 0, f"algo.symba_alpha={algo.symba_alpha}: must be > 0")
    _require(
        algo.hybrid_blur_steps >= 1,
        f"algo.hybrid_blur_steps={algo.hybrid_blur_steps}: must be >= 1",
    )
    if algo.negatives == UNSUPERVISED_NEGATIVES:
        _require(
            algo.prediction == FFPrediction.softmax,
            "algo.negatives=hybrid_images puts no label in the input, so goodness cannot predict "
            "one: set algo.prediction=softmax",
        )
    if not algo.readout:
        _require(
            algo.prediction == FFPrediction.goodness
            and algo.negatives not in ("hard", UNSUPERVISED_NEGATIVES),
            "algo.readout=false leaves no softmax readout: it needs algo.prediction=goodness and "
            "negatives that do not come from the readout (random or all)",
        )
    if algo.epochs_per_layer is not None:
        _require(
            algo.epochs_per_layer > 0, f"algo.epochs_per_layer={algo.epochs_per_layer}: must be > 0"
        )
        needed = (num_layers - 1) * algo.epochs_per_layer + 1
        _require(
            algo.schedule == FFSchedule.layerwise and epochs >= needed,
            f"algo.epochs_per_layer={algo.epochs_per_layer} needs algo.schedule=layerwise and "
            f"trainer.epochs >= {needed} for {num_layers} layers (got {epochs})",
        )
    if algo.schedule == FFSchedule.layerwise:
        _require(
            epochs >= num_layers,
            f"algo.schedule=layerwise needs trainer.epochs >= {num_layers} (one per layer), "
            f"got {epochs}",
        )
