"""The three imports (cases, answers, judgements): parse and check everything, then write once.

Each `parse_*` returns clean data or raises AuditError with one problem per bad cell; the `import_*`
functions write through the repository in a single transaction, so a bad file writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal, overload

from audit_tui.domain.answers import Answer, parse_answer
from audit_tui.domain.cases import (
    CODES,
    canonical_ref,
    check_case_ref,
    check_code,
    clean_attributes,
)
from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.records import (
    CaseChange,
    CaseInfo,
    ImportSummary,
    Judgement,
    OpenAudit,
    UpdateSummary,
)
from audit_tui.domain.spellings import accepted, match
from audit_tui.domain.words import plural
from audit_tui.io.csvfile import CsvTable, read_csv
from audit_tui.store import answers as answer_ops
from audit_tui.store import cases as case_ops
from audit_tui.store import judgements
from audit_tui.store.repository import Repository, StrandedAnswers

JUDGEMENT_COLUMNS = ("standard_id", "rating", "strengths", "improvements")


def _require_columns(
    table: CsvTable, required: tuple[str, ...], allowed: list[str]
) -> list[Problem]:
    """Unknown and missing header columns, in header order then `required` order. The callers
    go on to check the rows' cells in the columns they know, so one pass reports both.

    Set lookups keep this linear: a header of 100,000 columns is checked in milliseconds.
    """
    known, present = set(allowed), set(table.header)
    listed = ", ".join(allowed)
    problems = [
        table.problem(f"unknown column (allowed: {listed})", row=1, column=col)
        for col in table.header
        if col and col not in known
    ]
    problems += [
        table.problem(f"required column {col!r} is missing", row=1)
        for col in required
        if col not in present
    ]
    return problems


FirstRows = dict[str, tuple[int, str]]
"""Canonical reference -> (the row it was first seen on, as written there)."""


def ref_problems(table: CsvTable, number: int, written: str, first_row: FirstRows) -> list[Problem]:
    """A row's case reference (as written): a pseudonymous code, once per file (`first_row`
    remembers), `CL-1` and `cl-1` being one case (`canonical_ref`)."""
    ref = canonical_ref(written)
    issue = check_case_ref(written)
    if issue:
        return [table.problem(issue, number, "case_ref")]
    repeat = duplicate(ref, written, first_row)
    if repeat:
        return [table.problem(repeat, number, "case_ref")]
    first_row[ref] = (number, written)
    return []


def duplicate(ref: str, written: str, first_row: FirstRows) -> str | None:
    """Why a reference already met in the file cannot come again, naming the first row (and how
    it was written there, when this row writes it another way), or None the first time."""
    if ref not in first_row:
        return None
    row, before = first_row[ref]
    if before == written:
        return f"duplicate case_ref {written!r} (first on row {row})"
    return (
        f"duplicate case_ref {written!r} (first on row {row} as {before!r}: letter case and"
        " spaces do not make another case)"
    )


def parse_cases(
    audit: OpenAudit,
    table: CsvTable,
    stored: Mapping[str, Mapping[str, str]] | None = None,
    codes: dict[str, dict[str, str | None]] | None = None,
) -> list[tuple[str, dict[str, str]]]:
    """(case_ref, clean attributes) per row. With `stored` (case_ref -> attributes of cases
    already in the audit, for an update), a row naming such a case keeps the stored value of
    each attribute whose column the file leaves out: a file of `case_ref,has_psr` changes only
    the PSR. With `codes` (a dict to fill), the file may also give each case's `practitioner`
    and `team` codes (pseudonymous, checked like references)."""
    rubric = audit.rubric
    absent = [a.id for a in rubric.attributes if a.id not in table.header]
    # a rubric may declare `team` (or `practitioner`) as an attribute of its own: then it is one
    own = [c for c in CODES if c not in rubric.attributes_by_id] if codes is not None else []
    allowed = ["case_ref", *rubric.attributes_by_id, *own]
    # a new case needs each required attribute: a column missing is one problem, not one a row
    # (an update keeps the stored values of a column left out, so it asks only of new cases)
    needed = () if stored is not None else tuple(a.id for a in rubric.attributes if a.required)
    problems = _require_columns(table, ("case_ref", *needed), allowed)
    has_ref = "case_ref" in table.header
    cases: list[tuple[str, dict[str, str]]] = []
    first_row: FirstRows = {}
    for number, record in table.rows:
        ref = canonical_ref(record.get("case_ref", ""))
        if has_ref:
            problems += ref_problems(table, number, record["case_ref"], first_row)
        if codes is not None:
            found = {c: record.get(c, "") for c in own}
            problems += [
                table.problem(why, number, c) for c, v in found.items() if (why := check_code(v, c))
            ]
            codes[ref] = {c: canonical_ref(v) or None for c, v in found.items()}
        raw = {k: v for k, v in record.items() if k in rubric.attributes_by_id}
        if stored is not None and ref in stored:
            kept = stored[ref]
            raw.update({name: kept[name] for name in absent if name in kept})
        attrs, attr_problems = clean_attributes(rubric, raw)
        problems += [
            table.problem(msg, number, col)
            for col, msg in attr_problems
            if col in table.header or col not in needed
        ]
        cases.append((ref, attrs))
    if problems:
        raise AuditError(problems)
    return cases


@overload
def import_cases(
    repo: Repository, audit: OpenAudit, path: Path, *, update: Literal[False] = False
) -> int: ...
@overload
def import_cases(
    repo: Repository, audit: OpenAudit, path: Path, *, update: Literal[True]
) -> UpdateSummary: ...
@overload
def import_cases(
    repo: Repository, audit: OpenAudit, path: Path, *, update: bool
) -> int | UpdateSummary: ...
def import_cases(
    repo: Repository, audit: OpenAudit, path: Path, *, update: bool = False
) -> int | UpdateSummary:
    """Add the file's cases, all or nothing: the number added. A case already in the audit is an
    error, unless `update`: then see `import_case_updates` (returns its UpdateSummary)."""
    if update:
        return import_case_updates(repo, audit, path)
    table = read_csv(path)
    codes: dict[str, dict[str, str | None]] = {}
    cases = parse_cases(audit, table, codes=codes)
    existing = case_ops.case_index(repo, audit)
    removed = {c.case_ref: c for c in case_ops.removed_cases(repo, audit)}
    clash = []
    for (number, _), (ref, _) in zip(table.rows, cases, strict=True):
        if ref in removed:
            clash.append(_removed(table, number, audit, removed[ref]))
        elif ref in existing:
            clash.append(
                table.problem(
                    f"case_ref {ref!r} is already in audit {audit.info.name!r}"
                    " (import-cases --update changes the attributes of cases already in it)",
                    number,
                    "case_ref",
                )
            )
    if clash:
        raise AuditError(clash)
    return case_ops.add_cases(repo, audit, cases, codes)


def import_case_updates(
    repo: Repository, audit: OpenAudit, path: Path, *, clear_stranded: bool = False
) -> UpdateSummary:
    """`import-cases --update`: rows naming cases in the audit give them new attributes (columns
    the file leaves out keep their values), other rows add cases; one transaction, all or nothing.

    An attribute change that would leave answers to items that no longer apply (a PSR from yes
    to no, with court-work answers) is an error naming the row, the case and the items (clear
    those answers first), unless `clear_stranded` (the app, having asked): then they are
    cleared, with history. A row naming a removed case is an error."""
    table = read_csv(path)
    existing = case_ops.case_index(repo, audit)
    cases = parse_cases(audit, table, {ref: attrs for ref, (_, attrs) in existing.items()})
    removed = {c.case_ref: c for c in case_ops.removed_cases(repo, audit)}
    rows: dict[str, int] = {}
    changes: dict[str, dict[str, str]] = {}
    added: list[tuple[str, dict[str, str]]] = []
    problems = []
    for (number, _), (ref, attrs) in zip(table.rows, cases, strict=True):
        rows[ref] = number
        if ref in removed:
            problems.append(_removed(table, number, audit, removed[ref]))
        elif ref in existing:
            changes[ref] = attrs
        else:
            added.append((ref, attrs))
    if problems:
        raise AuditError(problems)
    try:
        return case_ops.update_cases(repo, audit, changes, add=added, clear_stranded=clear_stranded)
    except StrandedAnswers as exc:
        raise AuditError(
            [_stranded(table, rows[c.case_ref], audit, c) for c in exc.changes]
        ) from None


def _removed(table: CsvTable, number: int, audit: OpenAudit, case: CaseInfo) -> Problem:
    when = case.removed_at.strftime("%Y-%m-%d") if case.removed_at else "an earlier date"
    return table.problem(
        f"case_ref {case.case_ref!r} was removed from audit {audit.info.name!r} on {when}:"
        f" {case.removed_reason}",
        number,
        "case_ref",
    )


def _stranded(table: CsvTable, number: int, audit: OpenAudit, change: CaseChange) -> Problem:
    """One line for a row whose new attributes would leave answers that no longer apply, in the
    column of the attribute that decides it."""
    rubric = audit.rubric
    deciding = {name for item in change.cleared for name in rubric.items[item].applies_when}
    moved = [
        name
        for name in dict.fromkeys([*change.before, *change.after])
        if change.before.get(name) != change.after.get(name)
    ]
    column = next((name for name in moved if name in deciding), moved[0] if moved else None)
    moves = change.describe().removeprefix(change.case_ref).strip()
    items = ", ".join(change.cleared)
    return table.problem(
        f"case {change.case_ref}: {moves} would leave {plural(len(change.cleared), 'answer')}"
        f" to items that no longer apply ({items}); clear them in the app first",
        number,
        column,
    )


def parse_answers(
    audit: OpenAudit,
    table: CsvTable,
    cases: dict[str, tuple[int, dict[str, str]]],
    removed: Mapping[str, CaseInfo] | None = None,
) -> dict[int, dict[str, Answer]]:
    """Wide answers (case_ref, then one column per item id) into case id -> item -> answer.

    An empty cell is unanswered and leaves any stored answer as it is. "n/a" on an item that does
    not apply to the case (court work without a PSR) is accepted and not stored; yes/no there is an error.
    """
    rubric = audit.rubric
    problems = _require_columns(table, ("case_ref",), ["case_ref", *rubric.items])
    out: dict[int, dict[str, Answer]] = {}
    first_row: FirstRows = {}
    items = [c for c in table.header if c in rubric.items]
    for number, record in table.rows:
        if "case_ref" not in record:  # no case to check against: the cells' spellings only
            problems += _spelling_problems(table, number, record, items)
            continue
        ref = canonical_ref(record["case_ref"])
        if removed and ref in removed:
            problems.append(_removed(table, number, audit, removed[ref]))
            continue
        if ref not in cases:
            problems.append(
                table.problem(
                    f"case_ref {ref!r} is not in audit {audit.info.name!r}", number, "case_ref"
                )
            )
            continue
        if repeat := duplicate(ref, record["case_ref"], first_row):
            problems.append(table.problem(repeat, number, "case_ref"))
            continue
        first_row[ref] = (number, record["case_ref"])
        case_id, attrs = cases[ref]
        applicable = rubric.applicable_ids(attrs)
        answers: dict[str, Answer] = {}
        for item_id in items:
            try:
                answer = parse_answer(record[item_id])
            except ValueError as exc:
                problems.append(table.problem(str(exc), number, item_id))
                continue
            if answer is None:
                continue
            if item_id not in applicable:
                if answer is not Answer.NOT_APPLICABLE:
                    why = rubric.why_not_applies(item_id, attrs)
                    problems.append(
                        table.problem(f"{item_id} does not apply: {why}", number, item_id)
                    )
                continue
            answers[item_id] = answer
        out[case_id] = answers
    if problems:
        raise AuditError(problems)
    return out


def _spelling_problems(
    table: CsvTable, number: int, record: dict[str, str], items: list[str]
) -> list[Problem]:
    problems = []
    for item_id in items:
        try:
            parse_answer(record[item_id])
        except ValueError as exc:
            problems.append(table.problem(str(exc), number, item_id))
    return problems


def import_answers(repo: Repository, audit: OpenAudit, path: Path) -> ImportSummary:
    table = read_csv(path)
    removed = {c.case_ref: c for c in case_ops.removed_cases(repo, audit)}
    return answer_ops.import_answers(
        repo, audit, parse_answers(audit, table, case_ops.case_index(repo, audit), removed)
    )


def import_second_marks(
    repo: Repository, audit: OpenAudit, path: Path, marker: str
) -> ImportSummary:
    """A second marker's spreadsheet (double entry): the same wide layout as the answers, kept
    apart from the audit's answers; every item that applies to a case in it must be marked."""
    from audit_tui.store.second_marks import import_second

    table = read_csv(path)
    removed = {c.case_ref: c for c in case_ops.removed_cases(repo, audit)}
    index = case_ops.case_index(repo, audit)
    answers = parse_answers(audit, table, index, removed)
    refs = {case_id: ref for ref, (case_id, _attrs) in index.items()}
    problems = []
    for case_id, given in answers.items():
        missing = sorted(
            audit.rubric.applicable_ids(index[refs[case_id]][1]) - set(given),
            key=list(audit.rubric.items).index,
        )
        if missing:
            shown = ", ".join(missing[:5]) + (
                f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            )
            problems.append(
                Problem(
                    str(path),
                    f"case {refs[case_id]}: {plural(len(missing), 'item')} that apply not marked"
                    f" ({shown}); a second marking must be complete",
                )
            )
    if problems:
        raise AuditError(problems)
    return import_second(repo, audit, answers, marker, source=path.name)


def parse_judgements(audit: OpenAudit, table: CsvTable) -> list[Judgement]:
    rubric = audit.rubric
    problems = _require_columns(table, ("standard_id", "rating"), list(JUDGEMENT_COLUMNS))
    judged = [s.id for s in rubric.standards if s.method == "judgement"]
    ratings = [r for r in rubric.scale.ratings if any(b.rating == r for b in rubric.scoring.bands)]
    out: list[Judgement] = []
    seen: dict[str, int] = {}
    for number, record in table.rows:
        sid = record.get("standard_id")
        if sid is None:  # the header's problem, said once above
            pass
        elif sid not in judged:
            known = (
                "unknown standard" if sid not in rubric.standards_by_id else "not judgement-rated"
            )
            problems.append(
                table.problem(
                    f"{sid!r}: {known} (judgement-rated: {', '.join(judged)})",
                    number,
                    "standard_id",
                )
            )
        elif sid in seen:
            problems.append(
                table.problem(
                    f"{sid} is judged twice (first on row {seen[sid]})", number, "standard_id"
                )
            )
        else:
            seen[sid] = number
        rating = match(ratings, record.get("rating", ""))
        if rating is None and "rating" in record:
            problems.append(
                table.problem(
                    f"{record['rating']!r} is not a rating"
                    f" (accepted: {accepted(ratings, upper=True)}; any letter case)",
                    number,
                    "rating",
                )
            )
        out.append(
            Judgement(
                standard_id=sid or "",
                rating=rating or "",
                strengths=record.get("strengths", ""),
                improvements=record.get("improvements", ""),
            )
        )
    if problems:
        raise AuditError(problems)
    return out


def import_judgements(repo: Repository, audit: OpenAudit, path: Path) -> int:
    return judgements.save_judgements(
        repo, audit, parse_judgements(audit, read_csv(path)), via="import"
    )
