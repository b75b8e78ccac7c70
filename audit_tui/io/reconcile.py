"""Reconciliation as a spreadsheet: every disagreement out, with both answers and notes (the
markers need them to talk it through), and the agreed answers and reasons back in.

The export carries notes because settling a disagreement needs them; it is logged as an export
(who, when, where) like a report. The import is all or nothing, one line per problem.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from audit_tui.domain.answers import parse_answer
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.records import OpenAudit
from audit_tui.io.csvfile import read_csv
from audit_tui.reporting.case_csv import FORMULA_START, SPELLING, csv_cell
from audit_tui.store import events
from audit_tui.store.repository import Repository

COLUMNS = (
    "round",
    "case_ref",
    "item_id",
    "question",
    "first_marker",
    "first",
    "first_note",
    "second_marker",
    "second",
    "second_note",
    "agreed",
    "reason",
    "settled_by",
)
NEEDED = ("round", "case_ref", "item_id", "agreed", "reason")


def render_disagreements(repo: Repository, audit: OpenAudit) -> tuple[str, int, int]:
    """The CSV text, how many disagreements and how many are settled."""
    from audit_tui.store.moderation import refuse_if_blind
    from audit_tui.store.settlement import summary

    refuse_if_blind(repo, audit, "reconcile")
    found = summary(repo, audit)
    if found is None:
        raise AuditError.at("reconcile", f'audit "{audit.info.name}" has no moderation round')
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    items = audit.rubric.items
    for d in found.disagreements:
        s = d.settled
        writer.writerow(
            [
                str(d.round),
                csv_cell(d.case_ref),
                csv_cell(d.item_id),
                csv_cell(items[d.item_id].item.text),
                csv_cell(d.first_marker),
                SPELLING[d.first.value],
                csv_cell(d.first.note, free_text=True),
                csv_cell(d.second_marker),
                SPELLING[d.second.value],
                csv_cell(d.second.note, free_text=True),
                SPELLING[s.agreed] if s else "",
                csv_cell(s.reason if s else ""),
                csv_cell(s.by if s else ""),
            ]
        )
    return buf.getvalue(), len(found.disagreements), found.settled


def export_disagreements(repo: Repository, audit: OpenAudit, path: Path) -> tuple[int, int]:
    from audit_tui.reporting.render import database_files, write_atomically

    text, n, settled = render_disagreements(repo, audit)
    events.record_access(
        repo, audit, "export", f"disagreements with notes to {path.resolve()}: reconcile"
    )
    write_atomically(path, text, protect=database_files(repo))
    return n, settled


def import_settlements(repo: Repository, audit: OpenAudit, path: Path) -> tuple[int, int, int]:
    """Record every row with an agreed answer. Returns (answers changed, settled, disagreements)."""
    from audit_tui.store.settlement import Agreed, settle, summary

    table = read_csv(path)
    missing = [c for c in NEEDED if c not in table.header]
    if missing:
        raise AuditError.at(
            str(path),
            f"missing {'column' if len(missing) == 1 else 'columns'}: {', '.join(missing)}",
        )
    problems: list[Problem] = []
    agreed: list[Agreed] = []
    seen: dict[tuple[str, str, str], tuple[int, str]] = {}
    for number, record in table.rows:
        value = record["agreed"].strip()
        if not value:
            continue  # not settled yet
        written = record["case_ref"]
        key = (record["round"].strip(), canonical_ref(written), record["item_id"].strip())
        if key in seen:
            row, before = seen[key]
            spelt = "" if before == written else f" as case_ref {before!r}, this row {written!r}"
            problems.append(table.problem(f"settled twice (first on row {row}{spelt})", number))
            continue
        seen[key] = (number, written)
        try:
            round_number = int(key[0])
        except ValueError:
            problems.append(table.problem(f"{key[0]!r} is not a round number", number, "round"))
            continue
        try:
            answer = parse_answer(value)
        except ValueError as exc:
            problems.append(table.problem(str(exc), number, "agreed"))
            continue
        assert answer is not None
        reason = _unescaped(record["reason"].strip())
        if not reason:
            problems.append(table.problem("say why it was settled so", number, "reason"))
            continue
        agreed.append(
            Agreed(
                round=round_number,
                case_ref=key[1],
                item_id=key[2],
                agreed=answer,
                reason=reason,
                where=f"{path}: row {number}",
            )
        )
    if problems:
        raise AuditError(problems)
    changed = settle(repo, audit, agreed)
    found = summary(repo, audit)
    return changed, found.settled if found else 0, len(found.disagreements) if found else 0


def _unescaped(text: str) -> str:
    """Undo the export's guard against formulas (a leading ')."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text
