"""Suite and benchmark registries: a suite plugs in by adding one module, touching no other.

A validation suite is a module ``validation/suites/<name>.py`` that decorates one function with
``@register_suite(name, paper=...)``; the function takes a :class:`SuiteContext` and yields
:class:`~validation.ledger.Claim` objects. A benchmark is a module ``validation/benches/<name>.py``
with ``@register_bench(name)`` on a function ``(ctx) -> dict`` of speed figures (ratios).
Both folders are scanned by :func:`load_all`, so ``--suite all`` runs every suite that exists.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .ledger import Claim


@dataclass(frozen=True)
class SuiteContext:
    """What a suite may depend on; nothing else is global.

    preset:   "quick" | "paper" | "smoke" — which cached network runs the suite reads.
    episodes: None = the paper's episode counts; an int overrides them (quick checks).
    seed:     base seed; every random draw of a suite derives from it.
    out:      results root (``--out``); network runs live under ``out/runs/<hash>/``.
    data_dir: ``--data-dir`` or None.
    progress: show tqdm progress bars.
    """

    preset: str = "paper"
    episodes: int | None = None
    seed: int = 0
    out: Path = Path("results")
    data_dir: Path | None = None
    progress: bool = True
    options: dict = field(default_factory=dict)

    def n_episodes(self, paper_default: int) -> int:
        return int(self.episodes) if self.episodes is not None else int(paper_default)


@dataclass(frozen=True)
class PaperItem:
    """One checkable item of a paper (a numbered equation, table, figure, proposition or
    quantitative sentence) with the claims that cover it, or the reason it cannot be checked.

    ``claims`` are claim ids; an entry ending in ``*`` is an id prefix (``"convsim.table1.*"``).
    """

    label: str
    claims: tuple[str, ...] = ()
    reason: str = ""

    def __post_init__(self):
        if bool(self.claims) == bool(self.reason):
            raise ValueError(f"paper item {self.label!r}: give covering claim ids or a reason, not both/neither")

    def covered_by(self, ids: Iterable[str]) -> list[str]:
        ids = list(ids)
        hit = []
        for pat in self.claims:
            if pat.endswith("*"):
                hit += [i for i in ids if i.startswith(pat[:-1])]
            elif pat in ids:
                hit.append(pat)
        return hit


def coverage(items: Iterable[PaperItem], claim_ids: Iterable[str]) -> dict:
    """{items, covered, not_checkable, uncovered: [labels whose claim ids are absent]}."""
    items = list(items)
    ids = list(claim_ids)
    checkable = [it for it in items if it.claims]
    uncovered = [it.label for it in checkable if not it.covered_by(ids)]
    return {"items": len(items), "covered": len(checkable) - len(uncovered),
            "not_checkable": len(items) - len(checkable), "uncovered": uncovered,
            "fraction": round((len(checkable) - len(uncovered)) / len(items), 4) if items else None}


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    paper: str
    func: Callable[[SuiteContext], Iterable[Claim]]
    doc: str
    items: tuple[PaperItem, ...] = ()


@dataclass(frozen=True)
class BenchSpec:
    name: str
    func: Callable[[SuiteContext], dict]
    doc: str


SUITES: dict[str, SuiteSpec] = {}
BENCHES: dict[str, BenchSpec] = {}


def register_suite(name: str, paper: str, items: Iterable[PaperItem] = ()):
    """Register a suite; ``items`` declares its paper's checkable items (the coverage)."""
    def deco(func):
        if name in SUITES and SUITES[name].func is not func:
            raise ValueError(f"suite {name!r} registered twice")
        SUITES[name] = SuiteSpec(name, paper, func, (func.__doc__ or "").strip(), tuple(items))
        return func
    return deco


def register_bench(name: str):
    def deco(func):
        BENCHES[name] = BenchSpec(name, func, (func.__doc__ or "").strip())
        return func
    return deco


def _import_package_modules(package: str) -> None:
    pkg = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules([str(Path(pkg.__file__).parent)]), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package}.{info.name}")


def load_all() -> None:
    """Import every module under validation/suites and validation/benches (registers them)."""
    _import_package_modules("validation.suites")
    _import_package_modules("validation.benches")


def resolve(names: str | Iterable[str], registry: dict) -> list[str]:
    """'all' or a name (or list of names) → the sorted list of registered names; ValueError else."""
    load_all()
    if isinstance(names, str):
        names = [names]
    names = list(names)
    if names == ["all"]:
        return sorted(registry)
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ValueError(f"unknown suite(s) {unknown}; available: {sorted(registry)} or 'all'")
    return names
