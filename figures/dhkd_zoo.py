"""Paper 004 (dhkd), issue 15 §2 quick analogue of Table 1 (same family) on the 100-class stand-in
(fashion-mnist-pairs100, never CIFAR-100): kd.resnet14 -> kd.resnet8, student alone, KD, DKD, DHKD.

Runs: ``analysis/nets/configs/dhkd/zoo.yaml`` (the cross-family pair is :mod:`figures.dhkd_zoo_cross`;
the two share one teacher run); files under ``<out>/figures/dhkd_zoo/`` (see
:mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_zoo"
TITLE = "dhkd zoo analogue, same family (stand-in, K = 100): student, KD, DKD, DHKD for resnet14 -> resnet8"
EXPERIMENT = "dhkd/zoo"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "zoo")
