"""The demo audit reproduces every figure of the Tameside inspection, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json

import pytest

from audit_tui.cli import main
from audit_tui.demo import load_demo
from audit_tui.store import answers, audits, scores
from audit_tui.store import cases as case_ops
from audit_tui.store.repository import Repository

# fmt: off
# (yes, relevant) per key question, and whole percentages, as printed in the report.
TAMESIDE = {
    "2.1.1": (7, 12, 58), "2.2.1": (11, 28, 39), "2.2.2": (16, 28, 57), "2.2.3": (8, 28, 29),
    "2.3.1": (18, 28, 64), "2.3.2": (21, 28, 75), "2.3.3": (12, 28, 43),
    "2.4.1": (20, 28, 71), "2.4.2": (13, 28, 46), "2.4.3": (11, 28, 39),
    "2.5.1": (20, 28, 71), "2.5.2": (15, 28, 54), "2.5.3": (11, 28, 39),
    "2.6.1": (9, 28, 32),
}
RATINGS = {
    "1.1": "Requires improvement", "1.2": "Good", "1.3": "Requires improvement", "1.4": "Good",
    "2.1": "Requires improvement", "2.2": "Inadequate", "2.3": "Inadequate",
    "2.4": "Inadequate", "2.5": "Inadequate", "2.6": None,
}
# Unrated case-level figures in the report.
INDICATORS = {
    "ind.oversight": (12, 28),  # insufficient in 57 per cent
    "ind.continuity": (18, 28),  # 64 per cent had the same practitioner
    "ind.enforcement": (10, 14),  # taken in 10 of the 14 cases where required
    "ind.no_further_offending": (23, 28),
}

# fmt: on


def _check(report: dict) -> None:  # type: ignore[type-arg]
    assert report["audit"] == "demo-tameside"
    assert report["rubric"]["id"] == "hmip-probation-pdu-2021"
    assert report["cases"] == 28 and report["complete"] is True
    assert (report["score"], report["score_max"], report["overall"]) == (
        7,
        27,
        "Requires improvement",
    )
    ratings = {s["id"]: s["rating"] for s in report["standards"]}
    assert ratings == RATINGS
    kqs = {k["id"]: k for s in report["standards"] for k in s.get("key_questions", [])}
    assert set(kqs) == set(TAMESIDE)
    for kq_id, (yes, relevant, whole) in TAMESIDE.items():
        kq = kqs[kq_id]
        assert (kq["yes"], kq["relevant"], kq["unanswered"]) == (yes, relevant, 0), kq_id
        assert kq["percent"] == round(100 * yes / relevant, 2)
        assert int(kq["percent"] + 0.5) == whole, kq_id
    indicators = {i["id"]: (i["yes"], i["relevant"]) for i in report["indicators"]}
    assert indicators == INDICATORS


def test_demo_through_the_cli_reproduces_tameside(
    db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_target, "demo", "--no-tui"]) == 0
    capsys.readouterr()
    assert main(["--db", db_target, "report", "demo-tameside", "--format", "json"]) == 0
    _check(json.loads(capsys.readouterr().out))


def test_demo_sample_is_shaped_like_tamesides(repo: Repository) -> None:
    audit = load_demo(repo)
    cases = case_ops.list_cases(repo, audit)
    assert len(cases) == 28
    attrs = [c.attributes for c in cases]
    assert sum(a["has_psr"] == "yes" for a in attrs) == 12
    assert sum(a["sentence_type"] == "licence" for a in attrs) == 7
    assert 2 <= sum(a["gender"] == "female" for a in attrs) <= 4
    assert {a["rosh"] for a in attrs} == {"low", "medium", "high", "very high"}
    assert all(c.complete for c in cases)
    assert all(c.case_ref.startswith("TS23-") for c in cases)


def test_demo_prompts_and_notes(repo: Repository) -> None:
    audit = load_demo(repo)
    result = scores.score(repo, audit)
    prompts = {p.id: p for s in result.standards for k in s.key_questions for p in k.prompts}
    assert (prompts["2.2.3.c"].yes, prompts["2.2.3.c"].relevant) == (11, 28)  # victims: 11 of 28
    assert (prompts["2.3.3.a"].yes, prompts["2.3.3.a"].relevant) == (
        14,
        26,
    )  # 12 of 26 not prioritised
    assert (prompts["2.1.1.f"].yes, prompts["2.1.1.f"].relevant) == (10, 12)  # engagement, 10 of 12
    notes = answers.tagged_notes(repo, audit)
    assert len(notes) >= 5 and {n.tag for n in notes} == {"strength", "improvement"}


def test_demo_resets_changes(repo: Repository) -> None:
    audit = load_demo(repo)
    case = case_ops.list_cases(repo, audit)[0]
    from audit_tui.domain.answers import Answer

    answers.save_answer(repo, audit, case, "2.2.3", Answer.YES if case.attributes else Answer.NO)
    load_demo(repo)
    audit = audits.open_audit(repo, "demo-tameside")
    assert scores.score(repo, audit).score == 7
    # the demo's three audits (the first, its later re-audit, an SPO's oversight), each once
    assert sorted(a.name for a in audits.list_audits(repo)) == [
        "demo-oversight",
        "demo-tameside",
        "demo-tameside-reaudit",
    ]
