"""The audit trail as `audit-tui history` prints it: a table to read, CSV or JSON for scripts.

JSON is the contract: a list, oldest first, of answer changes `{"at", "by", "case", "item",
"old", "new", "via", "reason"}` (a judgement's change has `"case": null` and the standard as
`item`) and audit events `{"at", "by", "event", "detail"}`. Times are UTC, ISO 8601.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime

from audit_tui.domain.safe_text import json_text, one_line
from audit_tui.reporting.case_csv import csv_cell
from audit_tui.store.trail import Change, Event

FORMATS = ("table", "csv", "json")
CSV_COLUMNS = ("at", "by", "case", "item", "old", "new", "via", "reason", "event", "detail")
WORDS = {"yes": "Yes", "no": "No", "na": "N/A"}


def as_utc(when: datetime) -> datetime:
    """SQLite hands back naive times, which were written as UTC."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def utc(when: datetime) -> str:
    """`2026-11-26T06:30:12Z`."""
    return as_utc(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def entries(changes: Sequence[Change], events: Sequence[Event]) -> list[dict[str, object]]:
    """Both kinds in one list, oldest first (an event after the changes of the same moment)."""
    keyed: list[tuple[datetime, int, dict[str, object], bool]] = []
    for c in changes:
        keyed.append(
            (
                as_utc(c.at),
                0,
                {
                    "at": utc(c.at),
                    "by": c.by,
                    "case": c.case,
                    "item": c.item,
                    "old": c.old,
                    "new": c.new,
                    "via": c.via,
                    "reason": c.reason,
                },
                c.note_changed,
            )
        )
    for e in events:
        keyed.append(
            (
                as_utc(e.at),
                1,
                {"at": utc(e.at), "by": e.by, "event": e.event, "detail": e.detail},
                False,
            )
        )
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [entry for _, _, entry, _ in keyed]


Noted = set[tuple[str, str | None, str]]


def noted_keys(changes: Sequence[Change]) -> Noted:
    """(at, case, item) of the changes that touched a note: shown as "note" beside the value."""
    return {(utc(c.at), c.case, c.item) for c in changes if c.note_changed}


def readable_rows(rows: list[dict[str, object]], noted: Noted) -> list[tuple[str, ...]]:
    """(when, who, what, change, how / why) in words, oldest first: the table's and the app's
    timeline's lines."""
    lines: list[tuple[str, ...]] = []
    for row in rows:
        when = str(row["at"]).replace("T", " ").removesuffix("Z")
        if "event" in row:
            lines.append((when, str(row["by"]), str(row["event"]), "", str(row["detail"])))
            continue
        what = f"{row['case']} {row['item']}" if row["case"] else f"judgement {row['item']}"
        old, new = _word(row["old"]), _word(row["new"])
        change = f"{old} → {new}"
        if (row["at"], row["case"], row["item"]) in noted:
            change = "note" if old == new else f"{change}, note"
        how = str(row["via"]) + (f": {row['reason']}" if row["reason"] else "")
        lines.append((when, str(row["by"]), what, change, how))
    return lines


def render_history(changes: Sequence[Change], events: Sequence[Event], fmt: str) -> str:
    rows = entries(changes, events)
    noted = noted_keys(changes)
    if fmt == "json":
        return json_text(rows, indent=1) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow(csv_cell(row.get(c)) for c in CSV_COLUMNS)
        return out.getvalue()
    if fmt == "table":
        return _table(rows, noted)
    raise ValueError(f"unknown history format {fmt!r}")


def _table(rows: list[dict[str, object]], noted: Noted) -> str:
    """Aligned columns: when, who, what (case and item, or the event), the change, then how and
    why (an event's detail, which may be long, goes last)."""
    if not rows:
        return "no changes recorded\n"
    lines = [("When (UTC)", "Who", "What", "Change", "Via / why"), *readable_rows(rows, noted)]
    shown = [[one_line(cell) for cell in line] for line in lines]
    widths = [max(len(line[i]) for line in shown) for i in range(4)]
    out = []
    for cells in shown:
        head = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells[:4]))
        out.append(f"{head}  {cells[4]}".rstrip())
    return "\n".join(out) + "\n"


def _word(value: object) -> str:
    if value is None or value == "":
        return "-"
    return WORDS.get(str(value), str(value))
