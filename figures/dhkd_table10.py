"""Paper 004 (dhkd) dhkd Table 10 accuracy row (resnet32x4 -> resnet8x4): student, KD, DKD, DHKD w/o and w/ GA.

Runs: ``analysis/nets/configs/dhkd/table10.yaml`` (paper and smoke presets on the model zoo; the paper
preset needs the paper's data and a GPU); files under ``<out>/figures/dhkd_table10/`` (see
:mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_table10"
TITLE = "dhkd Table 10 accuracy row (resnet32x4 -> resnet8x4): student, KD, DKD, DHKD w/o and w/ GA"
EXPERIMENT = "dhkd/table10"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "table10")
