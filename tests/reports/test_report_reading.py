"""The human-readable reports as a quality development officer prints and reads them (issue 9).

Printed from Chromium the HTML was US Letter, stranded headings at the foot of a page, carried no
date or audit period, and numbered prompts but not key questions; a small audit printed tables of
"suppressed"; ids stood where words belong. The print layout itself was checked by hand in
Chromium (A4, no page ending with a heading); here the CSS rules and the HTML structure that make
it so are asserted, with the words each report uses.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from html import escape
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from audit_tui.demo import load_demo
from audit_tui.domain.answers import Answer
from audit_tui.domain.records import Judgement, OpenAudit
from audit_tui.reporting.html_report import CSS, render_html
from audit_tui.reporting.markdown import render_markdown
from audit_tui.reporting.model import Period, ReportData, build_report, long_date
from audit_tui.reporting.xlsx_report import case_headings, render_xlsx
from audit_tui.scoring.breakdowns import build_breakdown
from audit_tui.scoring.results import Tally
from audit_tui.store import answers, audits, cases, judgements
from audit_tui.store.activity import audit_activity
from audit_tui.store.models import AnswerHistoryRow, AuditRow, JudgementHistoryRow, table_of
from audit_tui.store.repository import Repository

PRODUCED = date(2026, 11, 26)
HEADINGS = ("h1", "h2", "h3", "h4")


class _Outline(HTMLParser):
    """Each heading with the classes of the elements around it and whether anything follows it
    inside its nearest `.keep` block; table rows as (data-item, class of the table, cell texts);
    and the document's text outside tags (what a reader sees)."""

    VOID = frozenset({"meta", "br", "col", "img", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, set[str], str | None]] = []
        self.headings: list[dict[str, object]] = []
        self.rows: list[tuple[str | None, str, list[str]]] = []
        self.text: list[str] = []
        self._keep_children: dict[int, int] = {}  # id of a .keep frame -> elements opened in it
        self._cells: list[str] | None = None
        self._row: tuple[str | None, str] | None = None
        self._table = ""
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        for frame in self.stack:
            if "keep" in frame[1]:
                self._keep_children[id(frame)] = self._keep_children.get(id(frame), 0) + 1
        if tag in HEADINGS:
            keep = next((f for f in reversed(self.stack) if "keep" in f[1]), None)
            self.headings.append(
                {
                    "tag": tag,
                    "around": set().union(*(f[1] for f in self.stack)) if self.stack else set(),
                    "keep": keep,
                    "closed_at": None,
                    "text": "",
                }
            )
        if tag == "svg":
            self._svg += 1
        if tag == "table":
            self._table = a.get("class") or a.get("id") or ""
        if tag == "tr":
            self._cells, self._row = [], (a.get("data-item"), self._table)
        elif tag in ("td", "th") and self._cells is not None:
            self._cells.append("")
        if tag not in self.VOID:
            self.stack.append((tag, classes, a.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag in HEADINGS and self.headings and self.headings[-1]["closed_at"] is None:
            keep = self.headings[-1]["keep"]
            self.headings[-1]["closed_at"] = self._keep_children.get(id(keep), 0)
        if tag == "svg":
            self._svg -= 1
        if tag == "tr" and self._cells is not None and self._row is not None:
            self.rows.append((self._row[0], self._row[1], [c.strip() for c in self._cells]))
            self._cells = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._svg or (self.stack and self.stack[-1][0] in ("style", "title")):
            return
        self.text.append(data)
        if self.headings and self.stack and self.stack[-1][0] in HEADINGS:
            self.headings[-1]["text"] = str(self.headings[-1]["text"]) + data
        if self._cells is not None and self._cells:
            self._cells[-1] += data

    def followed(self, heading: dict[str, object]) -> bool:
        """Whether an element was opened in the heading's .keep block after the heading ended."""
        keep = heading["keep"]
        assert keep is not None
        return self._keep_children.get(id(keep), 0) > int(str(heading["closed_at"]))


def outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


@pytest.fixture
def demo(repo: Repository) -> tuple[Repository, OpenAudit, ReportData]:
    audit = load_demo(repo)
    return repo, audit, build_report(repo, audit, produced=PRODUCED)


def small_audit(repo: Repository, rubric_text: str, name: str = "small") -> OpenAudit:
    """Six cases in groups of two to four: every breakdown group is below the minimum of 5."""
    audit = audits.create_audit(repo, name, rubric_text, pdu="Oldham", region="Greater Manchester")
    attrs = [
        ("community", "male", "low"),
        ("community", "female", "low"),
        ("community", "male", "high"),
        ("licence", "female", "high"),
        ("licence", "male", "high"),
        ("licence", "female", "medium"),
    ]
    cases.add_cases(
        repo,
        audit,
        [
            (f"S-{i}", {"sentence_type": st, "has_psr": "no", "gender": g, "rosh": r})
            for i, (st, g, r) in enumerate(attrs, 1)
        ],
    )
    audit = audits.open_audit(repo, name)
    for case in cases.list_cases(repo, audit):
        answers.save_answer(repo, audit, case, "2.2.1", Answer.YES)
    return audit


# ---- printing: A4, no stranded headings --------------------------------------------------------


def test_the_page_is_a4_and_headings_keep_with_what_follows() -> None:
    css = re.sub(r"\s+", " ", CSS)
    assert re.search(r"@page \{[^}]*size: A4", css)
    assert re.search(r"@page \{[^}]*margin:", css)
    rule = re.search(r"h1, h2, h3, h4 \{([^}]*)\}", css)
    assert rule and "break-after: avoid" in rule.group(1)
    assert "page-break-after: avoid" in rule.group(1)  # older engines' spelling
    assert re.search(r"\.keep[^{]*\{[^}]*break-inside: avoid", css)
    # a page break only before a domain or the breakdowns, never after a heading and never
    # before each standard (that left "1. Organisational delivery" alone on a page)
    breaks = re.findall(r"([^{}]+)\{[^}]*break-before: page", css)
    assert breaks and all(".standard" not in selector for selector in breaks)
    assert "break-after: page" not in css


def test_every_heading_sits_in_a_kept_block_with_something_after_it(demo) -> None:  # type: ignore[no-untyped-def]
    _, _, data = demo
    page = outline(render_html(replace(data, include_notes=True)))
    body = [h for h in page.headings if h["tag"] != "h1"]
    assert len(body) > 20
    for heading in body:
        assert heading["keep"] is not None, heading["text"]
        assert page.followed(heading), f"{heading['text']!r} ends its block"
    domain_one = next(h for h in body if h["text"] == "1. Organisational delivery")
    standard = next(h for h in body if h["text"] == "1.1 Leadership")
    assert (
        domain_one["keep"] is standard["keep"]
    )  # the domain's heading goes with its first standard
    around = domain_one["around"]
    assert isinstance(around, set) and "domain" in around


def test_a_standards_heading_keeps_its_key_questions_table(demo) -> None:  # type: ignore[no-untyped-def]
    _, _, data = demo
    html = render_html(data)
    block = re.search(
        r'<section class="standard" id="standard-2\.2">\s*<div class="keep">(.*?)</div>', html, re.S
    )
    assert block
    assert "<h3>2.2 Assessment</h3>" in block.group(1)
    assert '<table class="key-questions" data-standard="2.2">' in block.group(1)


# ---- the title block ---------------------------------------------------------------------------


def test_the_title_block_names_the_framework_period_and_date(demo) -> None:  # type: ignore[no-untyped-def]
    _, _, data = demo
    data = replace(data, period=Period(start=date(2026, 3, 3), end=date(2026, 4, 28)))
    html = render_html(data)
    title = re.search(r'<header class="title-block">(.*?)</header>', html, re.S)
    assert title
    block = title.group(1)
    assert "<h1>Tameside (synthetic demo): case audit, March to April 2026</h1>" in block
    assert '<dd id="audit">demo-tameside</dd>' in block
    assert "Tameside (synthetic demo), Greater Manchester" in block
    framework = "HMIP adult probation PDU inspection (2021 framework), version 2021.1"
    assert f'<dd id="framework">{framework} <span class="small">(hmip-probation-pdu-2021)' in block
    assert (
        '<dd id="period">3 March 2026 to 28 April 2026 (from the audit&#x27;s creation to the last'
        " answer or judgement recorded)</dd>" in block
    )
    assert '<dd id="produced">26 November 2026</dd>' in block
    assert html.index("</header>") < html.index("<h2>Ratings</h2>")  # first thing on page one
    assert "(hmip-probation-pdu-2021 2021.1)" not in html

    text = render_markdown(data)
    head = text.split("## Ratings")[0]
    assert f"- Framework: {framework} (hmip-probation-pdu-2021)" in head
    assert "- Audit period: 3 March 2026 to 28 April 2026 (from the audit's creation" in head
    assert "- Produced on 26 November 2026" in head


def test_produced_defaults_to_today(demo) -> None:  # type: ignore[no-untyped-def]
    repo, audit, _ = demo
    data = build_report(repo, audit)
    assert data.produced == date.today()
    assert f'<dd id="produced">{long_date(date.today())}</dd>' in render_html(data)
    # the demo is loaded now: created and answered today
    assert data.period == Period(start=date.today(), end=date.today())
    assert data.period.text.endswith("(the audit was created and last changed that day)")


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 11, 26), "26 November 2026"),
        (date(2026, 3, 3), "3 March 2026"),
        (date(2025, 1, 31), "31 January 2025"),
    ],
)
def test_dates_read_the_uk_way(day: date, text: str) -> None:
    assert long_date(day) == text


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_audit_period_runs_from_creation_to_the_last_recorded_change(
    repo: Repository, rubric_text: str
) -> None:
    """On SQLite and PostgreSQL: the latest answer or judgement change of this audit only."""
    audit = small_audit(repo, rubric_text)
    other = small_audit(repo, rubric_text, "other")  # later changes in another audit: not counted
    judgements.save_judgements(repo, audit, [Judgement(standard_id="1.1", rating="Good")])
    with repo.engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # history written in the past: past the guards
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(
            update(table_of(AuditRow))
            .where(table_of(AuditRow).c.id == audit.info.id)
            .values(created_at=_at("2026-03-03 12:00"))
        )
        conn.execute(update(table_of(AnswerHistoryRow)).values(changed_at=_at("2026-04-20 12:00")))
        conn.execute(
            update(table_of(JudgementHistoryRow)).values(changed_at=_at("2026-04-28 12:00"))
        )
    activity = audit_activity(repo.engine, audit.info.id)
    assert activity is not None
    assert activity.created_at == _at("2026-03-03 12:00")
    assert activity.last_change == _at("2026-04-28 12:00")  # the judgement, after the answers
    data = build_report(repo, audits.open_audit(repo, "small"), produced=PRODUCED)
    assert data.period == Period(start=date(2026, 3, 3), end=date(2026, 4, 28))
    assert data.period.text == (
        "3 March 2026 to 28 April 2026 (from the audit's creation to the last answer or"
        " judgement recorded)"
    )
    assert "Audit period: 3 March 2026 to 28 April 2026" in render_markdown(data)
    assert audit_activity(repo.engine, other.info.id).last_change == _at("2026-04-20 12:00")  # type: ignore[union-attr]
    assert audit_activity(repo.engine, 10_000_000) is None


def test_an_audit_with_nothing_recorded_has_an_open_period(
    repo: Repository, rubric_text: str
) -> None:
    audit = audits.create_audit(repo, "fresh", rubric_text)
    activity = audit_activity(repo.engine, audit.info.id)
    assert activity is not None and activity.last_change is None
    data = build_report(repo, audit, produced=PRODUCED)
    assert data.period is not None and data.period.end is None
    assert data.period.text.endswith("when the audit was created; no answers recorded yet")


# ---- numbered key questions --------------------------------------------------------------------


def test_key_question_rows_carry_their_numbers(demo) -> None:  # type: ignore[no-untyped-def]
    _, audit, data = demo
    kqs = {k.id: k.text for s in audit.rubric.standards for k in s.key_questions}
    rows = {item: cells for item, table, cells in outline(render_html(data)).rows
            if table == "key-questions" and item}  # fmt: skip
    assert set(rows) == set(kqs)
    for kq_id, text in kqs.items():
        assert rows[kq_id][0] == f"{kq_id} {text}"
    markdown = render_markdown(data)
    for kq_id, text in kqs.items():
        assert f"\n| {kq_id} {text} | " in markdown


# ---- breakdowns: one sentence instead of tables of "suppressed" --------------------------------


def test_breakdown_knows_when_everything_is_suppressed(rubric) -> None:  # type: ignore[no-untyped-def]
    tally = {"2.2.1": Tally(yes=2, no=1, applicable=3)}
    small = build_breakdown(rubric, "gender", {"male": 3, "female": 2}, {"male": tally}, 5)
    assert small.all_suppressed and small.too_small
    some = build_breakdown(
        rubric,
        "gender",
        {"male": 9, "female": 2},
        {"male": {k: Tally(yes=5, no=4, applicable=9) for k in ("2.2.1", "2.2.2")}},
        5,
    )
    assert not some.all_suppressed and not some.too_small
    unanswered = build_breakdown(rubric, "gender", {"male": 9, "female": 6}, {}, 5)
    assert unanswered.all_suppressed and not unanswered.too_small  # big enough, no answers yet


def test_a_small_audit_says_why_it_has_no_breakdowns(
    sqlite_repo: Repository, rubric_text: str
) -> None:
    audit = small_audit(sqlite_repo, rubric_text)
    data = build_report(sqlite_repo, audit, produced=PRODUCED)
    compared = [bd for bd in data.breakdowns if len(bd.groups) > 1]
    assert compared and all(bd.all_suppressed and bd.too_small for bd in compared)
    assert data.breakdown_plan().shown == []
    sentence = (
        "No breakdowns: every group has fewer than 5 cases (5 is the smallest group a report"
        " shows; --min-group changes it)."
    )
    html = render_html(data)
    coded = sentence.replace("--min-group", "<code>--min-group</code>")  # never split at "-"
    assert f'<p class="no-breakdowns">{coded}</p>' in html
    assert '<table class="breakdown"' not in html and "suppressed</td>" not in html
    assert '<section class="breakdowns">' in html  # no page of its own for one sentence
    text = render_markdown(data)
    section = text.split("## Breakdowns")[1].split("## About")[0]
    assert section.strip() == sentence.replace("--min-group", "`--min-group`")
    raw = render_xlsx(data, answers.answer_values(sqlite_repo, audit))
    rows = list(load_workbook(io.BytesIO(raw))["Breakdowns"].iter_rows(values_only=True))
    assert rows == [(sentence,)]


def test_breakdowns_left_out_are_named_beside_those_shown(demo) -> None:  # type: ignore[no-untyped-def]
    repo, audit, _ = demo
    data = build_report(repo, audit, produced=PRODUCED, min_group=13)
    plan = data.breakdown_plan()
    # sentence type (21 and 7) and gender (25 and 3): each row's small group would be the total
    # less the big one, so the big one is withheld too; ethnicity's three small groups (1, 2
    # and 1) cannot be told apart, so White (24) is shown
    assert [bd.attribute for bd in plan.shown] == ["ethnicity"]
    assert plan.note == (
        "Not broken down by sentence type, gender, risk of serious harm or practitioner grade:"
        " every group has fewer than 13 cases, or fewer than 13 relevant answers, or figures"
        " from which such a group's could be worked out (13 is the smallest group a report"
        " shows; --min-group changes it)."
    )
    html = render_html(data)
    assert html.count('<table class="breakdown"') == 1
    assert escape(plan.note).replace("--min-group", "<code>--min-group</code>") in html
    assert '<section class="breakdowns new-page">' in html and 'data-attribute="rosh"' not in html
    text = render_markdown(data)
    assert plan.note.replace("--min-group", "`--min-group`") in text
    assert "### By risk of serious harm" not in text


def test_groups_big_enough_without_answers_give_the_other_reason(
    sqlite_repo: Repository, rubric_text: str
) -> None:
    audit = audits.create_audit(sqlite_repo, "unanswered", rubric_text)
    cases.add_cases(
        sqlite_repo,
        audit,
        [
            (
                f"U-{i}",
                {
                    "sentence_type": "community",
                    "has_psr": "no",
                    "rosh": "low",
                    "gender": "male" if i % 2 else "female",
                },
            )
            for i in range(12)
        ],
    )
    data = build_report(sqlite_repo, audits.open_audit(sqlite_repo, "unanswered"))
    assert data.breakdown_plan().note == (
        "No breakdowns: every group has fewer than 5 cases, or fewer than 5 relevant answers"
        " (5 is the smallest group a report shows; --min-group changes it)."
    )


# ---- words, not ids ----------------------------------------------------------------------------


def test_reports_use_words_where_a_reader_reads(demo) -> None:  # type: ignore[no-untyped-def]
    _, _, data = demo
    html = render_html(data)
    seen = "".join(outline(html).text)
    text = render_markdown(data)
    for report in (seen, text):
        assert "ind." not in report  # indicators by their names, not ids
        assert "Management oversight: Was management oversight sufficient" in report
        assert "Ethnicity" in report and "White 24, Mixed 1, Asian 2, Black 1" in report
        assert "Low 5, Medium 12, High 9, Very high 2" in report
        assert "Not broken down by gender" in report and "Very high (n=2)" in report
        assert "could be higher (up to Requires improvement)" in report
        assert not re.search(r"\b1 cases\b", report)
    assert 'data-item="ind.oversight"' in html  # the id stays where machines look


def test_one_answer_still_to_give_is_singular(sqlite_repo: Repository, rubric_text: str) -> None:
    audit = audits.create_audit(sqlite_repo, "one", rubric_text)
    cases.add_cases(
        sqlite_repo,
        audit,
        [("O-1", {"sentence_type": "community", "has_psr": "no", "rosh": "low"})],
    )
    audit = audits.open_audit(sqlite_repo, "one")
    case = cases.list_cases(sqlite_repo, audit)[0]
    for item in ("2.2.1", "2.2.2"):
        answers.save_answer(sqlite_repo, audit, case, item, Answer.YES)
    text = render_markdown(build_report(sqlite_repo, audit))
    assert "1 key-question answer still to be given." in text  # 2.2.3
    assert "3 key-question answers still to be given." in text  # 2.3
    assert not re.search(r"\b1 (cases|key-question answers)\b", text)


# ---- the workbook: headings in words, a Questions sheet ----------------------------------------


def test_case_sheet_headings_have_words_and_questions_explain_every_column(demo) -> None:  # type: ignore[no-untyped-def]
    repo, audit, data = demo
    wb = load_workbook(io.BytesIO(render_xlsx(data, answers.answer_values(repo, audit))))
    header = next(wb["Cases"].iter_rows(max_row=1, values_only=True))
    assert list(header) == case_headings(audit.rubric)
    assert header[:7] == (
        "Case reference",
        "Sentence type",
        "Pre-sentence report",
        "Gender",
        "Ethnicity",
        "Risk of serious harm",
        "Practitioner grade",
    )
    assert "2.2.1 Engaging the person" in header and "2.1.1 Court work" in header
    assert "2.2.1.a" in header and "Management oversight" in header
    assert wb["Cases"].column_dimensions["A"].width >= 14

    questions = list(wb["Questions"].iter_rows(values_only=True))
    assert questions[0] == ("Id", "Kind", "Standard", "Label", "Question")
    by_id = {row[0]: row for row in questions[1:]}
    assert list(by_id) == audit.rubric.column_order  # every item column, in the same order
    assert by_id["2.2.1"] == (
        "2.2.1",
        "Key question",
        "2.2 Assessment",
        "Engaging the person",
        "Does assessment focus sufficiently on engaging the person on probation?",
    )
    assert by_id["2.2.1.a"][1:3] == ("Prompt", "2.2 Assessment") and by_id["2.2.1.a"][3] is None
    assert by_id["ind.oversight"][1] == "Indicator" and by_id["ind.oversight"][3] == (
        "Management oversight"
    )
    assert wb["Questions"].freeze_panes == "A2"
    assert wb["Questions"].column_dimensions["E"].width >= 80


def test_summary_is_laid_out_for_reading(demo) -> None:  # type: ignore[no-untyped-def]
    repo, audit, data = demo
    data = replace(data, period=Period(start=date(2026, 3, 3), end=date(2026, 4, 28)))
    wb = load_workbook(io.BytesIO(render_xlsx(data, answers.answer_values(repo, audit))))
    ws = wb["Summary"]
    facts = {r[0]: r[1] for r in ws.iter_rows(min_row=1, max_row=13, values_only=True)}
    assert facts["Framework"] == (
        "HMIP adult probation PDU inspection (2021 framework), version 2021.1"
    )
    assert facts["Framework id"] == "hmip-probation-pdu-2021"
    assert facts["Audit period"].startswith("3 March 2026 to 28 April 2026")
    assert facts["Produced on"] == datetime(2026, 11, 26)
    assert facts["Complete"] == "Yes"
    assert facts["Locked"] == "Not locked: its figures may still change"
    assert ws["A15"].value == "Standard" and ws["A14"].value is None  # a true blank row
    for column in "ABCDEFGH":
        assert ws.column_dimensions[column].width >= 8, column
