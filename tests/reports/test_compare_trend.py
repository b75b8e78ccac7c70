"""`compare` over three audits: the demo's two and a third, later one made here. A and B are the
first and the last (the contract's fields unchanged), `"trend"` gives each key question's point
per audit with its Wilson interval, md a row of figures (golden), html a chart per key question
that says its figures in words and in a table; blindness and the access log cover every audit."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from audit_tui.demo import DEMO_AUDIT, DEMO_REAUDIT
from audit_tui.reporting.trend_svg import trend_svg
from audit_tui.scoring.intervals import wilson_interval
from audit_tui.scoring.trend import KeyQuestionTrend, Point
from audit_tui.store import audits, events
from audit_tui.store.database import open_repository
from tests.support.cli import run
from tests.support.paths import DATA
from tests.support.paths import GOLDEN as GOLDEN_DIR

GOLDEN = GOLDEN_DIR / "compare-trend.md"
THIRD = "tameside-2026"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def three_db(sqlite_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The demo, and a third audit of the same PDU: the re-audit's cases and answers, then
    2.5.3 (keeping people safe in reviewing) answered yes in ten more cases."""
    db = ("--db", sqlite_target)
    assert run(capsys, *db, "demo", "--no-tui")[0] == 0
    assert run(capsys, *db, "new", THIRD, "--rubric", "hmip-probation-pdu-2021")[0] == 0
    assert run(capsys, *db, "import-cases", THIRD, str(DATA / "demo-reaudit-cases.csv"))[0] == 0
    assert run(capsys, *db, "import-answers", THIRD, str(DATA / "demo-reaudit-answers.csv"))[0] == 0
    change = tmp_path / "more-safety.csv"
    change.write_text(
        "case_ref,2.5.3\n" + "".join(f"TS24-{i:03d},yes\n" for i in range(1, 29)), encoding="utf-8"
    )
    assert run(capsys, *db, "import-answers", THIRD, str(change))[0] == 0
    judgements = str(DATA / "demo-judgements.csv")
    assert run(capsys, *db, "import-judgements", THIRD, judgements)[0] == 0
    return sqlite_target


AUDITS = (DEMO_AUDIT, DEMO_REAUDIT, THIRD)


def test_json_keeps_the_contract_first_against_last_and_adds_the_trend(
    three_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", three_db, "compare", *AUDITS, "--format", "json")
    assert code == 0, err
    body = json.loads(out)
    assert set(body) == {"a", "b", "key_questions", "standards", "trend"}
    assert (body["a"], body["b"]) == (DEMO_AUDIT, THIRD)
    two = json.loads(
        run(capsys, "--db", three_db, "compare", DEMO_AUDIT, THIRD, "--format", "json")[1]
    )
    assert {k: body[k] for k in two} == two  # A and B are exactly the two-audit comparison
    trend = {t["id"]: t["points"] for t in body["trend"]}
    assert list(trend) == [k["id"] for k in body["key_questions"]] and len(trend) == 14
    for points in trend.values():
        assert [p["audit"] for p in points] == list(AUDITS)
        for p in points:
            assert set(p) == {"audit", "yes", "relevant", "percent", "ci95"}
            assert p["ci95"] == list(wilson_interval(p["yes"], p["relevant"]) or ())
            assert p["percent"] == round(100 * p["yes"] / p["relevant"], 2)
    assert [(p["yes"], p["relevant"]) for p in trend["2.5.3"]] == [(11, 28), (14, 28), (28, 28)]
    assert trend["2.2.3"][0]["ci95"] == [15.3, 47.1]  # 8 of 28, as the report gives it


def test_markdown_golden_and_a_row_of_figures_per_key_question(
    three_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", three_db, "compare", *AUDITS)
    assert code == 0
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(out, encoding="utf-8")
    assert out == GOLDEN.read_text(encoding="utf-8")
    row = next(line for line in out.splitlines() if line.startswith("| 2.5.3 |"))
    assert row == (
        "| 2.5.3 | 39% (11 of 28; 24 to 58) | 50% (14 of 28; 33 to 67) |"
        " 100% (28 of 28; 88 to 100) |"
    )
    assert f"| Standard | {DEMO_AUDIT} | {DEMO_REAUDIT} | {THIRD} |" in out


def test_html_draws_a_titled_chart_per_key_question_with_its_figures_in_words(
    three_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", three_db, "compare", *AUDITS, "--format", "html")
    assert code == 0
    charts = re.findall(r"<svg .*?</svg>", out)
    assert len(charts) == 14
    for chart in charts:
        svg = ET.fromstring(chart)  # well-formed
        labelled = svg.get("aria-labelledby", "").split()
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and desc is not None
        assert labelled == [title.get("id"), desc.get("id")]
        assert len(svg.findall(f"{SVG}line[@class='edge']")) == 3  # 50, 65, 80
        assert len(svg.findall(f"{SVG}circle[@class='point']")) == 3
    safety = next(c for c in charts if "2.5.3 over 3 audits" in c)
    assert "tameside-2026: 100% (28 of 28, 95% interval 88 to 100)" in safety
    assert "Outstanding 80%" in safety and "Good 65%" in safety  # each edge named, not coloured
    assert "<td>100% (28 of 28; 88 to 100)</td>" in out  # the same figures in a table
    assert len(set(re.findall(r'id="(trend-\d+-(?:title|desc))"', out))) == 28


def test_the_chart_keeps_every_point_inside_and_marks_gaps() -> None:
    kq = KeyQuestionTrend(
        id="A.1",
        text="x",
        points=(
            Point(audit="one", yes=0, relevant=4),
            Point(audit="two", yes=None, relevant=None),
            Point(audit="three", yes=0, relevant=0),
            Point(audit="four", yes=4, relevant=4),
        ),
    )
    svg = ET.fromstring(trend_svg(kq, ((70.0, "Good"),), "t"))
    ys = [float(c.get("cy", "-1")) for c in svg.iter(f"{SVG}circle")]
    assert len(ys) == 2 and all(0 <= y <= 150 for y in ys) and ys[0] > ys[1]
    gaps = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "gap"]
    assert gaps == ["n/c", "none"]
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and desc.text == (
        "one: 0% (0 of 4, 95% interval 0 to 49); two: not comparable (no counterpart in its"
        " rubric); three: no relevant case; four: 100% (4 of 4, 95% interval 51 to 100)"
    )


def test_every_audit_is_logged_and_a_blind_one_refuses(
    three_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", three_db)
    assert run(capsys, *db, "compare", *AUDITS, "--format", "md")[0] == 0
    repo = open_repository(three_db)
    for name in AUDITS:
        logged = [
            e.detail
            for e in events.audit_events(repo, audits.open_audit(repo, name))
            if e.event == "export"
        ]
        others = ", ".join(a for a in AUDITS if a != name)
        assert logged == [f"md comparison with {others}"]
    repo.engine.dispose()
    code, _, err = run(capsys, *db, "moderate", DEMO_REAUDIT, "--cases", "TS24-003", "--marker",
                       "kim")  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, *db, "--as", "kim", "compare", *AUDITS)
    assert (code, out) == (1, "")
    assert len(err.strip().splitlines()) == 1
    assert "blind" in err and f'"{DEMO_REAUDIT}"' in err and "TS24-003" in err


def test_an_audit_named_twice_is_a_usage_error(
    three_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", three_db, "compare", DEMO_AUDIT, THIRD, DEMO_AUDIT)
    assert (code, out) == (2, "")
    assert "name each audit once" in err
