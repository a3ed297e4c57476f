"""Paper 003 (cdg) Fig. 5 right / Fig. 10: smoothing along the output-channel axis against the
input-channel axis and a rasterized order, in conv layers and in all layers (H̃1 update
f + S_1(f), λ = 1), as gains over SGD paired by seed; configuration ``cdg/fig5.yaml``.
Files under ``<out>/figures/cdg_fig5/``: ``fig5_directions.csv/.md/.png/.pdf``."""
from __future__ import annotations

from pathlib import Path

from .cdg_compare import make_comparison
from .common import FigureContext

ID = "cdg_fig5"
TITLE = "cdg Fig. 5 right / Fig. 10: output vs input vs rasterized smoothing directions"
EXPERIMENT = "cdg/fig5"


def make(ctx: FigureContext) -> list[Path]:
    return make_comparison(ctx, ID, EXPERIMENT, "fig5_directions",
                           "Fig. 5 right / Fig. 10: test accuracy (%) and gain over SGD (95% t-interval).")
