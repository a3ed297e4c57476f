"""Paper 004 (dhkd), issue 15 §2 quick analogues of Tables 1-2 on the 100-class stand-in
(fashion-mnist-pairs100, never CIFAR-100): kd.resnet14 -> kd.resnet8 (same family) and
kd.resnet14 -> kd.vgg8 x 0.25 (cross family), each student alone, KD, DKD, DHKD.

Runs: ``analysis/nets/configs/dhkd/zoo.yaml``; files under ``<out>/figures/dhkd_zoo/`` (see
:mod:`figures.dhkd_tables`). Its quick preset is sized honestly above the 15-minute figure budget
(about 26 minutes with 2 workers; see the YAML), outside the dhkd 45-minute total.
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_zoo"
TITLE = "dhkd zoo analogues (stand-in, K = 100): student, KD, DKD, DHKD for resnet14 -> resnet8 and -> vgg8"
EXPERIMENT = "dhkd/zoo"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "zoo")
