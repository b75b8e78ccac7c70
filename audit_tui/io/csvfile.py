"""Reading a CSV the way users make them (Excel's BOM included), refusing what is not one."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from audit_tui.domain.errors import AuditError, Problem


@dataclass(frozen=True)
class CsvTable:
    """A header and its data rows. `row` numbers count the header as row 1, as a spreadsheet does."""

    path: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]

    def problem(self, message: str, row: int | None = None, column: str | None = None) -> Problem:
        return Problem(self.path, message, row=row, column=column)


def read_csv(path: Path) -> CsvTable:
    """Read a whole CSV file. Raises AuditError for a missing, binary, non-UTF-8, empty or ragged file."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AuditError.at(name, "no such file") from None
    except IsADirectoryError:
        raise AuditError.at(name, "is a folder, not a CSV file") from None
    except OSError as exc:
        raise AuditError.at(name, f"cannot read file ({exc.strerror or exc})") from None
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
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        problems.append(Problem(name, f"columns repeat in the header: {', '.join(dupes)}", row=1))
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
    return CsvTable(name, header, rows)
