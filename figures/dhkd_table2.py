"""Paper 004 (dhkd) dhkd Table 2 (CIFAR-100, five cross-architecture pairs): student, KD, DKD, DHKD.

Runs: ``analysis/nets/configs/dhkd/table2.yaml`` (paper and smoke presets on the model zoo; the paper
preset needs the paper's data and a GPU); files under ``<out>/figures/dhkd_table2/`` (see
:mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_table2"
TITLE = "dhkd Table 2 (CIFAR-100, five cross-architecture pairs): student, KD, DKD, DHKD"
EXPERIMENT = "dhkd/table2"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "table2")
