"""The practitioner feedback sheet: one reviewed case, laid out for a supervision meeting.

What the review found (each key question met or not), what was done well and what must change
(the reviewer's own words, then the notes they tagged while reading the case), the actions agreed
with their dates, and space to sign. Short enough for one or two A4 pages; nothing on it relies on
colour. Untagged item notes are working notes and appear only when asked for (`--include-notes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import AnswerInfo, CaseInfo, OpenAudit
from audit_tui.domain.safe_text import TEXT_LIMIT, html_text, multi_line
from audit_tui.reporting.draft import draft_line
from audit_tui.reporting.markdown import md
from audit_tui.reporting.model import OVERSIGHT_NOTE, long_date
from audit_tui.reporting.opening import SHEET_DRAFT_NOTE, draft_html, draft_markdown
from audit_tui.store import answers as answer_ops
from audit_tui.store.follow_up import Action, Feedback, actions, feedback
from audit_tui.store.oversight import find_case
from audit_tui.store.repository import Repository

NOT_ANSWERED = "Not answered"
STATUS_WORDS = {"open": "Open", "done": "Done", "dropped": "Dropped"}


@dataclass(frozen=True)
class Finding:
    """One key question as this case answered it."""

    id: str
    standard: str
    text: str
    answer: str
    """`Yes`, `No`, `N/A` or `Not answered`."""


@dataclass(frozen=True)
class Point:
    text: str
    item_id: str = ""
    """The item a tagged note was written against ("" for the reviewer's own words)."""


@dataclass
class Sheet:
    audit: OpenAudit
    case: CaseInfo
    reviewer: str
    reviewed_on: date | None
    produced: date
    findings: list[Finding] = field(default_factory=list)
    strengths: list[Point] = field(default_factory=list)
    improvements: list[Point] = field(default_factory=list)
    not_met: list[Finding] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    notes: list[Point] = field(default_factory=list)
    """Untagged item notes: only with include_notes."""

    @property
    def draft(self) -> str | None:
        """`Draft: 40 of 73 items answered` while the review of the case is unfinished."""
        return draft_line(self.case.answered, self.case.applicable)

    @property
    def met(self) -> tuple[int, int]:
        """(key questions answered Yes, key questions answered Yes or No)."""
        answered = [f for f in self.findings if f.answer in ("Yes", "No")]
        return sum(f.answer == "Yes" for f in answered), len(answered)


def build_sheet(
    repo: Repository,
    audit: OpenAudit,
    case_ref: str,
    *,
    include_notes: bool = False,
    produced: date | None = None,
) -> Sheet:
    """Everything the sheet shows for one live case; an unknown or removed case is one line."""
    case = find_case(repo, audit, case_ref)
    answers = answer_ops.answers_for_case(repo, case.id)
    said: Feedback = feedback(repo, audit, case_ref)
    sheet = Sheet(
        audit=audit,
        case=case,
        reviewer=case.completed_by or case.allocated_to or _most(answers),
        reviewed_on=_last(answers),
        produced=produced or date.today(),
        actions=actions(repo, audit=audit, case_ref=case_ref),
    )
    rubric = audit.rubric
    for standard in rubric.standards:
        for kq in standard.key_questions:
            if not rubric.applies(kq.id, case.attributes):
                continue
            given = answers.get(kq.id)
            word = Answer(given.value).label if given and given.value else NOT_ANSWERED
            found = Finding(kq.id, standard.title, kq.label or kq.text, word)  # label: short
            sheet.findings.append(found)
            if word == "No":
                sheet.not_met.append(found)
    # cut (`multi_line`) before splitting: a huge text cannot become a huge number of points
    sheet.strengths = [Point(p) for p in _lines(multi_line(said.strengths))]
    sheet.improvements = [Point(p) for p in _lines(multi_line(said.improvements))]
    for item_id in rubric.column_order:  # the rubric's order, not the order notes were written
        given = answers.get(item_id)
        if given is None or not given.note.strip():
            continue
        point = Point(multi_line(given.note.strip()), item_id)
        if given.note_tag == "strength":
            sheet.strengths.append(point)
        elif given.note_tag == "improvement":
            sheet.improvements.append(point)
        elif include_notes:
            sheet.notes.append(point)
    return sheet


def _lines(text: str) -> list[str]:
    """The reviewer's points: one per line (prose keeps its semicolons), bullets stripped."""
    return [p for p in (line.strip().lstrip("-•* ").strip() for line in text.splitlines()) if p]


def _most(answers: dict[str, AnswerInfo]) -> str:
    names = [a.updated_by for a in answers.values() if a.updated_by]
    return max(set(names), key=names.count) if names else ""


def _last(answers: dict[str, AnswerInfo]) -> date | None:
    moments = [a.updated_at for a in answers.values() if isinstance(a.updated_at, datetime)]
    return max(moments).date() if moments else None


def _named(f: Finding) -> str:
    """`2.2.1 Assessment: Engaging the person`: the short label alone repeats across standards."""
    return f"{f.id} {f.standard}" + (f": {f.text}" if f.text != f.standard else "")


def _status(action: Action, on: date) -> str:
    word = STATUS_WORDS.get(action.status, action.status)
    return f"{word} (overdue)" if action.overdue(on) else word


def _facts(sheet: Sheet) -> list[tuple[str, str]]:
    info, case = sheet.audit.info, sheet.case
    yes, answered = sheet.met
    return [
        ("Case", case.case_ref),
        ("Practitioner", case.practitioner or "not recorded"),
        ("Team", case.team or "not recorded"),
        ("Reviewed by", sheet.reviewer or "not recorded"),
        ("Reviewed on", long_date(sheet.reviewed_on) if sheet.reviewed_on else "not yet"),
        ("Audit", info.name + (f" ({info.pdu})" if info.pdu else "")),
        ("Key questions met", f"{yes} of {answered}"),
        ("Produced on", long_date(sheet.produced)),
    ]


def sheet_markdown(sheet: Sheet) -> str:
    lines = [f"# Case review feedback: {md(sheet.case.case_ref)}", ""]
    lines += draft_markdown(sheet.draft, SHEET_DRAFT_NOTE)
    lines += [f"- {label}: {md(value)}" for label, value in _facts(sheet)]
    lines.append("")
    if sheet.audit.info.oversight:
        lines += [f"> {md(OVERSIGHT_NOTE)}", ""]
    lines += ["## What the review found", "", "| Key question | Met? |", "|---|---|"]
    lines += [f"| {md(_named(f), cell=True)} | {f.answer} |" for f in sheet.findings]
    lines.append("")
    for title, points, empty in (
        ("What was done well", sheet.strengths, "None recorded."),
        ("Areas for improvement", sheet.improvements, "None recorded."),
    ):
        lines += [f"## {title}", ""]
        lines += [
            f"- {md(p.text, limit=TEXT_LIMIT)}" + (f" ({md(p.item_id)})" if p.item_id else "")
            for p in points
        ]
        if title == "Areas for improvement":
            lines += [f"- Not met: {md(_named(f))}" for f in sheet.not_met]
        if not points and (title != "Areas for improvement" or not sheet.not_met):
            lines.append(empty)
        lines.append("")
    lines += ["## Actions agreed", ""]
    if sheet.actions:
        lines += ["| # | Action | By | Status |", "|---|---|---|---|"]
        lines += [
            f"| {a.id} | {md(a.what, cell=True)} | {long_date(a.due)} | {md(_status(a, sheet.produced), cell=True)} |"
            for a in sheet.actions
        ]
    else:
        lines.append("None agreed yet.")
    lines.append("")
    if sheet.notes:
        lines += ["## Reviewer's notes", ""]
        lines += [f"- {md(p.item_id)}: {md(p.text, limit=TEXT_LIMIT)}" for p in sheet.notes]
        lines.append("")
    lines += [
        "## Discussed",
        "",
        "Discussed in supervision on ____________________",
        "",
        "Reviewer ____________________  Practitioner ____________________",
        "",
    ]
    return "\n".join(lines)


CSS = """
@page { size: A4; margin: 14mm 14mm 16mm; }
body { font-family: system-ui, sans-serif; font-size: 10pt; line-height: 1.35; max-width: 180mm;
       margin: 0 auto; color: #000; }
h1 { font-size: 15pt; margin: 0 0 .4rem; } h2 { font-size: 11.5pt; margin: 1rem 0 .3rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: 0; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #888;
  padding: .15rem .35rem; text-align: left; vertical-align: top; }
td.answer { white-space: nowrap; width: 7rem; } td.answer.no { font-weight: 700; }
.note { border-left: 3px solid #000; padding-left: .5rem; }
.draft { border: 2px solid #000; padding: .3rem .5rem; margin: 0 0 .5rem; }
.sign { margin-top: 1.2rem; display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
.sign p { border-bottom: 1px solid #000; padding-top: 1.6rem; margin: 0; }
section, tr { break-inside: avoid; }
"""


def sheet_html(sheet: Sheet) -> str:
    e = html_text
    ref = e(sheet.case.case_ref)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>Case review feedback: {ref}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Case review feedback: {ref}</h1>",
        *([draft_html(sheet.draft, SHEET_DRAFT_NOTE)] if sheet.draft else []),
        '<dl class="facts">',
    ]
    out += [f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in _facts(sheet)]
    out.append("</dl>")
    if sheet.audit.info.oversight:
        out.append(f'<p class="note">{e(OVERSIGHT_NOTE)}</p>')
    out += [
        '<section id="findings"><h2>What the review found</h2>',
        "<table><thead><tr><th>Key question</th><th>Met?</th></tr></thead><tbody>",
    ]
    out += [
        f'<tr data-item="{e(f.id)}"><td>{e(_named(f))}</td>'
        f'<td class="answer{" no" if f.answer == "No" else ""}">{e(f.answer)}</td></tr>'
        for f in sheet.findings
    ]
    out.append("</tbody></table></section>")
    for key, title, points in (
        ("strengths", "What was done well", sheet.strengths),
        ("improvements", "Areas for improvement", sheet.improvements),
    ):
        items = [
            f"<li>{e(p.text, TEXT_LIMIT)}"
            + (f" <small>({e(p.item_id)})</small>" if p.item_id else "")
            + "</li>"
            for p in points
        ]
        if key == "improvements":
            items += [f"<li>Not met: {e(_named(f))}</li>" for f in sheet.not_met]
        body = f"<ul>{''.join(items)}</ul>" if items else "<p>None recorded.</p>"
        out.append(f'<section id="{key}"><h2>{title}</h2>{body}</section>')
    out.append('<section id="actions"><h2>Actions agreed</h2>')
    if sheet.actions:
        out.append(
            "<table><thead><tr><th>#</th><th>Action</th><th>By</th><th>Status</th></tr></thead><tbody>"
        )
        out += [
            f'<tr data-action="{a.id}"><td>{a.id}</td><td>{e(a.what)}</td>'
            f"<td>{e(long_date(a.due))}</td><td>{e(_status(a, sheet.produced))}</td></tr>"
            for a in sheet.actions
        ]
        out.append("</tbody></table>")
    else:
        out.append("<p>None agreed yet.</p>")
    out.append("</section>")
    if sheet.notes:
        notes = "".join(f"<li>{e(p.item_id)}: {e(p.text, TEXT_LIMIT)}</li>" for p in sheet.notes)
        out.append(f'<section id="notes"><h2>Reviewer\'s notes</h2><ul>{notes}</ul></section>')
    out += [
        '<section id="discussed"><h2>Discussed</h2>',
        "<p>Discussed in supervision on ____________________</p>",
        '<div class="sign"><p>Reviewer</p><p>Practitioner</p></div></section>',
        "</body></html>",
        "",
    ]
    return "\n".join(out)


def render_sheet(
    repo: Repository,
    audit: OpenAudit,
    case_ref: str,
    fmt: str,
    *,
    include_notes: bool = False,
    produced: date | None = None,
) -> str:
    """The sheet as md or html. Refused to a second marker still marking blind (it shows the
    case's answers)."""
    from audit_tui.reporting.formats import BY_NAME, SHEET_FORMATS
    from audit_tui.store.moderation import refuse_if_blind

    render = BY_NAME[fmt].sheet if fmt in BY_NAME else None
    if render is None:
        raise AuditError.at(
            "format", f"the feedback sheet is {' or '.join(SHEET_FORMATS)}, not {fmt}"
        )
    with repo.snapshot() as snap:  # the case, its answers, feedback and actions: one moment
        refuse_if_blind(snap, audit, "report")
        sheet = build_sheet(snap, audit, case_ref, include_notes=include_notes, produced=produced)
    return render(sheet)
