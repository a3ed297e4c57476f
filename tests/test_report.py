"""REPORT.md, the offline HTML page, and ledger comparison on the command line (issue: a report a
researcher reads)."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from validation import registry
from validation.ledger import Alternative, Claim, Counterfactual, at_most, load_ledger, statistic_rule
from validation.registry import PaperItem, SuiteContext
from validation.report import findings, render_html, render_markdown
from validation.runner import run_suites

EXE = [sys.executable, "-m", "workbench.cli"]
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4b10000000049454e44ae426082")


def _claims(ctx, shift=0.0):
    rule, accept = statistic_rule(10.0, 0.2, 0.0, 0.05, key="mean")
    yield Claim(id="toyrep.eq1.identity", paper="toy.txt", where="Eq. 1, all paddings", section="Eq. 1",
                statement="⟨F1,F2⟩ = ⟨K1⊛K2, X⊛X⟩", expected="exact", measured={"err": 1e-16},
                rule=at_most(1e-10, key="err"), counterfactuals=[Counterfactual("dropped terms", {"err": 0.2})],
                figures=["toy_fig"], seed=ctx.seed)
    yield Claim(id="toyrep.table1.acc", paper="toy.txt", where="Table 1, row 1", section="Table 1",
                statement="accuracy is 10.0", expected="10.0", measured={"mean": 10.1 + shift}, kind="paper-number",
                rule=rule, accept=accept, alternative=Alternative("chance", 0.0), seed=ctx.seed)
    yield Claim(id="toyrep.sec2.wrong", paper="toy.txt", where="§2", statement="the factor is one",
                expected=1.0, measured={"err": 1.0}, rule=at_most(1e-10, key="err"),
                counterfactuals=[Counterfactual("the corrected factor", {"err": 0.0})], note="off by two")
    yield Claim(id="toyrep.fig2.net", paper="toy.txt", where="Fig. 2", statement="training helps",
                expected=None, measured=None, status="not-run", evidence="network")


@pytest.fixture
def toy_run(tmp_path):
    name = "toyrep"
    registry.register_suite(name, paper="toy.txt", items=[PaperItem("Eq. 1", claims=("toyrep.eq1.*",)),
                                                          PaperItem("Fig. 9", reason="lost")])(_claims)
    fig = tmp_path / "figures" / "toy_fig"
    fig.mkdir(parents=True)
    (fig / "toy_fig.png").write_bytes(PNG_1PX)
    report, _ = run_suites(name, SuiteContext(out=tmp_path, progress=False), argv=["test"])
    yield report.parent
    registry.SUITES.pop(name, None)


def test_markdown_has_headline_findings_and_sections(toy_run):
    text = (toy_run / "REPORT.md").read_text()
    assert "## toyrep" in text and "**coverage:** 1 of 2 declared items covered (1 not checkable" in text
    assert "**stale runs:** 0" in text
    finds = text.split("### Findings")[1].split("### Claims by section")[0]
    assert "toyrep.sec2.wrong" in finds and "refuted" in finds and "toyrep.eq1" not in finds
    for section in ("#### Eq. 1", "#### Table 1", "#### §2", "#### Fig. 2"):
        assert section in text
    assert "10.1 vs 10.0 printed, accept [9.35, 10.65]" in text
    assert "[toy_fig](../figures/toy_fig/toy_fig.png)" in text
    assert (toy_run.parent / "figures/toy_fig/toy_fig.png").exists()


def test_findings_order_refuted_before_deviates():
    claims = [{"id": "a.x", "status": "deviates", "kind": "paper-number", "where": "w", "statement": "s",
               "summary": ""},
              {"id": "a.y", "status": "refuted", "kind": "consistency", "where": "w", "statement": "s", "summary": ""},
              {"id": "a.z", "status": "refuted", "kind": "derived", "where": "w", "statement": "s", "summary": ""},
              {"id": "a.n", "status": "inconclusive", "kind": "paper-number", "evidence": "network", "where": "w",
               "statement": "s", "summary": "", "measured": {"n": 5, "effect": 0.3, "sd": 1.0, "mde": 1.4}}]
    f = findings(claims)
    assert [re.search(r"`(a\.\w)`", s).group(1) for s in f] == ["a.y", "a.x", "a.n"]
    assert "mde 1.4" in f[-1]


def test_html_is_self_contained_with_every_claim_and_figures(toy_run):
    page = render_html(load_ledger(toy_run), toy_run)
    ledger = load_ledger(toy_run)
    for c in ledger["claims"]:
        assert f'id="{c["id"]}"' in page
    assert "data:image/png;base64," in page and "⟨F1,F2⟩" in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "no external resources"
    for select in ("f-paper", "f-kind", "f-status"):
        assert f'id="{select}"' in page


def run_cli(*args):
    return subprocess.run([*EXE, *args], capture_output=True, text=True, timeout=300)


def test_cli_html_and_compare(toy_run, tmp_path):
    proc = run_cli("report", str(toy_run), "--html")
    assert proc.returncode == 0, proc.stderr
    assert (toy_run / "report.html").exists()
    ledger = load_ledger(toy_run)
    b = json.loads(json.dumps(ledger))
    b["claims"][1]["status"] = "deviates"            # a number left its accept interval
    b["claims"][1]["measured"]["mean"] = 12.0
    b["claims"].pop(3)                                  # a removed not-run claim
    bp = tmp_path / "b.json"
    bp.write_text(json.dumps(b))
    a = str(toy_run / "ledger.json")
    proc = run_cli("report", "--compare", a, str(bp))
    assert proc.returncode == 0 and "status toyrep.table1.acc: confirmed -> deviates" in proc.stdout
    assert "removed (1): toyrep.fig2.net" in proc.stdout and "moved toyrep.table1.acc measured.mean" in proc.stdout
    assert run_cli("report", "--compare", a, str(bp), "--fail-on-change").returncode == 1
    assert run_cli("report", "--compare", a, str(bp), "--fail-on-regression").returncode == 1
    assert run_cli("report", "--compare", a, a, "--fail-on-change").returncode == 0
    out = json.loads(run_cli("report", "--compare", a, str(bp), "--json").stdout.strip().splitlines()[-1])
    assert out["removed"] == ["toyrep.fig2.net"] and out["regressions"] == ["toyrep.table1.acc: confirmed -> deviates"]
    # a change that is not a regression: a not-run claim removed only
    b2 = json.loads(json.dumps(ledger))
    b2["claims"].pop(3)
    bp.write_text(json.dumps(b2))
    assert run_cli("report", "--compare", a, str(bp), "--fail-on-regression").returncode == 0


def test_load_ledger_as_frame(toy_run):
    df = load_ledger(toy_run, as_frame=True)
    assert list(df["id"]) == [c["id"] for c in load_ledger(toy_run)["claims"]]
    assert set(df["suite"]) == {"toyrep"} and df.attrs["run"]["preset"] == "paper"
    assert (df["status"] == "refuted").sum() == 1


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.slow
def test_html_renders_in_headless_chromium(toy_run, tmp_path):
    """Render report.html headless; every claim id is on the page and no image is broken. A
    screenshot is kept beside the page (the test's output folder)."""
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium not installed (make test-slow installs Debian's chromium)")
    page = toy_run / "report.html"
    page.write_text(render_html(load_ledger(toy_run), toy_run))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    # the DOM after scripts ran, plus a check of every image's natural size
    probe = toy_run / "probe.html"
    probe.write_text(page.read_text().replace(
        "</body>", "<script>window.addEventListener('load',function(){var bad=[];"
        "document.querySelectorAll('img').forEach(function(i){if(!i.complete||i.naturalWidth===0)bad.push(i.alt);});"
        "document.body.setAttribute('data-broken',bad.length);});</script></body>"))
    dom = subprocess.run([browser, *flags, "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-broken="0"' in dom.stdout
    for c in load_ledger(toy_run)["claims"]:
        assert f'id="{c["id"]}"' in dom.stdout
    shot = toy_run / "report.png"
    subprocess.run([browser, *flags, "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, text=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 1000
