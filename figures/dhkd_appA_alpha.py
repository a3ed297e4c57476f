"""Paper 004 (dhkd) Appendix A: CE + alpha BinaryKL on one head for small alpha vs vanilla KD.

Runs: ``analysis/nets/configs/dhkd/appA_alpha.yaml``; files under ``<out>/figures/dhkd_appA_alpha/``
(see :mod:`figures.dhkd_tables`).
"""
from __future__ import annotations

from pathlib import Path

from .common import FigureContext
from .dhkd_tables import make_table

ID = "dhkd_appA_alpha"
TITLE = "dhkd Appendix A: CE + alpha BinaryKL on one head for small alpha vs vanilla KD"
EXPERIMENT = "dhkd/appA_alpha"


def make(ctx: FigureContext) -> list[Path]:
    return make_table(ctx, ID, EXPERIMENT, TITLE, "appA_alpha")
