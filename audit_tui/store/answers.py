"""Answers: saving one (the TUI's hot path), importing many, and reading them back."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update

from audit_tui.domain.access import Access, CaseGate, Role
from audit_tui.domain.answers import Answer, NoteTag
from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.records import (
    AnswerInfo,
    CaseInfo,
    ImportSummary,
    OpenAudit,
    SavedAnswer,
    TaggedNote,
)
from audit_tui.domain.words import plural
from audit_tui.store import counts, import_runs, server, staging
from audit_tui.store.bulk import Prepared, driver_rows
from audit_tui.store.models import utcnow
from audit_tui.store.repository import (
    ANSWER,
    ANSWER_HISTORY,
    CASE,
    LIVE,
    REFUSED,
    UNCHANGED,
    AnswerConflict,
    AuditLock,
    Repository,
    Unchanged,
    moment,
    updated,
)

# Saving an answer is the hot path of the TUI: its statements are built once, bound per call.
_ANSWER_KEY = (ANSWER.c.case_id == bindparam("b_case_id")) & (
    ANSWER.c.item_id == bindparam("b_item_id")
)
# The case (None once it left the audit), what applies to it, who may answer it and its current
# answer, in one read under the lock.
_CASE_AND_ANSWER = (
    select(
        CASE.c.id,
        CASE.c.attributes,
        CASE.c.allocated_to,
        CASE.c.signed_off_by,
        CASE.c.signed_off_at,
        ANSWER.c.value,
        ANSWER.c.note,
        ANSWER.c.note_tag,
    )
    .select_from(
        CASE.outerjoin(
            ANSWER,
            (ANSWER.c.case_id == CASE.c.id) & (ANSWER.c.item_id == bindparam("b_item_id")),
        )
    )
    .where(
        CASE.c.id == bindparam("b_case_id"),
        CASE.c.audit_id == bindparam("b_audit_id"),
        CASE.c.removed_at.is_(None),
    )
)
_INSERT_ANSWER = insert(ANSWER)
UPDATE_ANSWER = update(ANSWER).where(_ANSWER_KEY)
_INSERT_ANSWER_HISTORY = insert(ANSWER_HISTORY)
_ANSWER_FIELDS = ("value", "note", "note_tag", "updated_at", "updated_by")
_HISTORY_FIELDS = ("case_id", "item_id", "old_value", "new_value", "old_note", "new_note",
                   "note_tag", "changed_at", "changed_by", "via")  # fmt: skip


_SAVE = {
    "read": Prepared(_CASE_AND_ANSWER),
    "insert": Prepared(_INSERT_ANSWER, ("audit_id", "case_id", "item_id", *_ANSWER_FIELDS)),
    "update": Prepared(UPDATE_ANSWER.returning(ANSWER.c.id), _ANSWER_FIELDS),
    "history": Prepared(_INSERT_ANSWER_HISTORY, _HISTORY_FIELDS),
}


def answers_for_case(
    repo: Repository, case_id: int, conn: Connection | None = None
) -> dict[str, AnswerInfo]:
    query = select(
        ANSWER.c.item_id,
        ANSWER.c.value,
        ANSWER.c.note,
        ANSWER.c.note_tag,
        ANSWER.c.updated_at,
        ANSWER.c.updated_by,
    ).where(ANSWER.c.case_id == case_id)
    if conn is not None:  # inside a write's transaction
        return {row.item_id: AnswerInfo(**row._mapping) for row in conn.execute(query)}
    with repo.reading() as own:
        return {row.item_id: AnswerInfo(**row._mapping) for row in own.execute(query)}


def save_answer(
    repo: Repository,
    audit: OpenAudit,
    case: CaseInfo,
    item_id: str,
    value: Answer | Unchanged | None = UNCHANGED,
    *,
    note: str | Unchanged = UNCHANGED,
    note_tag: NoteTag | Unchanged | None = UNCHANGED,
    via: str = "tui",
    expected: str | Unchanged | None = UNCHANGED,
) -> SavedAnswer:
    """Set an answer and/or its note, with a history row, committed before returning.

    Returning means it is on disk: the caller may now show it as saved. The old value is read
    under the case's write lock (`locked_cases`), so the history always chains; auditors saving
    other cases of the audit do not wait for it on PostgreSQL. With `expected` (the value
    the auditor saw), a stored value that differs refuses the save (AnswerConflict, nothing
    written): another auditor's answer is never overwritten unseen.
    """
    if item_id not in audit.rubric.items:
        raise AuditError.at("answer", f'"{item_id}" is not an item of {audit.rubric.id}')
    if value not in (None, UNCHANGED) and not audit.rubric.applies(item_id, case.attributes):
        raise AuditError.at("answer", f"{item_id} does not apply to case {case.case_ref}")
    key = {"b_case_id": case.id, "b_item_id": item_id}
    with repo.locked_cases(audit.info.id, [case.id]) as lock:
        now = utcnow()  # under the lock: the answer's trail in the order it was written
        conn = lock.conn
        rows = _SAVE["read"].run(
            conn, {"b_case_id": case.id, "b_audit_id": audit.info.id, "b_item_id": item_id}
        )
        found = rows[0] if rows else None
        if found is None:
            raise AuditError.at("answer", f"case {case.case_ref} is no longer in this audit")
        _, attributes, allocated_to, signed_off_by, signed_off_at, *stored = found
        signed = moment(conn, signed_off_at)
        lock.access.answer(CaseGate(case.case_ref, allocated_to, signed_off_by, signed))
        if isinstance(attributes, str):  # SQLite's driver leaves JSON as text
            attributes = json.loads(attributes)
        if value not in (None, UNCHANGED) and not audit.rubric.applies(item_id, attributes):
            raise AuditError.at(  # the case changed since the caller read it
                "answer", f"{item_id} does not apply to case {case.case_ref} (as it is now)"
            )
        old = None if stored[1] is None else stored  # a row's note is never NULL
        old_value, old_note, old_tag = old if old else (None, "", None)
        if expected is not UNCHANGED and old_value != expected:
            theirs = answers_for_case(repo, case.id, conn).get(item_id)
            raise AnswerConflict(
                case.case_ref,
                item_id,
                theirs or AnswerInfo(item_id=item_id, value=None),
                None if value is UNCHANGED or value is None else value.value,
            )
        new_value = old_value if value is UNCHANGED else (value.value if value else None)
        new_note = old_note if note is UNCHANGED else note.strip()
        new_tag = old_tag if note_tag is UNCHANGED else (note_tag.value if note_tag else None)
        saved = AnswerInfo(
            item_id=item_id,
            value=new_value,
            note=new_note,
            note_tag=new_tag,
            updated_at=now,
            updated_by=repo.user,
        )
        if (new_value, new_note, new_tag) == (old_value, old_note, old_tag):
            return SavedAnswer(
                answer=saved, old_value=old_value, changed=False, revision=lock.before
            )
        values = {
            "value": new_value,
            "note": new_note,
            "note_tag": new_tag,
            "updated_at": now,
            "updated_by": repo.user,
        }
        server.tell(conn, via=via)
        if old is None:
            _SAVE["insert"].run(
                conn,
                {"audit_id": audit.info.id, "case_id": case.id, "item_id": item_id, **values},
            )
        elif not _SAVE["update"].run(conn, {**key, **values}):
            raise AuditError.at("answer", REFUSED)  # a rule the database keeps, not ours
        revision = lock.keep()
        if server.keeps_trail(conn):
            return SavedAnswer(answer=saved, old_value=old_value, changed=True, revision=revision)
        note_changed = new_note != old_note
        _SAVE["history"].run(
            conn,
            {
                "case_id": case.id,
                "item_id": item_id,
                "old_value": old_value,
                "new_value": new_value,
                "old_note": old_note if note_changed else None,
                "new_note": new_note if note_changed else None,
                "note_tag": new_tag,
                "changed_at": now,
                "changed_by": repo.user,
                "via": via,
            },
        )
        counts.moved(conn, audit.info.id, [(case.id, item_id, old_value, new_value)])
    return SavedAnswer(answer=saved, old_value=old_value, changed=True, revision=revision)


def import_answers(
    repo: Repository,
    audit: OpenAudit,
    answers: Mapping[int, Mapping[str, Answer]],
    via: str = "import",
) -> ImportSummary:
    """Write many answers (case id -> item -> value), all or nothing, with history.

    Values already equal are left alone (no history noise); nothing else is touched. The
    stored values are read under the cases' write locks (`locked_cases`): imports into the same
    cases take turns. On PostgreSQL it is one transaction, and saves to other cases of the audit
    go on meanwhile, waiting only while the import commits (`make bench`: the worst save during
    a 5,000-case import). SQLite has one writer at a time: the rows are bound before the lock
    (`staging`), and an import of more than `import_runs.PIECE_ROWS` answers commits a range of
    cases at a time, letting saves to other cases in between, undone as one if a piece fails.
    """
    summary = ImportSummary(rows=len(answers))
    if repo.engine.dialect.name == "sqlite":  # bound before the write lock (`staging`)
        staged = [
            (cid, item, answer.value)
            for cid, items in answers.items()
            for item, answer in items.items()
        ]

        def check(lock: AuditLock) -> None:
            _check_import(lock, audit, answers)

        if len(staged) > import_runs.PIECE_ROWS:
            summary.written = import_runs.write_in_pieces(
                repo, audit.info.id, list(answers), staged, check, via
            )
        else:
            with repo.locked_cases(audit.info.id, list(answers), staged) as lock:
                check(lock)
                now = utcnow()  # under the lock: each trail in the order it was written
                summary.written = staging.apply(lock.conn, audit.info.id, now, repo.user, via)
                if summary.written:
                    lock.keep()
        summary.unchanged = len(staged) - summary.written
        return summary
    with repo.locked_cases(audit.info.id, list(answers)) as lock:
        conn, now = lock.conn, utcnow()
        _check_import(lock, audit, answers)
        existing: dict[tuple[int, str], str | None] = {
            (cid, item): value
            for cid, item, value in driver_rows(
                conn,
                select(ANSWER.c.case_id, ANSWER.c.item_id, ANSWER.c.value)
                .join(CASE, CASE.c.id == ANSWER.c.case_id)
                .where(CASE.c.audit_id == audit.info.id),
            )
        }
        inserts: list[tuple[Any, ...]] = []
        updates: list[dict[str, Any]] = []
        history: list[tuple[Any, ...]] = []
        for case_id, items in answers.items():
            for item_id, answer in items.items():
                key = (case_id, item_id)
                old = existing.get(key)
                if key in existing and old == answer.value:
                    summary.unchanged += 1
                    continue
                if key in existing:
                    updates.append({"case_id": case_id, "item_id": item_id, "value": answer.value})
                else:
                    inserts.append((case_id, item_id, answer.value))
                history.append((case_id, item_id, old, answer.value))
        server.tell(conn, via=via)  # PostgreSQL: the server writes the history and the counts
        write_answers(conn, audit.info.id, inserts, updates, now, repo.user)
        if history:
            lock.keep()
    summary.written = len(inserts) + len(updates)
    return summary


def _check_import(
    lock: AuditLock, audit: OpenAudit, answers: Mapping[int, Mapping[str, Answer]]
) -> None:
    """Under the lock, before anything is written: the writer may answer every case, each is
    still in the audit, and every item still applies to it."""
    gates: dict[int, CaseGate] = {}
    applicable: dict[int, frozenset[str]] = {}
    for row in lock.conn.execute(
        select(
            CASE.c.id,
            CASE.c.case_ref,
            CASE.c.attributes,
            CASE.c.allocated_to,
            CASE.c.signed_off_by,
            CASE.c.signed_off_at,
        ).where(CASE.c.audit_id == audit.info.id, LIVE)
    ):
        gates[row.id] = CaseGate(
            row.case_ref, row.allocated_to, row.signed_off_by, row.signed_off_at
        )
        applicable[row.id] = audit.rubric.applicable_ids(row.attributes)
    _check_each(lock.access, [gates[cid] for cid in answers if cid in gates])
    gone = sum(1 for case_id in answers if case_id not in gates)
    if gone:  # removed (or deleted) after the caller read the cases
        raise AuditError.at(
            "answers",
            f"{plural(gone, 'case')} left the audit while the answers were read;"
            " nothing was written: import again",
        )
    stranded = [  # the case changed since the caller read it
        Problem(
            f"case {gates[cid].case_ref}",
            f"{', '.join(sorted(items.keys() - applicable[cid]))} no longer applies (the"
            " case changed while the answers were read); nothing was written: import again",
        )
        for cid, items in answers.items()
        if items.keys() - applicable[cid]
    ]
    if stranded:
        raise AuditError(stranded)


def tagged_notes(repo: Repository, audit: OpenAudit) -> list[TaggedNote]:
    query = (
        select(
            ANSWER.c.item_id,
            CASE.c.case_ref,
            ANSWER.c.note_tag.label("tag"),
            ANSWER.c.note,
        )
        .join(CASE, CASE.c.id == ANSWER.c.case_id)
        .where(
            CASE.c.audit_id == audit.info.id,
            LIVE,
            ANSWER.c.note_tag.is_not(None),
            ANSWER.c.note != "",
        )
        .order_by(CASE.c.position, ANSWER.c.item_id)
    )
    with repo.reading() as conn:
        return [TaggedNote(**row._mapping) for row in conn.execute(query)]


def answer_history(repo: Repository, case_id: int, item_id: str) -> list[dict[str, Any]]:
    query = (
        select(ANSWER_HISTORY)
        .where(ANSWER_HISTORY.c.case_id == case_id, ANSWER_HISTORY.c.item_id == item_id)
        .order_by(ANSWER_HISTORY.c.id)
    )
    with repo.reading() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def all_answers(repo: Repository, audit: OpenAudit) -> dict[int, dict[str, AnswerInfo]]:
    """Every answer of the audit, with notes, by case id (exports asked to include notes)."""
    query = (
        select(ANSWER.c.case_id, ANSWER.c.item_id, ANSWER.c.value, ANSWER.c.note, ANSWER.c.note_tag)
        .join(CASE, CASE.c.id == ANSWER.c.case_id)
        .where(CASE.c.audit_id == audit.info.id, LIVE)
    )
    out: dict[int, dict[str, AnswerInfo]] = defaultdict(dict)
    with repo.reading() as conn:
        rows = conn.execute(query).all()
    for case_id, item_id, value, note, note_tag in rows:
        out[case_id][item_id] = AnswerInfo(
            item_id=item_id, value=value, note=note, note_tag=note_tag
        )
    return dict(out)


def answer_values(repo: Repository, audit: OpenAudit) -> dict[int, dict[str, str]]:
    """Every given answer's value by case id: what a case-level export needs, and no more."""
    query = (
        select(ANSWER.c.case_id, ANSWER.c.item_id, ANSWER.c.value)
        .join(CASE, CASE.c.id == ANSWER.c.case_id)
        .where(CASE.c.audit_id == audit.info.id, LIVE, ANSWER.c.value.is_not(None))
    )
    out: dict[int, dict[str, str]] = {}
    with repo.reading() as conn:
        rows = driver_rows(conn, query)
    for case_id, item_id, value in rows:
        if (given := out.get(case_id)) is None:
            given = out[case_id] = {}
        given[item_id] = value
    return out


_PG_INSERT_ANSWERS = text(
    "INSERT INTO answer (audit_id, case_id, item_id, value, note, updated_at, updated_by)"
    " SELECT :audit, c, i, v, '', :at, :by"
    " FROM unnest(CAST(:cases AS integer[]), CAST(:items AS text[]), CAST(:answers AS text[]))"
    " AS given(c, i, v)"
)


_PG_UPDATE_ANSWERS = text(
    "UPDATE answer SET value = given.v, updated_at = :at, updated_by = :by"
    " FROM unnest(CAST(:cases AS integer[]), CAST(:items AS text[]), CAST(:answers AS text[]))"
    " AS given(c, i, v) WHERE answer.case_id = given.c AND answer.item_id = given.i"
)


def write_answers(
    conn: Connection,
    audit_id: int,
    inserts: Sequence[tuple[Any, ...]],
    updates: Sequence[Mapping[str, Any]],
    now: datetime,
    user: str,
) -> None:
    """New and changed answer values in two statements (PostgreSQL), each row's values sent as
    three arrays: the server's statement-level triggers then write the history and the counts
    of the lot in one go. Not SQLAlchemy's insertmanyvalues: its thousand-row VALUES lists cost
    the driver more to parse than the server to run (measured: 5 of 11 s importing 65,000
    answers; this way the import takes under half). Every row must be written: one the row
    policies left alone refuses the lot."""
    for rows, statement in (
        ([(cid, item, value) for cid, item, value in inserts], _PG_INSERT_ANSWERS),
        ([(u["case_id"], u["item_id"], u["value"]) for u in updates], _PG_UPDATE_ANSWERS),
    ):
        if not rows:
            continue
        cases, items, answers = (list(column) for column in zip(*rows, strict=True))
        given = {"audit": audit_id, "cases": cases, "items": items, "answers": answers,
                 "at": now, "by": user}  # fmt: skip
        updated(conn, statement, "answers", given, rows=len(rows))


def _check_each(access: Access, gates: Sequence[CaseGate]) -> None:
    """Every case may be answered by this writer, or an error with a line per refused case."""
    access.member("answers")  # refusals that are the same for every case: said once
    access.unlocked("answers")
    if access.role is Role.VIEWER:
        access.answer(gates[0] if gates else CaseGate(""), "answers")
    problems: list[Problem] = []
    for gate in gates:
        try:
            access.answer(gate)
        except AuditError as exc:
            problems.extend(exc.problems)
    if problems:
        raise AuditError(problems)
