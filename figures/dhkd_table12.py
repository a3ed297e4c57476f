"""Paper 004 (dhkd) dhkd Table 12 (WRN-40-2 -> WRN-16-2, ResNet50 -> MBN-V2): student, KD, dual head + KD, DHKD.

Runs: ``analysis/nets/configs/dhkd/table12.yaml`` (paper and smoke presets on the model zoo; the paper
preset needs the paper's data and a GPU); files under ``<out>/figures/dhkd_table12/`` (see
:mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_table12"
TITLE = "dhkd Table 12 (WRN-40-2 -> WRN-16-2, ResNet50 -> MBN-V2): student, KD, dual head + KD, DHKD"
EXPERIMENT = "dhkd/table12"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "table12")
