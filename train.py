"""Train one MLP with Forward-Forward or backprop: `python train.py algo=ff` (see configs/)."""

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from ffbp.config import register_configs
from ffbp.run import RunInterrupted, StartupError, train
from ffbp.training import DivergenceError

register_configs()


@hydra.main(version_base="1.3", config_path="configs", config_name="train")
def main(cfg: DictConfig) -> float | None:
    hydra_cfg = HydraConfig.get()
    sweep_dir = hydra_cfg.sweep.dir if hydra_cfg.mode == RunMode.MULTIRUN else None
    overrides = list(hydra_cfg.overrides.task)
    try:
        return train(cfg, Path(hydra_cfg.runtime.output_dir), sweep_dir, overrides)
    except (StartupError, DivergenceError, RunInterrupted) as error:
        print(
            f"ffbp: {'stopped' if isinstance(error, RunInterrupted) else 'error'}: {error}",
            file=sys.stderr,
        )
        if sweep_dir is not None:
            raise  # Hydra records this job as failed and the sweep goes on
        if isinstance(error, RunInterrupted):
            sys.exit(128 + error.signal_number)
        sys.exit(2 if isinstance(error, StartupError) else 3)


if __name__ == "__main__":
    main()
