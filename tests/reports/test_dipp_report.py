"""The DIPP demo: HMIP's 2025 public-protection questions on a region's 56 cases. Its report gives
the share of cases meeting the required standard at each stage and the share of assignments, as
DIPP reports do, with no rating or score anywhere; reconstructed questions are marked [R]; and
`compare` sets a 2021 self-assessment beside it for the questions that map."""

from __future__ import annotations

import io
import json
import os
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from audit_tui.demo import load_dipp
from audit_tui.reporting.markdown import render_markdown
from audit_tui.reporting.model import Period, build_report
from audit_tui.reporting.render import render_report
from audit_tui.store.repository import Repository
from tests.support.cli import run
from tests.support.paths import DATA, GOLDEN

PRODUCED = date(2026, 11, 26)
PERIOD = Period(start=date(2026, 10, 5), end=date(2026, 11, 20))
# stage: (core yes, adjusted yes, relevant), as data/demo-dipp-answers.csv holds them:
# 50 core and 6 adjusted cases; reviewing has 6 core and 1 adjusted not applicable
STAGES = {"1": (29, 4, 56), "2": (22, 3, 56), "3": (21, 2, 56), "4": (18, 2, 49)}


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def _values(node: Any, key: str) -> list[Any]:
    """Every value under `key`, anywhere in a JSON document."""
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + [
            x for v in node.values() for x in _values(v, key)
        ]
    if isinstance(node, list):
        return [x for v in node for x in _values(v, key)]
    return []


def test_the_dipp_demo_reports_shares_and_no_rating(repo: Repository) -> None:
    audit = load_dipp(repo)
    data = replace(build_report(repo, audit, produced=PRODUCED), period=PERIOD)
    text = render_markdown(data)
    _golden("dipp-report.md", text)
    # per stage, cases meeting the standard: (core yes + adjusted yes) of relevant
    for sid, (core, adjusted, relevant) in STAGES.items():
        yes = core + adjusted
        whole = round(100 * yes / relevant)
        assert f"| {sid} " in text and f"| {whole}% | {yes} of {relevant} |" in text
    # assignments: 33 + 25 + 23 + 20 = 101 of 56 + 56 + 56 + 49 = 217, 46.5%
    assert "| **All stages (assignments)** | **47%** | 101 of 217 |" in text
    assert "101 of 217 assignments" in text  # the opening summary leads with it
    assert "- Core questions: 50 cases\n- Adjusted questions: 6 cases\n" in text
    # no rating and no score anywhere, bar the sentence that says so
    said = "No rating and no score are given."
    assert said in text
    lowered = text.replace(said, "").lower()
    assert "rating" not in lowered and "score" not in lowered and "not rated" not in lowered
    assert "| A1 \\[R\\] Does assessment" in text and "| C1 Does assessment" in text
    assert "Questions marked [R] are reconstructed" in text

    body = json.loads(str(render_report(repo, audit, "json")))
    _golden("dipp-report.json", json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    kqs = {k["id"]: k for st in body["standards"] for k in st["key_questions"]}
    assert kqs["C1"]["set"] == "core" and "reconstructed_from" not in kqs["C1"]
    assert kqs["A1"]["set"] == "adjusted"
    assert kqs["A1"]["reconstructed_from"].startswith("2021 PDU framework, key question 2.2.3")
    assert body["assignments_meeting"]["yes"] == 101
    assert body["assignments_meeting"]["relevant"] == 217
    assert body["assignments_meeting"]["percent"] == round(100 * 101 / 217, 2)
    for st in body["standards"]:
        core, adjusted, relevant = STAGES[st["id"]]
        assert st["cases_meeting"]["yes"] == core + adjusted
        assert st["cases_meeting"]["relevant"] == relevant
    sheet = load_workbook(io.BytesIO(render_report(repo, audit, "xlsx")))["Summary"]  # type: ignore[arg-type]
    facts = {r[0]: r[1] for r in sheet.iter_rows(max_col=2, values_only=True) if r[0]}
    assert facts["Questions marked [R]"].startswith("reconstructed: ")
    assert (facts["Assignments meeting the standard"], facts["Assignments relevant"]) == (101, 217)
    assert "Score" not in facts and "Overall rating" not in facts
    for key in ("rating", "points", "score", "score_max", "overall"):
        assert set(_values(body, key)) <= {None}, key
    assert set(_values(body, "rated")) == {False}


def test_compare_sets_a_2021_audit_beside_the_dipp_one(
    capsys: pytest.CaptureFixture[str], sqlite_target: str
) -> None:
    repo_args = ("--db", sqlite_target)
    assert run(capsys, *repo_args, "demo", "--no-tui")[0] == 0
    code, out, _ = run(capsys, *repo_args, "compare", "demo-tameside", "demo-dipp-region",
                       "--format", "json")  # fmt: skip
    assert code == 0
    body = json.loads(out)
    pairs = {k["id"]: (k["a"]["yes"], k["a"]["relevant"], k["b"]["yes"], k["b"]["relevant"])
             for k in body["key_questions"]}  # fmt: skip
    # 2.2.3 8 of 28 (Tameside) beside C1 29 of 50; 2.3.3 12/28 beside C2 22/50; and so on
    assert pairs == {
        "C1": (8, 28, 29, 50), "C2": (12, 28, 22, 50), "C3": (11, 28, 21, 50), "C4": (11, 28, 18, 44),
    }  # fmt: skip
    code, md, _ = run(capsys, *repo_args, "compare", "demo-tameside", "demo-dipp-region")
    assert code == 0
    for adjusted in ("A1", "A2", "A3", "A4"):  # no counterpart in 2021: said, not dropped
        assert f"| demo-dipp-region | {adjusted} \\[R\\]" in md
    assert "| demo-tameside | 2.2.1 " in md
    assert "No standard is rated in both audits" in md
    c1 = next(line for line in md.splitlines() if line.startswith("| C1 (was 2.2.3)"))
    assert "up 29 points" in c1 and "**changed**" in c1  # Newcombe's interval leaves out zero


def test_the_demo_command_builds_both_frameworks(
    capsys: pytest.CaptureFixture[str], sqlite_target: str
) -> None:
    code, out, _ = run(capsys, "--db", sqlite_target, "demo", "--no-tui")
    assert code == 0
    assert 'demo audit "demo-dipp-region": 56 cases, 101 of 217 assignments' in out


def test_a_region_of_dipp_audits_compares_shares_not_ratings(
    capsys: pytest.CaptureFixture[str], sqlite_target: str
) -> None:
    db = ("--db", sqlite_target)
    for pdu in ("North", "South"):
        assert run(capsys, *db, "new", f"dipp-{pdu}", "--rubric", "hmip-dipp-2025",
                   "--pdu", pdu, "--region", "Test Region")[0] == 0  # fmt: skip
        assert (
            run(capsys, *db, "import-cases", f"dipp-{pdu}", str(DATA / "demo-dipp-cases.csv"))[0]
            == 0
        )
        answers = DATA / "demo-dipp-answers.csv"
        if pdu == "South":  # South answers no to every C1: assessment 4 of 56 (the A1 yes only)
            text = answers.read_text(encoding="utf-8")
            header, *rows = text.splitlines()
            column = header.split(",").index("C1")
            answers = Path(sqlite_target).parent / "south.csv"
            changed = []
            for row in rows:
                cells = row.split(",")
                cells[column] = "No" if cells[column] == "Yes" else cells[column]
                changed.append(",".join(cells))
            answers.write_text("\n".join([header, *changed]) + "\n", encoding="utf-8")
        assert run(capsys, *db, "import-answers", f"dipp-{pdu}", str(answers))[0] == 0
    code, out, err = run(capsys, *db, "region", "Test Region")
    assert code == 0, err
    assert "| PDU | Audit | Cases | Score | Meeting the required standard |" in out
    assert "| North | dipp-North | 56 | – | 47% of assignments (101 of 217) |" in out
    # South: 101 - 29 C1 yeses = 72 of 217, 33%
    assert "| South | dipp-South | 56 | – | 33% of assignments (72 of 217) |" in out
    assert "Overall rating" not in out and "not yet rated" not in out
    assert "| South | 0 | 50 | 0% |" in out and "| North | 29 | 50 | 58% |" in out  # C1's funnel
    code, out, _ = run(capsys, *db, "region", "Test Region", "--format", "json")
    body = json.loads(out)
    south = next(p for p in body["pdus"] if p["pdu"] == "South")
    assert south["assignments_meeting"]["yes"] == 72 and south["score_max"] is None
    assert south["cases_meeting"]["1"] == {**south["cases_meeting"]["1"], "yes": 4, "relevant": 56}
