"""Numpy/numba mathematics of the four papers (never imports torch; see analysis/nets for torch)."""
