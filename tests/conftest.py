"""Shared test settings: one torch thread per process (bit-identical runs; no oversubscription on
2 cores when pytest and numba also use threads)."""
import torch

torch.set_num_threads(1)
