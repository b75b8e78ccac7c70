"""How reports open: the demo report's title of PDU and months and its generated summary (golden
md and html), the re-audit's changes since the demo audit, and the draft line on an unfinished
feedback sheet (golden md and html), an unfinished audit's report and workbook, and never on a
finished one.

Regenerate the golden files deliberately with UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

from openpyxl import load_workbook

from audit_tui.demo import DEMO_OVERSIGHT, DEMO_REAUDIT, load_demo
from audit_tui.reporting.feedback_sheet import render_sheet
from audit_tui.reporting.html_report import render_html
from audit_tui.reporting.markdown import render_markdown
from audit_tui.reporting.model import build_report
from audit_tui.reporting.render import render_report
from audit_tui.store import answers, audits, cases
from audit_tui.store.database import open_repository
from audit_tui.store.repository import Repository
from audit_tui.store.sampling import Sample
from tests.reports.test_reports import PERIOD, PRODUCED, _golden

DRAFT = re.compile(r"Draft: \d")


def test_the_demo_report_opens_with_its_findings_in_words(repo: Repository) -> None:
    audit = load_demo(repo)
    data = replace(build_report(repo, audit, produced=PRODUCED), period=PERIOD)
    md = render_markdown(data).replace(repo.user, "tester")
    html = render_html(data).replace(repo.user, "tester")
    _golden("demo-report.md", md)
    _golden("demo-report.html", html)
    title = "Tameside (synthetic demo): case audit, March to April 2026"
    assert md.startswith(f"# {title}\n") and f"<title>{title}</title>" in html
    assert "- Audit: demo-tameside\n" in md and '<dd id="audit">demo-tameside</dd>' in html
    opening = md[md.index("## Summary") : md.index("## Ratings")]
    assert "Overall rating: Requires improvement, a score of 7 out of 27." in opening
    assert (
        "The lowest key question is 2.2.3 Assessment: Keeping other people safe, at 29%" in opening
    )
    assert "The highest key question is 2.3.2 Planning: Desistance, at 75% (21 of 28;" in opening
    assert "previous audit" not in opening  # the demo audit is the first of its PDU
    assert not DRAFT.search(md) and not DRAFT.search(html)  # every item answered


def test_the_reaudit_says_what_changed_since_the_demo_audit(sqlite_repo: Repository) -> None:
    load_demo(sqlite_repo)
    audit = audits.open_audit(sqlite_repo, DEMO_REAUDIT)
    findings = build_report(sqlite_repo, audit).findings
    changes = findings[-1]
    assert changes.startswith("Against the previous audit of this PDU (demo-tameside, created ")
    assert "2.2 Assessment went from Inadequate to Requires improvement" in changes
    assert "2.2.3 rose from 29% to 68% (39 points; 95% interval of the change 13 to 59)" in changes
    assert "the other 12 key questions moved no more than chance explains." in changes


def test_the_title_takes_the_sample_window_and_falls_back_to_the_audits_name(
    sqlite_repo: Repository, rubric_text: str
) -> None:
    audit = audits.create_audit(sqlite_repo, "q1", rubric_text)
    data = build_report(sqlite_repo, audit)
    month = f"{date.today():%B %Y}"  # created today, nothing answered yet: one month
    assert data.title == f"q1: case audit, {month}"
    drawn = Sample(
        seed=1, size=1, strata=[], window=(date(2024, 1, 1), date(2024, 3, 31)),
        min_per_stratum=0, rule="", population_total=1, plan=[], drawn_at=None, drawn_by="",
    )  # fmt: skip
    data.audit = replace(audit, info=replace(audit.info, pdu="Tameside PDU"))
    data.drawn = drawn
    assert data.title == "Tameside PDU: case audit, January to March 2024"
    data.drawn = replace(drawn, window=(date(2023, 11, 1), date(2024, 2, 29)))
    assert data.title == "Tameside PDU: case audit, November 2023 to February 2024"
    data.drawn, data.period = replace(drawn, window=(None, date(2024, 2, 29))), None
    assert data.title == "Tameside PDU: case audit"


def test_an_unfinished_feedback_sheet_is_a_draft(sqlite_target: str) -> None:
    repo = open_repository(sqlite_target, user="spo")
    load_demo(repo)
    audit = audits.open_audit(repo, DEMO_OVERSIGHT)
    sheets = {fmt: render_sheet(repo, audit, "OV26-001", fmt) for fmt in ("md", "html")}
    assert not any(DRAFT.search(s) for s in sheets.values())  # every item answered
    case = next(c for c in cases.list_cases(repo, audit) if c.case_ref == "OV26-001")
    cleared = [i for i in answers.answers_for_case(repo, case.id) if i.startswith("2.5")]
    for item_id in cleared:
        answers.save_answer(repo, audit, case, item_id, None)
    case = next(c for c in cases.list_cases(repo, audit) if c.case_ref == "OV26-001")
    line = f"Draft: {case.answered} of {case.applicable} items answered"
    assert case.applicable - case.answered == len(cleared) > 0
    for fmt in ("md", "html"):
        sheet = render_sheet(repo, audit, "OV26-001", fmt, produced=PRODUCED)
        # the review's date is when the demo was loaded: the one line that moves with the clock
        sheet = re.sub(
            r"(Reviewed on(?::|</dt><dd>) ?)[^<\n]*", r"\1(the day the demo was loaded)", sheet
        )
        _golden(f"feedback-sheet-draft.{fmt}", sheet)
        top = sheet[: sheet.index("Practitioner")]
        assert line in top, top  # at the top, before any fact
    md = render_sheet(repo, audit, "OV26-001", "md")
    assert "| 2.5.3 Reviewing: Keeping other people safe | Not answered |" in md


def test_an_unfinished_audit_says_so_at_the_top_of_every_report(
    sqlite_repo: Repository, rubric_text: str
) -> None:
    audit = audits.create_audit(sqlite_repo, "half", rubric_text)
    cases.add_cases(
        sqlite_repo,
        audit,
        [("C-1", {"sentence_type": "community", "has_psr": "no", "rosh": "low"})],
    )
    audit = audits.open_audit(sqlite_repo, "half")
    case = cases.list_cases(sqlite_repo, audit)[0]
    from audit_tui.domain.answers import Answer

    for item_id in ("2.2.1", "2.2.2"):
        answers.save_answer(sqlite_repo, audit, case, item_id, Answer.YES)
    line = f"Draft: 2 of {case.applicable} items answered"
    md = render_report(sqlite_repo, audit, "md")
    html = render_report(sqlite_repo, audit, "html")
    assert isinstance(md, str) and isinstance(html, str)
    assert (
        md.splitlines()[2]
        == f"> **{line}.** The figures cover the answers given so far and will change."
    )
    assert html.index(line) < html.index("<dl") and "Provisional" not in md
    book = render_report(sqlite_repo, audit, "xlsx")
    assert isinstance(book, bytes)
    summary = load_workbook(io.BytesIO(book))["Summary"]
    assert summary["D1"].value == line and summary["D1"].font.b  # beside the audit's name
    assert (summary["A1"].value, summary["B1"].value, summary["A2"].value) == (
        "Audit",
        "half",
        "PDU",
    )
