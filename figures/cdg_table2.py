"""Paper 003 (cdg) Table 2 and Fig. 5 left: baseline optimizer against +H̃1 and +H0_λ (λ = 1) per
network and batch size, with the spread over trials; gains paired by seed.

Presets: ``paper`` and ``smoke`` use ``cdg/table2.yaml`` (ResNet-56 / VGG-16 on CIFAR-10; smoke
is it cut to one step on synthetic CIFAR files); ``quick`` uses ``cdg/table2_quick.yaml`` (the
2-layer CNN on Fashion-MNIST at batch 100 and 10).
Files under ``<out>/figures/cdg_table2/``: ``table2.csv/.md/.png/.pdf``."""
from __future__ import annotations

from pathlib import Path

from .cdg_compare import make_comparison
from .common import FigureContext

ID = "cdg_table2"
TITLE = "cdg Table 2 / Fig. 5 left: +H~1 and +H0_lambda over SGD/ADAM by batch size"
EXPERIMENT = "cdg/table2"
QUICK_EXPERIMENT = "cdg/table2_quick"


def experiment_for(preset: str) -> str:
    return QUICK_EXPERIMENT if preset == "quick" else EXPERIMENT


def make(ctx: FigureContext) -> list[Path]:
    return make_comparison(ctx, ID, experiment_for(ctx.preset), "table2",
                           "Table 2: test accuracy (%), spread over trials, gain over the baseline "
                           "(95% t-interval).")
