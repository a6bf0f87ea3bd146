"""The profiles of scripts/hw_tradeoffs.py: which points each trade-off figure has, on which
network and recipe, and where the sweep files, reports and figures go."""
import os

import figlib

REPO = figlib.REPO

# Weight-bit scaling: a b-bit network keeps the recipe's network when every threshold and the
# inhibition scale by 2^(b - recipe bits), and the charge and potential widths move with it (when the
# recipe sets them); err_unit and theta_err are in error-spike units, not weight LSBs, and stay. The
# pulse scales too but cannot go below 1 LSB. The chip defaults are the recipe when it sets none.
THRESHOLDS_16 = {"theta": 16384, "theta-out": 16384, "theta-grad": 1024, "inhibition": 4096}

# The headline MNIST chip-mode recipe (sweeps/headline_mnist_chip.json): T = 50, 24 epochs.
MNIST_RECIPE = {"dataset": "mnist", "hidden": 1280, "mode": "stochastic", "tau-divisor": 25, "weight-bits": 19,
                "charge-bits": 28, "potential-bits": 28, "theta": 65536, "theta-out": 65536, "theta-grad": 8192,
                "inhibition": 16384, "theta-err": 128, "dropout-input": 0.1, "dropout-hidden": 0.15}
MNIST_SCHEDULE = [16] * 4 + [8] * 4 + [4] * 4 + [2] * 4 + [1] * 8

BANDWIDTH = {"bandwidth_base": {"dataset": "subset", "hidden": 1280, "timesteps": 64,
                                "train-samples": 200, "test-samples": 100},
             "events_per_cycle": [1, 2, 4, 8, 16, 64], "bandwidth_tiles": [256, 64]}

PROFILES = {
    "mnist": {
        "recipe": MNIST_RECIPE, "recipe_t": 50, "schedule": MNIST_SCHEDULE,
        "train_base": {"epochs": 24, "validation": 10000, "select": "last"},   # golden: the accuracy
        "train_seeds": [2, 3],                                                 # of the reference point
        "learn_base": {"epochs": 1, "train-samples": 1000, "test-samples": 100},  # chip: training cost
        "infer_base": {"dataset": "mnist", "test-samples": 1000},               # chip: inference cost
        "timesteps": [16, 25, 50, 100, 200],
        "ref_t": 50,
        "bits": [10, 12, 14, 16, 19],
        "bit_controls": [12, 14],
        "tiles": [64, 128, 256, 0],
        **BANDWIDTH,
        "sweep_dir": os.path.join(REPO, "sweeps"),
        "sweep_prefix": "hw_mnist_",
        "out_rel": "../docs/results/hw_tradeoffs_mnist",
        "img_dir": os.path.join(REPO, "docs", "img"),
        "data_dir": os.path.join(REPO, "docs", "results"),
        "suffix": "",
    },
    "subset": {
        "recipe": {"dataset": "subset", "hidden": 256}, "recipe_t": 64, "schedule": [4],
        "learn_base": {"epochs": 1, "train-samples": 2000, "test-samples": 1000},
        "timesteps": [16, 32, 64, 128, 256],
        "ref_t": 64,
        "bits": [8, 10, 12, 14, 16],
        "bit_controls": [8, 10, 12],   # 16-bit runs with the relative pulse of these widths
        "tiles": [64, 128, 256, 0],
        **BANDWIDTH,
        "noise_seeds": [2, 3],         # reruns of the T = 64 point with other seeds: the seed spread
        "sweep_dir": os.path.join(REPO, "sweeps"),
        "sweep_prefix": "hw_",
        "out_rel": "../docs/results/hw_tradeoffs",
        "img_dir": os.path.join(REPO, "docs", "img"),
        "data_dir": os.path.join(REPO, "docs", "results"),
        "suffix": "_subset",
    },
    "ci": {
        "recipe": {"dataset": "subset", "hidden": 16}, "recipe_t": 16, "schedule": [16, 8],
        "train_base": {"epochs": 2, "train-samples": 60, "test-samples": 20, "validation": 20, "select": "last"},
        "train_seeds": [2],
        "learn_base": {"epochs": 1, "train-samples": 40, "test-samples": 20},
        "infer_base": {"dataset": "subset", "test-samples": 20},
        "timesteps": [8, 16, 32],
        "ref_t": 16,
        "bits": [8, 12, 16],
        "bit_controls": [8],
        "tiles": [8, 16, 0],
        "bandwidth_base": {"dataset": "subset", "hidden": 32, "timesteps": 16,
                           "train-samples": 20, "test-samples": 10},
        "events_per_cycle": [1, 4, 64],
        "bandwidth_tiles": [256, 16],
        "sweep_dir": os.path.join(REPO, "tb", "hw_tradeoffs"),
        "sweep_prefix": "ci_",
        "out_rel": "ref",
        "img_dir": None,    # ci figures go to a temporary folder unless --img-dir is given
        "data_dir": None,
        "suffix": "",
    },
}
