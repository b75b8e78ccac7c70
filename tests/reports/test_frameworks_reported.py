"""Each held-out style rubric reported in every registered format: its own words only, shares
where it asks for them, and no rating or score where it declares none. Figures are worked out by
hand in the comments; the rubrics are in tests/rubrics/."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from audit_tui.domain.records import OpenAudit
from audit_tui.io.imports import import_answers, import_cases
from audit_tui.reporting.formats import FORMATS
from audit_tui.reporting.render import render_report
from audit_tui.store import audits, scores
from audit_tui.store.repository import Repository
from tests.support.paths import RUBRICS


def _audit(
    repo: Repository, tmp_path: Path, rubric: str, cases: str, answers: str, text: str = ""
) -> OpenAudit:
    """An audit of the test rubric `rubric` (or of `text`, in its place)."""
    audit = audits.create_audit(repo, rubric, text or (RUBRICS / f"{rubric}.toml").read_text())
    (tmp_path / "c.csv").write_text(cases, encoding="utf-8")
    (tmp_path / "a.csv").write_text(answers, encoding="utf-8")
    import_cases(repo, audit, tmp_path / "c.csv")
    import_answers(repo, audit, tmp_path / "a.csv")
    return audits.open_audit(repo, rubric)


def two_sets(repo: Repository, tmp_path: Path, text: str = "") -> OpenAudit:
    """10 full-route cases, 4 short: F1 6 yes 4 no; Q1 1 yes 3 no; F2 3 yes 5 no 2 n/a; Q2 4 yes."""
    cases = "case_ref,route\n" + "".join(f"F{i},full\n" for i in range(10))
    cases += "".join(f"S{i},short\n" for i in range(4))
    rows = ["case_ref,F1,F1.a,Q1,F2,Q2"]
    for i in range(10):
        f1 = "yes" if i < 6 else "no"
        f2 = "yes" if i < 3 else ("no" if i < 8 else "n/a")
        rows.append(f"F{i},{f1},{f1},,{f2},")
    for i in range(4):
        rows.append(f"S{i},,,{'yes' if i < 1 else 'no'},,yes")
    return _audit(repo, tmp_path, "two-sets", cases, "\n".join(rows) + "\n", text)


def test_two_question_sets_report_shares_in_every_format(
    sqlite_repo: Repository, tmp_path: Path
) -> None:
    repo = sqlite_repo
    audit = two_sets(repo, tmp_path)
    out = {fmt: render_report(repo, audit, fmt) for fmt in FORMATS}
    # ST1: 7 of 14 (50%); ST2: 7 of 12 (58%); assignments 14 of 26 (54%)
    md = out["md"]
    assert isinstance(md, str)
    assert "| ST1 Assessment | 50% | 7 of 14 |" in md
    assert "| ST2 Review | 58% | 7 of 12 |" in md
    assert "| **All standards (assignments)** | **54%** | 14 of 26 |" in md  # no word given
    assert "| Standard | Cases meeting the standard |" in md
    assert "assignments (cases at each standard, 54%)" in md
    assert "- Full questions: 10 cases\n- Short questions: 4 cases\n" in md
    assert "Score **" not in md  # rated standards, but no overall bands: no score
    assert "| ST1 Assessment | Poor |" in md  # rated from the lowest key question, Q1 25%
    assert "No score or overall rating is given." in md and "No rating and" not in md
    body = json.loads(str(out["json"]))
    assert (
        body["assignments_meeting"]["yes"] == 14 and body["assignments_meeting"]["relevant"] == 26
    )
    assert body["assignments_meeting"]["percent"] == 53.85
    shares = [s["cases_meeting"]["percent"] for s in body["standards"]]
    assert shares == [50.0, 58.33]
    assert body["score"] is None and body["score_max"] is None and body["overall"] is None
    html = str(out["html"])
    row = re.search(r'<tr data-share="assignments">(.*?)</tr>', html)
    assert row is not None and "54%" in row.group(1) and "14 of 26" in row.group(1)
    sheet = load_workbook(io.BytesIO(out["xlsx"]))["Summary"]  # type: ignore[arg-type]
    facts = {r[0]: r[1] for r in sheet.iter_rows(max_col=2, values_only=True) if r[0]}
    assert facts["Assignments meeting the standard"] == 14 and facts["Assignments relevant"] == 26
    assert "Score" not in facts and "Overall rating" not in facts
    rows = list(csv.DictReader(io.StringIO(str(out["csv"]))))
    assert len(rows) == 14 and [r["F1"] for r in rows if r["route"] == "short"] == [""] * 4


def test_none_at_standard_level_shows_no_rating_or_score_in_any_format(
    sqlite_repo: Repository, tmp_path: Path
) -> None:
    repo = sqlite_repo
    cases = "case_ref,team\n" + "".join(f"T{i},north\n" for i in range(10))
    answers = "case_ref,S1.1\n" + "".join(f"T{i},{'yes' if i < 9 else 'no'}\n" for i in range(10))
    audit = _audit(repo, tmp_path, "bands-no-standard-rating", cases, answers)
    out = {fmt: render_report(repo, audit, fmt) for fmt in FORMATS}
    md = str(out["md"])
    assert "| S1.1 Was the risk assessed? | 90% | 9 of 10 |" in md
    assert "## Ratings" not in md and "Score" not in md and "Not rated" not in md
    html = re.sub(r"<style>.*?</style>", "", str(out["html"]), flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    assert "Ratings" not in text and "Score" not in text and "9 of 10" in text
    body = json.loads(str(out["json"]))
    assert (body["score"], body["score_max"], body["overall"]) == (None, None, None)
    assert [s["rating"] for s in body["standards"]] == [None] and "assignments_meeting" not in body
    sheet = load_workbook(io.BytesIO(out["xlsx"]))["Summary"]  # type: ignore[arg-type]
    cells = [c for r in sheet.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert not any("Score" in c or "Rating" in c for c in cells)


@pytest.mark.parametrize(
    ("yes_s1", "rating", "score"),
    [(3, "Meets", "4/4"), (2, "Partly meets", "3/4"), (1, "Does not meet", "2/4")],
)
def test_three_ratings_reported_in_their_own_words(
    sqlite_repo: Repository, tmp_path: Path, yes_s1: int, rating: str, score: str
) -> None:
    # S1.1 yes_s1 of 4 (75% the Meets edge, 50%, 25%); S1.2 and S2.1 all yes: S2 Meets (2)
    cases = "case_ref,team\n" + "".join(f"T{i},north\n" for i in range(4))
    answers = "case_ref,S1.1,S1.2,S2.1\n" + "".join(
        f"T{i},{'yes' if i < yes_s1 else 'no'},yes,yes\n" for i in range(4)
    )
    audit = _audit(sqlite_repo, tmp_path, "three-point", cases, answers)
    md = str(render_report(sqlite_repo, audit, "md"))
    assert f"| S1 Safety | {rating} |" in md and f"Score **{score}**" in md
    for hmip in ("Outstanding", "Inadequate", "Requires improvement"):
        assert hmip not in md
    html = str(render_report(sqlite_repo, audit, "html"))
    assert f">{rating}<" in html and "Outstanding" not in html


def test_a_standard_rated_by_its_cases_is_reported_so_in_every_format(
    repo: Repository, tmp_path: Path
) -> None:
    # ten cases: O1.1 fails cases 0-1, O1.2 fails 2-3: each key question 80%, but 6 of 10 cases
    # (60%) meet O1: Partly met (1); O2 all yes: Met (2); score 3 of 4: Partly met overall
    cases = "case_ref,plan_due\n" + "".join(f"K{i},no\n" for i in range(10))
    rows = ["case_ref,O1.1,O1.2,O2.1,O2.2"]
    for i in range(10):
        rows.append(f"K{i},{'no' if i < 2 else 'yes'},{'no' if 2 <= i < 4 else 'yes'},yes,yes")
    audit = _audit(repo, tmp_path, "all-questions", cases, "\n".join(rows) + "\n")
    exact = scores.score(repo, audit)
    live = scores.score(repo, audit, exact=False)
    (together,) = scores.scores_of(repo, [audit]).values()
    reported, _ = scores.score_with_breakdowns(repo, audit, ["plan_due"])
    for result in (exact, live, together, reported):  # every way of counting agrees
        assert [s.rating for s in result.standards] == ["Partly met", "Met"]
        assert (result.score, result.overall) == (3, "Partly met")
    out = {fmt: render_report(repo, audit, fmt) for fmt in FORMATS}
    md = str(out["md"])
    assert "| O1 Management oversight | Partly met |" in md
    assert "Rated 'Partly met': 60% of cases met every key question asked of them (6 of 10)." in md
    assert "A standard is rated from the share of its cases meeting it" in md
    assert "the lowest score of the key questions" not in md and "Score **3/4**" in md
    assert "(cases meeting every key question 60%)" in md
    body = json.loads(str(out["json"]))
    o1 = body["standards"][0]
    assert (o1["rating"], o1["lowest"], o1["cases_meeting"]["yes"]) == ("Partly met", None, 6)
    assert (body["assignments_meeting"]["yes"], body["assignments_meeting"]["relevant"]) == (16, 20)
    html = str(out["html"])
    assert "Cases meeting the required standard: <b>60%</b> (6 of 10" in html
    sheet = load_workbook(io.BytesIO(out["xlsx"]))["Summary"]  # type: ignore[arg-type]
    o1_row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "O1")
    assert "Cases meeting every key question" in o1_row and 0.6 in o1_row


def test_the_shares_say_standard_in_the_rubrics_own_word(
    sqlite_repo: Repository, tmp_path: Path
) -> None:
    """DIPP's reports call a standard a stage; another framework its own word, and its plural
    where an "s" would not make it (the report screen's: tests/tui/test_dipp_app.py)."""
    text = (RUBRICS / "two-sets.toml").read_text(encoding="utf-8")
    worded = text.replace(
        "shares = true\n",
        'shares = true\nstandard_noun = "area of practice"\n'
        'standard_noun_plural = "areas of practice"\n',
    )
    assert worded != text
    audit = two_sets(repo := sqlite_repo, tmp_path, worded)
    md = str(render_report(repo, audit, "md"))
    assert "| Area of practice | Cases meeting the standard |" in md
    assert "| **All areas of practice (assignments)** | **54%** |" in md
    assert "(cases at each area of practice, 54%)" in md
    assert "an assignment is one case at one area of practice." in md
    html = str(render_report(repo, audit, "html"))
    assert "<th>Area of practice</th>" in html and "All areas of practice (assignments)" in html
