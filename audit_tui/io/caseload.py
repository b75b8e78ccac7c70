"""The caseload extract: one row per eligible case (`case_ref`, the rubric's attributes,
`start_date`, optional `team` and `practitioner` codes), checked like every import: one line per
problem naming the row and column, nothing kept when anything is wrong."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from audit_tui.domain.cases import CASE_REF, CASE_REF_RULE, canonical_ref, clean_attributes
from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.records import OpenAudit
from audit_tui.io.csvfile import CsvTable, read_csv
from audit_tui.io.imports import FirstRows, _require_columns, ref_problems
from audit_tui.store.repository import Repository
from audit_tui.store.sampling import CaseloadCase, set_caseload

DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
DATE_RULE = "use 2024-03-01 or 01/03/2024"
CODES = ("team", "practitioner")


def parse_date(text: str) -> date:
    """ISO (2024-03-01) or day/month/year (01/03/2024), as a UK extract writes it."""
    raw = text.strip()
    try:
        found = DAY_MONTH_YEAR.match(raw)
        if found:
            day, month, year = (int(g) for g in found.groups())
            return date(year, month, day)
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a date ({DATE_RULE})") from None


def parse_window(text: str) -> tuple[date | None, date | None]:
    """`FROM..TO` (either side may be left open), each date as `parse_date` reads it."""
    if ".." not in text:
        raise AuditError.at("window", f"{text!r} is not FROM..TO (e.g. 2024-01-01..2024-03-31)")
    start_text, end_text = text.split("..", 1)
    try:
        start = parse_date(start_text) if start_text.strip() else None
        end = parse_date(end_text) if end_text.strip() else None
    except ValueError as exc:
        raise AuditError.at("window", str(exc)) from None
    if start and end and end < start:
        raise AuditError.at("window", f"ends ({end}) before it starts ({start})")
    return start, end


def parse_caseload(audit: OpenAudit, table: CsvTable) -> list[CaseloadCase]:
    rubric = audit.rubric
    problems = _require_columns(
        table,
        ("case_ref", "start_date"),
        ["case_ref", *rubric.attributes_by_id, "start_date", *CODES],
    )
    found: list[CaseloadCase] = []
    first_row: FirstRows = {}
    for number, record in table.rows:
        ref = canonical_ref(record.get("case_ref", ""))
        if "case_ref" in record:
            problems += ref_problems(table, number, record["case_ref"], first_row)
        raw = {k: v for k, v in record.items() if k in rubric.attributes_by_id}
        attributes, wrong = clean_attributes(rubric, raw)
        problems += [table.problem(message, number, column) for column, message in wrong]
        when = record.get("start_date", "").strip()
        start: date | None = None
        if "start_date" not in record:
            pass  # the header's problem, said once
        elif not when:
            problems.append(
                table.problem(f"start_date is empty ({DATE_RULE})", number, "start_date")
            )
        else:
            try:
                start = parse_date(when)
            except ValueError as exc:
                problems.append(table.problem(str(exc), number, "start_date"))
        codes: dict[str, str | None] = {}
        for column in CODES:
            code = record.get(column, "").strip()
            if code and not CASE_REF.match(code):
                problems.append(
                    table.problem(
                        f"{code!r} is not a pseudonymous code ({CASE_REF_RULE})", number, column
                    )
                )
            codes[column] = canonical_ref(code) or None
        if start is not None:
            found.append(
                CaseloadCase(
                    case_ref=ref,
                    attributes=attributes,
                    start_date=start,
                    team=codes["team"],
                    practitioner=codes["practitioner"],
                )
            )
    if problems:
        raise AuditError(problems)
    if not found:
        raise AuditError([Problem(table.path, "no case in the extract")])
    return found


def import_caseload(repo: Repository, audit: OpenAudit, path: Path) -> int:
    return set_caseload(repo, audit, parse_caseload(audit, read_csv(path)))
