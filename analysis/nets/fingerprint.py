"""Code fingerprints of run folders: which code made a run, and whether today's code differs.

A run folder's ``fingerprint.json`` holds::

    {"modules": {"analysis/nets/train.py": "<sha256>", ...},   # every module of the library
                                                               # (the ``analysis`` package) loaded
                                                               # while the run trained
     "torch": "2.x", "numpy": "2.x",
     "git_commit": "..." | null, "git_dirty": true | false | null,   # for information only
     "time": "...", "verified": {...} (after ``workbench runs --verify`` re-stamped it)}

Only ``.py`` files count (not YAML: a configuration is already the run's hash), and not the git
commit (a commit that touches no training code must not make runs stale). A run is *stale*
when a recorded module's sha256 differs from today's file (or the file is gone) or the torch
version differs. A run made before fingerprints were recorded has none: its staleness is
unknown and it is not reported stale.
"""
from __future__ import annotations

import functools
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

FINGERPRINT = "fingerprint.json"
#: the packages whose loaded modules are fingerprinted (the torch-side library and its numpy core)
PACKAGES = ("analysis",)


def project_root() -> Path:
    """The checkout this code runs from (the folder holding the ``analysis`` package)."""
    return Path(__file__).resolve().parents[2]


_HASHES: dict[tuple, str] = {}


def file_sha256(path: Path) -> str | None:
    """sha256 of a file's bytes (None when unreadable); remembered per (path, mtime, size)."""
    try:
        st = Path(path).stat()
        key = (str(path), st.st_mtime_ns, st.st_size)
        if key not in _HASHES:
            _HASHES[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        return _HASHES[key]
    except OSError:
        return None


def loaded_modules(root: Path | None = None) -> dict[str, str]:
    """{path relative to the project root: sha256} of every module of :data:`PACKAGES` loaded now."""
    root = project_root() if root is None else Path(root)
    out = {}
    for name, mod in list(sys.modules.items()):
        if name.split(".")[0] not in PACKAGES:
            continue
        f = getattr(mod, "__file__", None)
        if not f or not f.endswith(".py"):
            continue
        try:
            rel = Path(f).resolve().relative_to(root)
        except ValueError:
            continue
        digest = file_sha256(Path(f))
        if digest is not None:
            out[rel.as_posix()] = digest
    return dict(sorted(out.items()))


@functools.lru_cache(maxsize=None)
def _git(root: Path, *args: str) -> str | None:
    """``git args`` in ``root`` (once per process: the commit and dirty flag are for information)."""
    try:
        r = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def current(root: Path | None = None) -> dict:
    """Today's fingerprint of the loaded library modules, torch and numpy (and git, for information)."""
    import numpy
    import torch

    root = project_root() if root is None else Path(root)
    commit = _git(root, "rev-parse", "HEAD")
    dirty = None
    if commit is not None:
        st = _git(root, "status", "--porcelain", "--untracked-files=no")
        dirty = None if st is None else bool(st)
    return {"modules": loaded_modules(root), "torch": torch.__version__, "numpy": numpy.__version__,
            "git_commit": commit, "git_dirty": dirty, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def read(run_dir) -> dict | None:
    """The run's recorded fingerprint, or None (made before fingerprints, or unreadable)."""
    try:
        d = json.loads((Path(run_dir) / FINGERPRINT).read_text())
    except (OSError, ValueError):
        return None
    return d if isinstance(d, dict) and isinstance(d.get("modules"), dict) else None


def write(run_dir, fp: dict) -> None:
    """Write ``fingerprint.json`` atomically (temporary file, then rename)."""
    import os

    path = Path(run_dir) / FINGERPRINT
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(fp, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)


def changes(fp: dict | None, root: Path | None = None) -> list[str] | None:
    """What differs between a recorded fingerprint and today's code: module paths whose sha256
    changed (``"path (gone)"`` when the file is missing) and ``"torch A -> B"``; [] when nothing
    did; None when the run has no fingerprint (staleness unknown)."""
    if fp is None:
        return None
    import torch

    root = project_root() if root is None else Path(root)
    out = []
    for rel, digest in sorted(fp.get("modules", {}).items()):
        now = file_sha256(root / rel)
        if now is None:
            out.append(f"{rel} (gone)")
        elif now != digest:
            out.append(rel)
    if fp.get("torch") != torch.__version__:
        out.append(f"torch {fp.get('torch')} -> {torch.__version__}")
    return out


def is_stale(run_dir, root: Path | None = None) -> bool:
    """True when the run in ``run_dir`` was made by code that differs from today's."""
    return bool(changes(read(run_dir), root))
