"""The practitioner feedback sheet (`report AUDIT --case REF`) and what reports say about an
oversight audit: the golden sheet on the demo, hostile text kept inert, the refusals, the export
logged, and per-practitioner figures with their suppression and caution."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pytest

from audit_tui.demo import DEMO_OVERSIGHT, load_demo
from audit_tui.reporting.feedback_sheet import build_sheet, render_sheet, sheet_markdown
from audit_tui.reporting.markdown import render_markdown
from audit_tui.reporting.model import build_report
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, events
from audit_tui.store.database import open_repository
from audit_tui.store.follow_up import add_action, save_feedback
from audit_tui.store.repository import Repository
from tests.support.cli import run, table_counts
from tests.support.paths import GOLDEN as GOLDEN_DIR
from tests.support.serving import CHROMIUM

GOLDEN = GOLDEN_DIR / "feedback-sheet.md"
PRODUCED = date(2026, 11, 26)


@pytest.fixture
def demo(sqlite_target: str) -> Repository:
    repo = open_repository(sqlite_target, user="spo")
    load_demo(repo)
    return repo


def test_the_demo_sheet_matches_the_golden_file(demo: Repository) -> None:
    audit = audits.open_audit(demo, DEMO_OVERSIGHT)
    text = render_sheet(demo, audit, "OV26-001", "md", produced=PRODUCED)
    # the review's date is when the demo was loaded: the one line that moves with the clock
    text = re.sub(r"- Reviewed on: .*", "- Reviewed on: (the day the demo was loaded)", text)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_the_sheet_reads_the_case_as_the_reviewer_answered_it(demo: Repository) -> None:
    audit = audits.open_audit(demo, DEMO_OVERSIGHT)
    sheet = build_sheet(demo, audit, "OV26-001", produced=PRODUCED)
    answers = answer_ops.answers_for_case(demo, sheet.case.id)
    assert [f.id for f in sheet.not_met] == [
        f.id for f in sheet.findings if answers[f.id].value == "no"
    ]
    assert sheet.met == (sum(f.answer == "Yes" for f in sheet.findings), len(sheet.findings))
    assert [p.item_id for p in sheet.strengths] == ["", "2.3.1", "2.4.3"]  # own words first
    assert {a.status for a in sheet.actions} == {"done", "open"}
    assert sheet.notes == []  # untagged notes only when asked
    late = build_sheet(demo, audit, "OV26-003", produced=PRODUCED)
    assert "Open (overdue)" in sheet_markdown(late)  # due 13 November, in words


def test_hostile_words_print_as_themselves(sqlite_target: str, rubric_text: str) -> None:
    repo = open_repository(sqlite_target, user="spo")
    audit = audits.create_audit(repo, "ov", rubric_text, kind="oversight")
    from audit_tui.store.oversight import add_reviewed_case

    add_reviewed_case(
        repo, audit, "R-1", {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
    )
    save_feedback(
        repo, audit, "R-1", strengths="<script>alert(1)</script>", improvements="[x](http://e) | y"
    )
    add_action(repo, audit, "R-1", '=HYPERLINK("http://e")<b>', date(2026, 12, 1))
    html = render_sheet(repo, audit, "R-1", "html")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;" in html
    md = render_sheet(repo, audit, "R-1", "md")
    assert "<script>" not in md and "\\[x\\](http://e)" in md
    assert '=HYPERLINK("http://e")&lt;b&gt; |' in md  # one table cell, not a second column


def test_report_case_through_the_command_line(
    capsys: pytest.CaptureFixture[str], sqlite_target: str, tmp_path: Path
) -> None:
    def cli(*argv: str) -> tuple[int, str, str]:
        return run(capsys, "--db", sqlite_target, "--as", "spo", *argv)

    assert cli("demo", "--no-tui")[0] == 0
    out_file = tmp_path / "sheet.html"
    code, _, err = cli(
        "report", DEMO_OVERSIGHT, "--case", "OV26-001", "--format", "html", "--out", str(out_file)
    )
    assert code == 0, err
    html = out_file.read_text()
    assert "@page { size: A4" in html and "Case review feedback: OV26-001" in html
    assert 'data-action="1"' in html and "Reviewer" in html and "Practitioner" in html
    assert oct(out_file.stat().st_mode & 0o777) == "0o600"  # owner-only, as every export
    repo = open_repository(sqlite_target, user="spo")
    logged = [e.detail for e in events.audit_events(repo, audits.open_audit(repo, DEMO_OVERSIGHT))]
    assert any(d.startswith("feedback sheet for case OV26-001: html") for d in logged)
    before = table_counts(sqlite_target)
    for bad, words in (
        (["--format", "xlsx"], "--case makes the feedback sheet"),
        (["--format", "md", "--section", "moderation"], "--case makes the feedback sheet"),
    ):
        code, out, err = cli("report", DEMO_OVERSIGHT, "--case", "OV26-001", *bad)
        assert code == 2 and out == "" and words in err and err.count("\n") == 1
    code, out, err = cli("report", DEMO_OVERSIGHT, "--case", "OV26-999")
    assert code == 1 and out == "" and err.count("\n") == 1 and "no case 'OV26-999'" in err
    assert table_counts(sqlite_target) == before  # a refused sheet is not logged as sent
    code, out, _ = cli("report", DEMO_OVERSIGHT, "--case", "OV26-002", "--include-notes")
    assert code == 0 and out.startswith("# Case review feedback: OV26-002")


def test_an_oversight_report_says_it_is_not_a_sample_and_summarises_people_carefully(
    demo: Repository, capsys: pytest.CaptureFixture[str], sqlite_target: str
) -> None:
    audit = audits.open_audit(demo, DEMO_OVERSIGHT)
    small = render_markdown(build_report(demo, audit, produced=PRODUCED))
    assert "**Not a sample.** Management oversight" in small
    assert "By practitioner" not in small  # two cases each: below the default of five
    shown = render_markdown(build_report(demo, audit, min_group=2, produced=PRODUCED))
    section = shown[shown.index("### By practitioner\n") :]
    assert section.split("\n")[2].startswith("A practitioner's or a team's figures rest on")
    assert "| P-017 (n=2) | P-023 (n=2) | P-031 (n=2) |" in section
    assert "### By team" in shown and "T-NORTH (n=4)" in shown
    sample = audits.open_audit(demo, "demo-tameside")
    assert "Not a sample" not in render_markdown(build_report(demo, sample, produced=PRODUCED))
    code, out, _ = run(
        capsys, "--db", sqlite_target, "--as", "spo", "report", DEMO_OVERSIGHT, "--format", "json"
    )
    assert code == 0 and json.loads(out)["kind"] == "oversight"


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium binary on this machine (make test installs one with apt-get when it can)",
)
def test_the_sheet_prints_on_one_or_two_a4_pages(demo: Repository, tmp_path: Path) -> None:
    """Printed by a real browser, the fullest demo sheet (two actions, tagged notes, every working
    note too) fits the supervision meeting's one or two pages."""
    from playwright.sync_api import sync_playwright

    audit = audits.open_audit(demo, DEMO_OVERSIGHT)
    page_file = tmp_path / "sheet.html"
    page_file.write_text(render_sheet(demo, audit, "OV26-001", "html", include_notes=True))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            pdf = page.pdf(prefer_css_page_size=True)
        finally:
            browser.close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, pages
    assert b"/MediaBox [0 0 594.9" in pdf  # A4 (595 x 842 points), from the sheet's @page


def test_a_second_marker_still_marking_blind_gets_no_sheet(
    sqlite_target: str, rubric_text: str
) -> None:
    """The sheet shows the case's first marks: hidden from its blind second marker, in one line."""
    from audit_tui.domain.errors import AuditError
    from audit_tui.store.moderation import start_round
    from audit_tui.store.oversight import add_reviewed_case

    spo = open_repository(sqlite_target, user="spo")
    audit = audits.create_audit(spo, "ov", rubric_text, kind="oversight")
    add_reviewed_case(
        spo, audit, "R-1", {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
    )
    start_round(spo, audit, "mod", cases=["R-1"])
    marker = open_repository(sqlite_target, user="mod")
    with pytest.raises(AuditError) as caught:
        render_sheet(marker, audit, "R-1", "md")
    assert len(caught.value.problems) == 1 and "blind (R-1)" in str(caught.value)
    assert render_sheet(spo, audit, "R-1", "md").startswith("# Case review feedback: R-1")
