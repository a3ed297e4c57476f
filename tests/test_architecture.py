"""Architecture rules of DESIGN.md that a refactor could silently break."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ANALYSIS_MODULES = sorted(p.stem for p in (ROOT / "analysis").glob("*.py") if p.stem != "__init__")

BLOCK_TORCH = """
import sys, importlib.abc
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is blocked: analysis/ must not import it")
sys.meta_path.insert(0, Block())
import importlib
importlib.import_module(sys.argv[1])
assert not any(m == "torch" or m.startswith("torch.") for m in sys.modules), "torch got imported"
"""


def test_analysis_modules_are_listed():
    assert {"convsim", "lipschitz", "channel_grad", "collapse", "distill", "correlation"} <= set(ANALYSIS_MODULES)


@pytest.mark.parametrize("module", ANALYSIS_MODULES)
def test_analysis_imports_without_torch(module):
    """The numpy/numba library imports with torch made unimportable (a subprocess, so the test
    process's own torch does not hide an import)."""
    out = subprocess.run([sys.executable, "-c", BLOCK_TORCH, f"analysis.{module}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]


def test_the_blocker_itself_catches_torch():
    """The check above could pass vacuously if the blocker did not work: it must fail on torch."""
    out = subprocess.run([sys.executable, "-c", BLOCK_TORCH, "analysis.nets.models"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode != 0 and "torch is blocked" in out.stderr


def test_editable_install_is_a_plain_path_file():
    """Set-up used to warn "Please be careful with folders in your working directory with the same
    name as your package": setuptools falls back to a meta-path finder unless the packages' root is
    declared. With ``package-dir = {"" = "."}`` the editable install is one .pth line: the root."""
    import site
    import tomllib

    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert cfg["tool"]["setuptools"]["package-dir"] == {"": "."}
    pths = [p for d in site.getsitepackages() for p in Path(d).glob("__editable__*cnn_structure_workbench*.pth")]
    if not pths:
        pytest.skip("the project is not installed in editable mode in this environment")
    text = pths[0].read_text().strip()
    assert "import " not in text and Path(text).resolve() == ROOT, text
