"""Paper 004 (dhkd) Table 7: CE + BinaryKL on one head with gradient clipping (MGNV 0.01..1), pure CE, no clipping.

Runs: ``analysis/nets/configs/dhkd/table7.yaml``; files under ``<out>/figures/dhkd_table7/``
(see :mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_table7"
TITLE = "dhkd Table 7: CE + BinaryKL on one head with gradient clipping (MGNV 0.01..1), pure CE, no clipping"
EXPERIMENT = "dhkd/table7"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "table7")
