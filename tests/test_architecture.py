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


# ----------------------------------------------------------------------------- engine shape (issue 12 §3)

ENGINE_MODULES = ("train", "hooks", "cache", "runcore")


def _top_level_imports(path: Path, package: str) -> set[str]:
    """Modules of ``package`` a file imports at import time (module level, including inside
    if/try blocks; imports inside functions run later and cannot form an import-time cycle)."""
    import ast

    def stmts(body):
        for node in body:
            yield node
            if isinstance(node, (ast.If, ast.Try, ast.With)):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    for sub in getattr(node, field, []) or []:
                        yield from stmts(sub.body if isinstance(sub, ast.ExceptHandler) else [sub])

    deps = set()
    for node in stmts(ast.parse(path.read_text()).body):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                deps |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
            elif node.module and node.module.startswith(package + "."):
                deps.add(node.module[len(package) + 1:].split(".")[0])
            elif node.module == package:
                deps |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            deps |= {a.name[len(package) + 1:].split(".")[0] for a in node.names if a.name.startswith(package + ".")}
    return deps


def test_no_import_cycle_in_analysis_nets():
    """The old cycle train → hooks → cache → train (and any other) is gone: the module-level import
    graph of analysis/nets is acyclic."""
    folder = ROOT / "analysis" / "nets"
    mods = {p.stem for p in folder.glob("*.py")}
    graph = {m: _top_level_imports(folder / f"{m}.py", "analysis.nets") & mods for m in mods}
    state: dict[str, int] = {}

    def visit(m, path):
        if state.get(m) == 1:
            raise AssertionError("import cycle: " + " → ".join([*path[path.index(m):], m]))
        if state.get(m) == 2:
            return
        state[m] = 1
        for d in sorted(graph[m]):
            visit(d, [*path, m])
        state[m] = 2

    for m in sorted(graph):
        visit(m, [])
    assert "cache" in graph["train"] and "train" not in graph["cache"] and "train" not in graph["hooks"]


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_engine_module_imports_first_in_a_fresh_interpreter(module):
    """Each of train, hooks, cache, runcore imports as the first project module (an import cycle
    shows as an ImportError for one of the orders), and importing the trainer loads no command line."""
    code = (f"import sys, analysis.nets.{module}; "
            "bad = sorted(m for m in sys.modules if m == 'workbench' or m.startswith('workbench.')); "
            "assert not bad, bad")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]


def test_command_line_handlers_live_in_workbench():
    """Every `workbench` subcommand's handler is in workbench/ (issue 12 §3); the library has no
    argument parsing and no cli_* handlers, and the trainer never imports workbench.cli at import time."""
    import ast
    import re

    offenders = []
    for folder in ("analysis", "figures", "validation"):
        for p in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(p.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and node.name.startswith("cli_"):
                    offenders.append(f"{p.relative_to(ROOT)}: def {node.name}")
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                    if any(n == "argparse" for n in names):
                        offenders.append(f"{p.relative_to(ROOT)}: import argparse")
    assert not offenders, offenders
    text = (ROOT / "workbench" / "cli.py").read_text()
    delegated = re.findall(r'_delegate\("([\w.]+)", "(\w+)"', text)
    assert delegated and all(mod.startswith("workbench.") for mod, _ in delegated), delegated
    train = (ROOT / "analysis" / "nets" / "train.py").read_text()
    assert not re.search(r"^\s*(import|from)\s+workbench", train, re.M), "the trainer imports workbench"
