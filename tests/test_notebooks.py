"""Execute every notebook in notebooks/; each asserts its key numbers, so breakage fails here."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_convsim_notebook_exists():
    assert any(p.name == "convsim.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    # Exploring in Jupyter means seeing the figures: every notebook that plots must keep its plots
    # as image outputs (the inline backend), not draw them into a headless backend and drop them.
    plots = any("plt." in c.source or ".plot" in c.source for c in nb.cells if c.cell_type == "code")
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    if plots:
        assert images, f"{path.name} plots but its executed outputs hold no image"


def test_no_notebook_forces_a_headless_backend():
    for path in NOTEBOOKS:
        assert "matplotlib.use(" not in path.read_text(), path.name
