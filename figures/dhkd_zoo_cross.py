"""Paper 004 (dhkd), issue 15 §2 quick analogue of Table 2 (cross family) on the 100-class stand-in
(fashion-mnist-pairs100, never CIFAR-100): kd.resnet14 -> kd.vgg8 x 0.25, student alone, KD, DKD, DHKD.

Runs: ``analysis/nets/configs/dhkd/zoo_cross.yaml`` (the same-family pair is :mod:`figures.dhkd_zoo`;
the two share one teacher run); files under ``<out>/figures/dhkd_zoo_cross/`` (see
:mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_zoo_cross"
TITLE = "dhkd zoo analogue, cross family (stand-in, K = 100): student, KD, DKD, DHKD for resnet14 -> vgg8 x 0.25"
EXPERIMENT = "dhkd/zoo_cross"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "zoo_cross")
