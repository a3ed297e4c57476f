"""Paper 004 (dhkd) Table 6: CE + BinaryKL on one head at learning rates 1e-2, 5e-3, 1e-3.

Runs: ``analysis/nets/configs/dhkd/table6.yaml``; files under ``<out>/figures/dhkd_table6/``
(see :mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_table6"
TITLE = "dhkd Table 6: CE + BinaryKL on one head at learning rates 1e-2, 5e-3, 1e-3"
EXPERIMENT = "dhkd/table6"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "table6")
