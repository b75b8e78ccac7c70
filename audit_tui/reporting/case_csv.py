"""Case-level CSV: one row per case (case_ref, attributes, every item id). Free-text notes only when
asked for, as `<item>:note` columns, because notes may hold personal data."""

from __future__ import annotations

import csv
import io
import re

from audit_tui.domain.records import AnswerInfo, CaseInfo, OpenAudit
from audit_tui.domain.safe_text import multi_line, one_line

SPELLING = {"yes": "yes", "no": "no", "na": "n/a", None: ""}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def safe_cell(value: str) -> str:
    """A cell a spreadsheet would run as a formula (`=HYPERLINK(...)`, `+1+1`, `@SUM(...)`) gets a
    leading `'` (OWASP's CSV-injection rule), so opening an export never runs a note; a plain
    number such as `-5` stays a number."""
    if value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_cell(value: object, *, free_text: bool = False) -> str:
    """Stored data as a CSV cell: control characters escaped (free text, such as a note, keeps
    its line breaks, which a quoted cell carries), cut at the field's limit, never a formula."""
    text = "" if value is None else str(value)
    return safe_cell(multi_line(text) if free_text else one_line(text))


def render_case_csv(
    audit: OpenAudit,
    cases: list[CaseInfo],
    values: dict[int, dict[str, str]],
    notes: dict[int, dict[str, AnswerInfo]] | None = None,
) -> str:
    """`values`: case id -> item -> answer value; `notes`: every answer with its note, given only
    when the export should carry notes."""
    rubric = audit.rubric
    attrs = [a.id for a in rubric.attributes]
    items = rubric.column_order
    header = ["case_ref", *attrs, *items]
    if notes is not None:
        header += [f"{i}:note" for i in items] + [f"{i}:note_tag" for i in items]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([one_line(h) for h in header])  # rubric ids: never a formula, never prefixed
    for case in cases:
        got = values.get(case.id, {})
        cells = [csv_cell(case.case_ref), *(csv_cell(case.attributes.get(a, "")) for a in attrs)]
        cells += [SPELLING[got.get(i)] for i in items]  # fixed words: nothing to escape
        if notes is not None:
            noted = notes.get(case.id, {})
            cells += [csv_cell(noted[i].note, free_text=True) if i in noted else "" for i in items]
            cells += [csv_cell(noted[i].note_tag) if i in noted else "" for i in items]
        writer.writerow(cells)
    return buf.getvalue()
