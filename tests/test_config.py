"""Bad input fails at start-up with a message that names the problem, and leaves no run behind."""

import pytest
from conftest import REPO, run_train
from hydra import compose, initialize_config_dir

from ffbp.config import ConfigError, register_configs, validate

register_configs()


def compose_train(*overrides: str):
    with initialize_config_dir(version_base="1.3", config_dir=str(REPO / "configs")):
        return compose(config_name="train", overrides=list(overrides))


def test_defaults_compose_to_forward_forward_on_fashion_mnist():
    cfg = compose_train()
    assert cfg.algo.name == "ff" and cfg.data.name == "fashion_mnist"
    assert cfg.algo.optimizer.name == "sgd" and cfg.algo.optimizer.lr == 0.01
    validate(cfg)


def test_logger_mode_follows_wandb_mode(monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    assert compose_train().logger.mode == "disabled"
    monkeypatch.delenv("WANDB_MODE")
    assert compose_train().logger.mode == "offline"


@pytest.mark.parametrize(
    "override, message",
    [
        ("trainer.epochs=0", "trainer.epochs=0"),
        ("model.hidden_sizes=[]", "hidden_sizes is empty"),
        ("model.hidden_sizes=[10,-1]", "every width must be > 0"),
        ("algo.optimizer.lr=-1", "algo.optimizer.lr=-1.0: must be > 0"),
        ("algo.threshold=-2", "algo.threshold=-2.0: must be >= 0"),
        ("algo.goodness_from_layer=9", "must name a hidden layer"),
        ("algo.readout=false", None),
        ("algo.normalization=batchnorm", "choose one of ['l2', 'layernorm', 'none', 'rms']"),
    ],
)
def test_values_out_of_range_are_refused(override, message):
    if message is None:  # valid on its own
        validate(compose_train(override))
        with pytest.raises(ConfigError, match="algo.readout=false leaves no softmax readout"):
            validate(compose_train(override, "algo.negatives=hard"))
        return
    with pytest.raises(ConfigError) as error:
        validate(compose_train(override))
    assert message in str(error.value)


@pytest.mark.parametrize(
    "override, message",
    [
        ("trainer.epochs=many", "trainer.epochs"),
        ("trainer.epoch=3", "epoch"),
        ("algo.learning_rate=0.1", "learning_rate"),
        ("algo=sgd", "algo"),
        ("device=tpu", "device"),
    ],
)
def test_bad_overrides_exit_non_zero_with_a_clear_message(tmp_path, override, message):
    completed = run_train(override, "logger=none", cwd=tmp_path)
    assert completed.returncode != 0
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "outputs").exists()


def test_a_value_out_of_range_exits_cleanly_and_leaves_no_run(tmp_path):
    completed = run_train("trainer.epochs=0", "data=synthetic", "logger=none", cwd=tmp_path)
    assert completed.returncode == 2
    assert "ffbp: error: trainer.epochs=0: must be > 0" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not list((tmp_path / "outputs").rglob("*.json"))
    assert not [
        p for p in (tmp_path / "outputs").rglob("*") if p.is_dir() and p.name.endswith("synthetic")
    ]


def test_missing_dataset_exits_with_the_fixes(tmp_path):
    completed = run_train(
        "data=mnist",
        f"data.root={tmp_path / 'empty'}",
        "data.download=false",
        "logger=none",
        cwd=tmp_path,
    )
    assert completed.returncode == 2
    assert "dataset 'mnist' not found" in completed.stderr and "Fixes:" in completed.stderr


@pytest.mark.parametrize(
    "experiment", sorted(path.stem for path in (REPO / "configs" / "experiment").glob("*.yaml"))
)
def test_every_experiment_composes_and_validates(experiment):
    cfg = compose_train(f"experiment={experiment}")
    validate(cfg)
    assert cfg.trainer.epochs > 0


def test_the_wandb_sweep_file_drives_train_py_with_valid_overrides():
    import yaml

    sweep = yaml.safe_load((REPO / "experiments" / "wandb_sweep.yaml").read_text())
    assert sweep["program"] == "train.py"
    assert sweep["command"] == ["${env}", "${interpreter}", "${program}", "${args_no_hyphens}"]
    assert sweep["metric"] == {"name": "val/accuracy", "goal": "maximize"}
    overrides = []
    for key, spec in sweep["parameters"].items():
        value = spec.get("value", spec.get("values", [spec.get("min")])[0])
        overrides.append(f"{key}={value}")
    validate(compose_train(*overrides))
