"""Paper 004 (dhkd) Table 1, resnet56 -> resnet20 on CIFAR-100: student, vanilla KD, DHKD.

Runs: ``analysis/nets/configs/dhkd/table1.yaml`` (paper and smoke presets; the paper preset needs
CIFAR-100 and a GPU); files under ``<out>/figures/dhkd_table1/`` (see :mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_table1"
TITLE = "dhkd Table 1 (resnet56 -> resnet20, CIFAR-100): student, vanilla KD, DHKD"
EXPERIMENT = "dhkd/table1"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "table1")
