"""Train one MLP with Forward-Forward or backprop: `python train.py algo=ff` (see configs/)."""

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from ffbp.config import register_configs
from ffbp.run import StartupError, train

register_configs()


@hydra.main(version_base="1.3", config_path="configs", config_name="train")
def main(cfg: DictConfig) -> float | None:
    hydra_cfg = HydraConfig.get()
    sweep_dir = hydra_cfg.sweep.dir if hydra_cfg.mode == RunMode.MULTIRUN else None
    try:
        return train(cfg, Path(hydra_cfg.runtime.output_dir), sweep_dir=sweep_dir)
    except StartupError as error:
        print(f"ffbp: error: {error}", file=sys.stderr)
        if sweep_dir is not None:
            raise  # Hydra records this job as failed and the sweep goes on
        sys.exit(2)


if __name__ == "__main__":
    main()
