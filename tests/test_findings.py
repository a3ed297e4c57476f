"""The README's findings are generated from the reference ledger (workbench.findings), never typed."""
from pathlib import Path

from workbench import findings

ROOT = Path(__file__).resolve().parents[1]


def test_readme_findings_match_the_reference_ledger():
    assert findings.main(["--check", "--readme", str(ROOT / "README.md"),
                          "--ledger", str(ROOT / "results/reference/quick/ledger.json")]) == 0


def test_claim_line_and_blocks():
    c = {"id": "p.x", "status": "confirmed", "evidence": "network", "ci": [0.5, 1.5], "figures": ["p_fig"],
         "measured": {"effect": 1.0, "n": 5, "mde": 0.7, "paper_effect": 2.0}}
    assert findings.claim_line(c) == ("- `p.x` **confirmed**: effect +1 [0.5, 1.5], n 5, mde 0.7, paper +2 — "
                                      "[p_fig](results/reference/quick/figures/p_fig/)")
    led = {"claims": [c, {**c, "id": "p.y", "status": "not-run", "figures": ["p_other"], "measured": {}}],
           "run": {"coverage": {"lcr": {"covered": 1, "items": 2}}, "chance_deviations": 0.5}}
    text = findings.render("a\n<!-- findings:headline -->\nold\n<!-- /findings:headline -->\n"
                           "<!-- findings:network -->\nold\n<!-- /findings:network -->\n", led)
    flat = " ".join(text.split())
    assert "2 claims: 1 confirmed, 1 not-run" in flat and "lcr 1/2" in flat
    assert "Not yet run: `p_other`" in flat and "**p** — 1 confirmed" in text
    assert "| p | `p.x` | confirmed |" in findings.power_table(led)
