"""The engine's import graph (issue 12 §3): no cycle through the trainer, the hooks and the run
cache (function-level imports count too), and the library never imports the command line."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NETS = ROOT / "analysis" / "nets"
ENGINE = {"train", "hooks", "cache", "runcore", "config", "fingerprint"}


def _imports(path: Path) -> set[str]:
    """Dotted names a module imports anywhere in its body (relative imports resolved in analysis.nets)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = "analysis.nets" if node.level == 1 else "analysis"
                mod = f"{base}.{node.module}" if node.module else base
                out.add(mod)
                if not node.module:
                    out |= {f"{base}.{a.name}" for a in node.names}
            elif node.module:
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def _graph() -> dict[str, set[str]]:
    return {p.stem: {m.rsplit(".", 1)[1] for m in _imports(p) if m.startswith("analysis.nets.")} & ENGINE
            for p in NETS.glob("*.py") if p.stem in ENGINE}


def test_no_import_cycle_through_trainer_hooks_and_cache():
    g = _graph()

    def reach(a):
        seen, todo = set(), [a]
        while todo:
            for b in g.get(todo.pop(), ()):
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
        return seen
    cycles = sorted(m for m in g if m in reach(m))
    assert cycles == [], f"import cycles through {cycles}: {g}"


def test_library_never_imports_the_command_line():
    for p in (ROOT / "analysis").rglob("*.py"):
        text = p.read_text()
        tree_imports = _imports(p)
        assert not any(m == "workbench" or m.startswith("workbench.") for m in tree_imports), p
        if p.name != "train.py":
            assert "workbench.cli" not in text, p
