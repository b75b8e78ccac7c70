"""Reading a CSV the way users make them (Excel's BOM included), refusing what is not one."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.files import FileRefused, read_regular_file

MAX_CSV_BYTES = 256 * 1024 * 1024
"""Largest CSV file read (256 MiB): hundreds of times any real audit's, small enough to parse in memory."""

SHOWN_NAMES = 20
"""How many repeated column names one header error lists before counting the rest."""


@dataclass(frozen=True)
class CsvTable:
    """A header and its data rows. `row` numbers count the header as row 1, as a spreadsheet does."""

    path: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]

    def problem(self, message: str, row: int | None = None, column: str | None = None) -> Problem:
        return Problem(self.path, message, row=row, column=column)


def read_csv(path: Path) -> CsvTable:
    """Read a whole CSV file. Raises AuditError for a missing, binary, non-UTF-8, empty or ragged file,
    and for anything that is not a regular file of at most MAX_CSV_BYTES (a pipe or `/dev/zero`
    would otherwise hang), before reading it."""
    name = str(path)
    try:
        data = read_regular_file(path, MAX_CSV_BYTES)
    except FileRefused as exc:
        message = "is a folder, not a CSV file" if exc.kind == "folder" else exc.reason
        raise AuditError.at(name, message) from None
    if b"\x00" in data:
        raise AuditError.at(name, "is a binary file, not CSV text (was it saved as .xlsx?)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AuditError.at(
            name, f"is not UTF-8 text (line {line}, byte {exc.start}); save it as CSV UTF-8"
        ) from None
    if not text.strip():
        raise AuditError.at(name, "is empty: a header row is required")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise AuditError.at(name, f"is not valid CSV ({exc})") from None
    header = [h.strip() for h in records[0]]
    problems = []
    if any(not h for h in header):
        problems.append(Problem(name, "the header has an empty column name", row=1))
    counts = Counter(header)
    dupes = sorted(h for h, n in counts.items() if h and n > 1)
    if dupes:
        shown = ", ".join(dupes[:SHOWN_NAMES])
        if len(dupes) > SHOWN_NAMES:
            shown += f" and {len(dupes) - SHOWN_NAMES:,} more"
        problems.append(Problem(name, f"columns repeat in the header: {shown}", row=1))
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines at the end of a spreadsheet export
        if len(record) != len(header):
            problems.append(
                Problem(
                    name,
                    f"has {len(record)} fields but the header has {len(header)} (a ragged row)",
                    row=number,
                )
            )
            continue
        rows.append((number, dict(zip(header, (c.strip() for c in record), strict=True))))
    if problems:
        raise AuditError(problems)
    return CsvTable(path=name, header=header, rows=rows)
