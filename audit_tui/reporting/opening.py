"""How a report opens, in Markdown and HTML: the draft line while items are unanswered, then the
summary, the lead's own words above those generated from the figures."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from audit_tui.domain.safe_text import TEXT_LIMIT, html_text, multi_line
from audit_tui.reporting.markdown import md

if TYPE_CHECKING:
    from audit_tui.reporting.model import ReportData
    from audit_tui.store.lead_summary import LeadSummary

DRAFT_NOTE = "The figures cover the answers given so far and will change."
SHEET_DRAFT_NOTE = "The review is not finished: what it found may still change."
GENERATED_NOTE = "Generated from the figures below: it says only what they bear out."


def draft_markdown(line: str | None, note: str = DRAFT_NOTE) -> list[str]:
    return [f"> **{md(line)}.** {note}", ""] if line else []


def draft_html(line: str | None, note: str = DRAFT_NOTE) -> str:
    if not line:
        return ""
    return f'<p class="draft" id="draft"><strong>{html_text(line)}.</strong> {note}</p>'


def paragraphs(text: str) -> list[str]:
    """The lead's words a paragraph a line (blank lines dropped), control characters escaped."""
    return [p.strip() for p in multi_line(text).splitlines() if p.strip()]


def written(said: LeadSummary) -> str:
    from audit_tui.reporting.model import local_day, long_date

    at = said.at if said.at.tzinfo else said.at.replace(tzinfo=UTC)
    return f"Written by {said.by}, {long_date(local_day(at))}."


def summary_markdown(data: ReportData) -> list[str]:
    lines = ["## Summary", ""]
    said = data.lead_summary
    if said is not None:
        lines += ["### The lead's summary", ""]
        lines += [x for p in paragraphs(said.text) for x in (md(p, limit=TEXT_LIMIT), "")]
        lines += [f"_{md(written(said))}_", "", "### From the figures", ""]
    lines += [f"_{md(GENERATED_NOTE)}_", ""]
    lines += [x for p in data.findings for x in (md(p, limit=TEXT_LIMIT), "")]
    return lines


def summary_html(data: ReportData) -> str:
    """The summary's heading kept on a page with the block after it, each block whole."""
    e = html_text
    blocks = []
    said = data.lead_summary
    if said is not None:
        words = "".join(f"<p>{e(p, TEXT_LIMIT)}</p>" for p in paragraphs(said.text))
        blocks.append(
            '<div class="lead-summary keep" id="lead-summary"><h3>The lead\'s summary</h3>'
            f'{words}<p class="meta">{e(written(said))}</p></div>'
        )
    found = "".join(f"<p>{e(p, TEXT_LIMIT)}</p>" for p in data.findings)
    heading = "<h3>From the figures</h3>" if said is not None else ""
    blocks.append(
        f'<div class="findings keep" id="findings">{heading}'
        f'<p class="note">{e(GENERATED_NOTE)}</p>{found}</div>'
    )
    first, *rest = blocks
    return "\n".join(
        [
            '<section class="summary" id="summary">',
            f'<div class="keep"><h2>Summary</h2>{first}</div>',
            *rest,
            "</section>",
        ]
    )
