"""`audit-tui audits [--format table|json]`: the audits you may see, with what the app's audit
list shows (rubric, PDU, cases, progress, score, rating) and whether each is locked. On
PostgreSQL the database decides which: a login sees only the audits it is a member of."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from audit_tui.cli_support import RepoOf
from audit_tui.domain.safe_text import json_text, one_line
from audit_tui.domain.words import whole_percent

if TYPE_CHECKING:
    from audit_tui.store.listing import AuditSummary


HIDDEN = "hidden"
"""What a blind second marker sees for a figure of the audit, as in the app."""
HEADINGS = ("Audit", "Cases", "Progress", "Score", "Rating", "Locked", "PDU", "Rubric")
"""The figures first, as the app's list has them; the long words last."""
RIGHT = frozenset({"Cases", "Progress", "Score"})
"""Columns of figures, aligned on the right."""


def add_parsers(sub: Any) -> None:
    audits = sub.add_parser(
        "audits",
        help="list the audits you may see: rubric, PDU, cases, progress, score, rating, locked"
        " (the app opens with no command)",
    )
    audits.add_argument("--format", choices=("table", "json"), default="table")


def cmd_audits(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store.listing import audit_summaries

    repo = repo_of(args)
    found = audit_summaries(repo)
    if args.format == "json":
        print(json_text([as_dict(s) for s in found]))
    else:
        sys.stdout.write(render_table(found))
    return 0


def as_dict(s: AuditSummary) -> dict[str, Any]:
    """Stable keys; a figure a blind second marker may not see is the string "hidden"."""
    progress: dict[str, Any] | str = (
        HIDDEN
        if s.hidden
        else {"answered": s.answered, "applicable": s.applicable, "percent": s.percent}
    )
    return {
        "name": s.name,
        "rubric": {"id": s.rubric_id, "version": s.rubric_version, "title": s.rubric_title},
        "pdu": s.pdu or None,
        "region": s.region or None,
        "kind": s.kind,
        "cases": s.cases,
        "progress": progress,
        "score": HIDDEN if s.hidden else s.score,
        "score_max": s.score_max,
        "rating": HIDDEN if s.hidden else s.rating,
        "locked": (
            {"by": s.locked_by, "at": s.locked_at.isoformat() if s.locked_at else None}
            if s.locked_by is not None
            else None
        ),
    }


def _cells(s: AuditSummary) -> tuple[str, ...]:
    if s.hidden:
        progress = score = rating = HIDDEN
    else:
        progress = whole_percent(s.percent, missing="-")  # halves up, as the app shows it
        score = f"{s.score if s.score is not None else '-'}/{s.score_max}" if s.score_max else "-"
        rating = s.rating or ("not yet rated" if s.scale.ratings else "not rated")
    return tuple(
        one_line(cell)
        for cell in (
            s.name,
            f"{s.cases:,}",
            progress,
            score,
            rating,
            f"by {s.locked_by}" if s.locked_by is not None else "no",
            s.pdu or "-",
            s.rubric_title,
        )
    )


def render_table(found: Sequence[AuditSummary]) -> str:
    """Aligned columns, every cell one line with controls escaped (`one_line`): a name may have
    been written by any tool. An empty list says so rather than printing nothing."""
    if not found:
        return "no audits you may see (audit-tui new AUDIT --rubric ID creates one)\n"
    from rich.cells import cell_len  # wide characters take two columns

    rows = [HEADINGS, *(_cells(s) for s in found)]
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(HEADINGS))]
    lines = []
    for row in rows:
        cells = []
        for heading, cell, width in zip(HEADINGS, row, widths, strict=True):
            pad = " " * (width - cell_len(cell))
            cells.append(pad + cell if heading in RIGHT else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def bound(repo_of: RepoOf) -> dict[str, Callable[[argparse.Namespace], int]]:
    return {"audits": lambda args: cmd_audits(args, repo_of)}
