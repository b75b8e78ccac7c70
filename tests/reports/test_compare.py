"""`compare` on the demo's two audits (the Tameside-like audit and its later re-audit): the JSON
contract, a golden Markdown file, words that say whether a move is real, and one clear line for
audits that cannot be compared."""

from __future__ import annotations

import json
import os

import pytest

from audit_tui.demo import DEMO_AUDIT, DEMO_REAUDIT
from audit_tui.scoring.compare import Side, newcombe
from tests.support.cli import run
from tests.support.paths import GOLDEN as GOLDEN_DIR
from tests.support.paths import RUBRICS

GOLDEN = GOLDEN_DIR / "compare.md"


@pytest.fixture
def demo_db(sqlite_target: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert run(capsys, "--db", sqlite_target, "demo", "--no-tui")[0] == 0
    return sqlite_target


def test_json_is_the_contract_and_its_figures_are_newcombes(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "--db", demo_db, "compare", DEMO_AUDIT, DEMO_REAUDIT, "--format", "json"
    )
    assert code == 0, err
    body = json.loads(out)
    assert set(body) == {"a", "b", "key_questions", "standards"}
    assert (body["a"], body["b"]) == (DEMO_AUDIT, DEMO_REAUDIT)
    kqs = {k["id"]: k for k in body["key_questions"]}
    assert len(kqs) == 14
    for k in body["key_questions"]:
        assert set(k) == {"id", "a", "b", "difference", "ci95", "changed"}
        assert set(k["a"]) == set(k["b"]) == {"yes", "relevant", "percent"}
        d = newcombe(
            Side(yes=k["a"]["yes"], relevant=k["a"]["relevant"]),
            Side(yes=k["b"]["yes"], relevant=k["b"]["relevant"]),
        )
        assert d.points is not None and d.ci95 is not None
        assert k["difference"] == round(d.points, 2)
        assert k["ci95"] == [round(d.ci95[0], 2), round(d.ci95[1], 2)]
        assert k["changed"] == (k["ci95"][0] > 0 or k["ci95"][1] < 0)
    assert kqs["2.2.3"]["a"] == {"yes": 8, "relevant": 28, "percent": 28.57}  # Tameside's 29%
    assert kqs["2.2.3"]["changed"] and not kqs["2.5.3"]["changed"]
    ratings = {s["id"]: (s["a"], s["b"]) for s in body["standards"]}
    assert ratings["2.2"] == ("Inadequate", "Requires improvement")


def test_markdown_golden(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", demo_db, "compare", DEMO_AUDIT, DEMO_REAUDIT)
    assert code == 0
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(out, encoding="utf-8")
    assert out == GOLDEN.read_text(encoding="utf-8")
    row = next(line for line in out.splitlines() if line.startswith("| 2.2.3 "))
    assert "up 39 points (95% interval +13 to +59): a real change | **changed** |" in row
    html = run(capsys, "--db", demo_db, "compare", DEMO_AUDIT, DEMO_REAUDIT, "--format", "html")[1]
    assert html.startswith("<!doctype html>") and "not distinguishable from no change" in html


def test_different_rubrics_are_refused_in_one_line(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rubric = RUBRICS / "local-youth-check.toml"
    db = ("--db", demo_db, "--rubric-file", str(rubric))
    assert run(capsys, *db, "new", "youth", "--rubric", "local-youth-check")[0] == 0
    code, out, err = run(capsys, *db, "compare", DEMO_AUDIT, "youth")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        f'audit-tui: error: compare: "{DEMO_AUDIT}" (hmip-probation-pdu-2021) and "youth"'
        " (local-youth-check) use different rubrics and neither declares a mapping from the other"
        " ([[maps_from]]): their key questions cannot be matched"
    ]
    code, _, err = run(capsys, "--db", demo_db, "compare", DEMO_AUDIT, "nope")
    assert code == 1 and len(err.strip().splitlines()) == 1
