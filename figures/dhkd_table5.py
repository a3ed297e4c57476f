"""Paper 004 (dhkd) Table 5 ablation: CE, BinaryKL-Norm alone (row 2), single-head CE+BinaryKL-Norm, dual head,
+GA, +MLP aux head, and the issue-16 control GA per tensor (quick: the 100-class stand-in, never CIFAR-100).

Runs: ``analysis/nets/configs/dhkd/table5.yaml``; files under ``<out>/figures/dhkd_table5/``
(see :mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_table5"
TITLE = "dhkd Table 5 ablation: CE, Norm alone, single-head CE+Norm, dual head, +GA (flat / per tensor), +MLP aux head"
EXPERIMENT = "dhkd/table5"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "table5")
