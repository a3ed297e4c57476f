"""Shared test settings: one torch thread per process (bit-identical runs; no oversubscription on
2 cores when pytest and numba also use threads), and the fixtures several test files use."""
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No real data anywhere: the usual places are empty folders of tmp_path, no $WORKBENCH_DATA."""
    from analysis.nets import data as D

    usual = [tmp_path / "usual_system", tmp_path / "usual_cache", tmp_path / "usual_cwd_data"]
    monkeypatch.setattr(D, "_default_places", lambda: list(usual))
    monkeypatch.delenv("WORKBENCH_DATA", raising=False)
    return tmp_path
