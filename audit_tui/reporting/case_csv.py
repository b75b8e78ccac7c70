"""Case-level CSV: one row per case (case_ref, attributes, every item id). Free-text notes only when
asked for, as `<item>:note` columns, because notes may hold personal data."""

from __future__ import annotations

import csv
import io

from audit_tui.domain.records import AnswerInfo, CaseInfo, OpenAudit

SPELLING = {"yes": "yes", "no": "no", "na": "n/a", None: ""}


def render_case_csv(
    audit: OpenAudit,
    cases: list[CaseInfo],
    answers: dict[int, dict[str, AnswerInfo]],
    include_notes: bool = False,
) -> str:
    rubric = audit.rubric
    attrs = [a.id for a in rubric.attributes]
    items = rubric.column_order
    header = ["case_ref", *attrs, *items]
    if include_notes:
        header += [f"{i}:note" for i in items] + [f"{i}:note_tag" for i in items]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for case in cases:
        got = answers.get(case.id, {})
        row = [case.case_ref, *(case.attributes.get(a, "") for a in attrs)]
        row += [SPELLING[got[i].value] if i in got else "" for i in items]
        if include_notes:
            row += [got[i].note if i in got else "" for i in items]
            row += [(got[i].note_tag or "") if i in got else "" for i in items]
        writer.writerow(row)
    return buf.getvalue()
