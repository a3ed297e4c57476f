"""The one table of the trainer hooks the project ships: short name → (kind, factory, hashed name).

Configs name a hook by its short name, ``<paper>.<what>`` (``generic.<what>`` for hooks no paper
owns)::

    grad_transform: {name: cdg.grad, method: h1, lam: 1.0, axis: output, layers: conv}
    extra_losses:   [{name: lcr.loss, weight: 1.0, lam: 0.5}]

The factory is given as ``"module:attr"`` and imported only when a run builds the hook
(:func:`analysis.nets.hooks.get_hook`), so importing the trainer does not import every paper's
module. This module is plain data (no torch): :mod:`analysis.nets.config` reads it to hash.

Legacy names. Before this table, configs named hooks by a per-kind registered name (``convsim``,
``clip_norm``, ``run``, ``dhkd``, …) or by an import path ``"package.module:attr"``
(``"analysis.nets.cdg:grad_hook"``). :data:`ALIASES` maps every such name (per kind) to its short
name, so old configs and run records still load.

Run hashes (a run's folder is named by ``TrainConfig.hash()``). Before hashing, every hook name in
a config is replaced by the *hashed name* of its hook: the third column of :data:`HOOKS`, frozen
forever. For a hook that existed before this table it is the legacy name its configs used, so
every run folder made before keeps its name; a hook added later hashes under its short name. So

* the short name and the legacy name of a hook give the same hash (equal to the old one), and
* moving a hook's factory to another file changes only the second column, never a hash.

All aliases of one hook hash alike (e.g. ``"analysis.nets.hooks:clip_norm"`` hashes as
``clip_norm``). A name not in the table (a hook registered at run time with
``hooks.register_hook``, or a not-yet-listed ``"module:attr"`` string, still imported for now)
hashes as written. Add new hooks here, with their short name as the hashed name.
"""
from __future__ import annotations

from typing import Mapping

KINDS = ("init", "loss", "monitor", "grad", "teacher")

#: short name -> (kind, "module:attr" of the factory, the name hashed for it — never change it)
HOOKS: dict[str, tuple[str, str, str]] = {
    # convsim (paper 001): Algorithms 1–2 and the L_CS monitor
    "convsim.init":      ("init",    "analysis.nets.convsim_hooks:convsim_init",        "convsim"),
    "convsim.loss":      ("loss",    "analysis.nets.convsim_hooks:convsim_regularizer", "convsim"),
    "convsim.monitor":   ("monitor", "analysis.nets.convsim_hooks:convsim_monitor",     "convsim"),
    # convsim's peer, OCNN (Wang et al. 2020): kernel orthogonality loss, feature-map similarity monitor
    "convsim.ocnn_loss": ("loss",    "analysis.nets.ocnn:ocnn_loss_hook",   "analysis.nets.ocnn:ocnn_loss_hook"),
    "convsim.fm_similarity": ("monitor", "analysis.nets.ocnn:fm_similarity_monitor",
                              "analysis.nets.ocnn:fm_similarity_monitor"),
    # lcr (paper 002): the LCR loss (Eq. 12) and the latent weights' std monitor (Fig. 2)
    "lcr.loss":          ("loss",    "analysis.nets.losses:lcr_loss_hook",  "analysis.nets.binary:lcr_loss_hook"),
    "lcr.weight_std":    ("monitor", "analysis.nets.lcr_probes:weight_std_monitor",
                          "analysis.nets.binary:weight_std_monitor"),
    # cdg (paper 003): channel-directed gradient transforms (H1, LS, ...)
    "cdg.grad":          ("grad",    "analysis.nets.cdg:grad_hook",         "analysis.nets.cdg:grad_hook"),
    # dhkd (paper 004): the DHKD and DKD losses and the probe monitor
    "dhkd.loss":         ("loss",    "analysis.nets.dhkd:dhkd_hook",        "dhkd"),
    "dhkd.dkd":          ("loss",    "analysis.nets.dhkd:dkd_hook",         "dkd"),
    "dhkd.probe":        ("monitor", "analysis.nets.dhkd:dhkd_probe_hook",  "dhkd_probe"),
    # generic
    "generic.clip_norm": ("grad",    "analysis.nets.hooks:clip_norm",        "clip_norm"),
    "generic.throttle":  ("grad",    "analysis.nets.hooks:throttle",         "throttle"),
    "generic.teacher_run": ("teacher", "analysis.nets.hooks:teacher_from_run", "run"),
}

#: (kind, legacy name) -> short name: every name configs, code and tests used before the table
#: (the hashed names of HOOKS are added below), plus the import paths of the factories' homes.
ALIASES: dict[tuple[str, str], str] = {
    ("init", "analysis.nets.hooks:convsim_init"): "convsim.init",
    ("loss", "analysis.nets.hooks:convsim_regularizer"): "convsim.loss",
    ("monitor", "analysis.nets.hooks:convsim_monitor"): "convsim.monitor",
    ("grad", "analysis.nets.hooks:clip_norm"): "generic.clip_norm",
    ("grad", "analysis.nets.hooks:throttle"): "generic.throttle",
    ("teacher", "analysis.nets.hooks:teacher_from_run"): "generic.teacher_run",
}
for _short, (_kind, _target, _hashed) in HOOKS.items():
    ALIASES.setdefault((_kind, _hashed), _short)
    ALIASES.setdefault((_kind, _target), _short)
del _short, _kind, _target, _hashed

#: config field -> the hook kind it holds
FIELD_KINDS = {"init": "init", "extra_losses": "loss", "monitors": "monitor",
               "grad_transform": "grad", "teacher": "teacher"}


def short_name(kind: str, name: str) -> str | None:
    """The short name a config's hook name stands for (itself if it is one of ``kind``), or None."""
    if name in HOOKS and HOOKS[name][0] == kind:
        return name
    return ALIASES.get((kind, name))


def hashed_name(kind: str, name: str) -> str:
    """The name a run's hash uses for hook ``name`` of ``kind`` (see the module docstring)."""
    short = short_name(kind, name)
    return name if short is None else HOOKS[short][2]


def canonical_hooks(d: Mapping) -> dict:
    """A config dict with every hook name replaced by its hashed name; other keys untouched. Nested
    specs count too: a hook spec's own keys named like a hook field (the ``teacher`` of the
    ``dhkd.probe`` monitor) and a teacher ``run``'s ``config``. Used by
    :func:`analysis.nets.config.config_hash`."""
    out = dict(d)
    for field, kind in FIELD_KINDS.items():
        v = out.get(field)
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            out[field] = [_canonical_spec(kind, s) for s in v]
        else:
            out[field] = _canonical_spec(kind, v)
    return out


def _canonical_spec(kind: str, spec):
    if isinstance(spec, str):              # a bare name (a teacher's nested config as written)
        return hashed_name(kind, spec)
    if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
        return spec
    spec = canonical_hooks(spec)           # hook specs inside a hook's spec (a probe's teacher)
    spec["name"] = hashed_name(kind, spec["name"])
    if kind == "teacher" and spec["name"] == HOOKS["generic.teacher_run"][2] \
            and isinstance(spec.get("config"), Mapping):
        spec["config"] = canonical_hooks(spec["config"])
    return spec


def names(kind: str | None = None) -> list[str]:
    """The short names (of one kind, or all)."""
    return sorted(n for n, (k, _, _) in HOOKS.items() if kind is None or k == kind)
