"""Paper 004 (dhkd) dhkd Table 9 (CIFAR-100, Table 2 pairs): DHKD with BinaryKL vs BinaryKL-Norm at tau = 2.

Runs: ``analysis/nets/configs/dhkd/table9.yaml`` (paper and smoke presets on the model zoo; the paper
preset needs the paper's data and a GPU); files under ``<out>/figures/dhkd_table9/`` (see
:mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_table9"
TITLE = "dhkd Table 9 (CIFAR-100, Table 2 pairs): DHKD with BinaryKL vs BinaryKL-Norm at tau = 2"
EXPERIMENT = "dhkd/table9"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "table9")
