"""Paper 004 (dhkd) Table 11: DHKD alpha sensitivity (0.2, 0.5, 1, 2, 5).

Runs: ``analysis/nets/configs/dhkd/table11.yaml``; files under ``<out>/figures/dhkd_table11/``
(see :mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_table11"
TITLE = "dhkd Table 11: DHKD alpha sensitivity (0.2, 0.5, 1, 2, 5)"
EXPERIMENT = "dhkd/table11"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "table11")
