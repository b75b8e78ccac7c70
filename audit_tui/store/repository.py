"""The repository: every read and write the app makes, returning plain records.

Hot paths (saving an answer, importing, tallying) use SQLAlchemy Core on one connection per unit
of work; counts come from GROUP BY queries, never from loading every answer.
"""

from __future__ import annotations

import getpass
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from audit_tui.domain.answers import Answer, NoteTag
from audit_tui.domain.errors import AuditError
from audit_tui.domain.labels import clean_label
from audit_tui.domain.loader import parse_rubric, rubric_hash
from audit_tui.domain.records import (
    AnswerInfo,
    AuditInfo,
    CaseInfo,
    ImportSummary,
    Judgement,
    OpenAudit,
    SavedAnswer,
    TaggedNote,
)
from audit_tui.domain.rubric import Rubric
from audit_tui.scoring import AuditResult, Tally, score_audit
from audit_tui.scoring.live import LiveScore
from audit_tui.store import aggregates
from audit_tui.store.bulk import Prepared, bulk_insert, driver_rows
from audit_tui.store.engine import writer
from audit_tui.store.models import (
    AnswerHistoryRow,
    AnswerRow,
    AuditRow,
    CaseRow,
    JudgementHistoryRow,
    JudgementRow,
    utcnow,
)

AUDIT = AuditRow.__table__
CASE = CaseRow.__table__
ANSWER = AnswerRow.__table__
ANSWER_HISTORY = AnswerHistoryRow.__table__
JUDGEMENT = JudgementRow.__table__
JUDGEMENT_HISTORY = JudgementHistoryRow.__table__


# Saving an answer is the hot path of the TUI: its statements are built once, bound per call.
_ANSWER_KEY = (ANSWER.c.case_id == bindparam("b_case_id")) & (
    ANSWER.c.item_id == bindparam("b_item_id")
)
# The case (None once it left the audit) and its current answer, in one read under the lock.
_CASE_AND_ANSWER = (
    select(CASE.c.id, ANSWER.c.value, ANSWER.c.note, ANSWER.c.note_tag)
    .select_from(
        CASE.outerjoin(
            ANSWER,
            (ANSWER.c.case_id == CASE.c.id) & (ANSWER.c.item_id == bindparam("b_item_id")),
        )
    )
    .where(CASE.c.id == bindparam("b_case_id"), CASE.c.audit_id == bindparam("b_audit_id"))
)
# Takes the audit's write lock (the row lock on PostgreSQL) and counts the change, in one statement.
_BUMP_REVISION = (
    update(AUDIT)
    .where(AUDIT.c.id == bindparam("b_audit_id"))
    .values(revision=AUDIT.c.revision + 1)
    .returning(AUDIT.c.revision)
)
_INSERT_ANSWER = insert(ANSWER)
_UPDATE_ANSWER = update(ANSWER).where(_ANSWER_KEY)
_INSERT_ANSWER_HISTORY = insert(ANSWER_HISTORY)
_ANSWER_FIELDS = ("value", "note", "note_tag", "updated_at", "updated_by")
_HISTORY_FIELDS = ("case_id", "item_id", "old_value", "new_value", "old_note", "new_note",
                   "note_tag", "changed_at", "changed_by", "via")  # fmt: skip
_SAVE = {
    "bump": Prepared(_BUMP_REVISION),
    "read": Prepared(_CASE_AND_ANSWER),
    "insert": Prepared(_INSERT_ANSWER, ("case_id", "item_id", *_ANSWER_FIELDS)),
    "update": Prepared(_UPDATE_ANSWER, _ANSWER_FIELDS),
    "history": Prepared(_INSERT_ANSWER_HISTORY, _HISTORY_FIELDS),
}


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()


def current_user() -> str:
    """Who is recorded in history: AUDIT_TUI_USER, else the login name."""
    try:
        return os.environ.get("AUDIT_TUI_USER") or getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


class AuditLock:
    """A write transaction holding an audit's write lock (an immediate transaction on SQLite, the
    audit's row locked on PostgreSQL), begun by counting one more revision of the audit.

    `keep()` says the transaction changed something; one that did not is rolled back, so the
    revision moves only with the data and a no-op costs no write to disk."""

    def __init__(self, conn: Connection, audit_id: int, revision: int) -> None:
        self.conn, self.audit_id = conn, audit_id
        self.revision = revision
        """The audit's revision once this transaction commits."""
        self.before = revision - 1
        self.kept = False

    def keep(self) -> int:
        self.kept = True
        return self.revision


class Repository:
    def __init__(self, engine: Engine, user: str | None = None):
        self.engine = engine
        self.writer = writer(engine)
        self.user = user or current_user()

    @contextmanager
    def _locked(self, audit_id: int) -> Iterator[AuditLock]:
        """One write transaction on an audit, holding the write lock from its first statement."""
        with self.writer.connect() as conn, conn.begin() as transaction:
            bumped = _SAVE["bump"].run(conn, {"b_audit_id": audit_id})
            revision = bumped[0][0] if bumped else None
            if revision is None:
                raise AuditError.at("audit", "this audit no longer exists (it was deleted)")
            lock = AuditLock(conn, audit_id, revision)
            yield lock
            if not lock.kept:
                transaction.rollback()

    # ---- audits ---------------------------------------------------------------------------

    def create_audit(
        self, name: str, rubric_text: str, *, pdu: str = "", region: str = "", origin: str = ""
    ) -> OpenAudit:
        name = clean_label(name, "audit name", required=True)
        rubric = parse_rubric(rubric_text, origin or "<rubric>")
        row = {
            "name": name,
            "pdu": clean_label(pdu, "PDU"),
            "region": clean_label(region, "region"),
            "rubric_id": rubric.id,
            "rubric_version": rubric.version,
            "rubric_hash": rubric_hash(rubric_text),
            "rubric_snapshot": rubric_text,
            "created_at": utcnow(),
            "created_by": self.user,
            "revision": 0,
        }
        try:
            with self.writer.begin() as conn:
                taken = conn.scalar(select(AUDIT.c.id).where(AUDIT.c.name == name))
                if taken is None:
                    conn.execute(insert(AUDIT).values(**row))
        except IntegrityError:  # another writer took the name between our look and our insert
            taken = True
        if taken is not None:
            raise AuditError.at("audit", f'an audit named "{name}" already exists')
        return self.open_audit(name)

    def delete_audit(self, name: str) -> bool:
        """Remove an audit with its cases, answers, judgements and their history."""
        with self.engine.connect() as conn:
            audit_id = conn.scalar(select(AUDIT.c.id).where(AUDIT.c.name == name))
        if audit_id is None:
            return False
        try:
            with self._locked(audit_id) as lock:
                conn = lock.conn
                case_ids = select(CASE.c.id).where(CASE.c.audit_id == audit_id).scalar_subquery()
                # Explicit deletes rather than trusting ON DELETE CASCADE: correct with foreign keys off too.
                for table in (ANSWER_HISTORY, ANSWER):
                    conn.execute(delete(table).where(table.c.case_id.in_(case_ids)))
                for table in (JUDGEMENT_HISTORY, JUDGEMENT, CASE):
                    conn.execute(delete(table).where(table.c.audit_id == audit_id))
                conn.execute(delete(AUDIT).where(AUDIT.c.id == audit_id))
                lock.keep()
        except AuditError:  # deleted by someone else meanwhile
            return False
        return True

    def list_audits(self) -> list[AuditInfo]:
        counts = (
            select(CASE.c.audit_id, func.count().label("n")).group_by(CASE.c.audit_id).subquery()
        )
        query = (
            select(*_audit_columns(), func.coalesce(counts.c.n, 0).label("cases"))
            .outerjoin(counts, counts.c.audit_id == AUDIT.c.id)
            .order_by(AUDIT.c.name)
        )
        with self.engine.connect() as conn:
            return [AuditInfo(**row._mapping) for row in conn.execute(query)]

    def open_audit(self, name: str) -> OpenAudit:
        query = select(*_audit_columns(), AUDIT.c.rubric_snapshot).where(AUDIT.c.name == name)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                names = conn.scalars(select(AUDIT.c.name).order_by(AUDIT.c.name)).all()
                known = ", ".join(names) if names else "none yet"
                raise AuditError.at("audit", f'no audit named "{name}" (audits: {known})')
            cases = conn.scalar(select(func.count()).where(CASE.c.audit_id == row.id)) or 0
        fields = dict(row._mapping)
        snapshot = fields.pop("rubric_snapshot")
        rubric = parse_rubric(snapshot, f'audit "{name}" rubric snapshot')
        return OpenAudit(info=AuditInfo(**fields, cases=cases), rubric=rubric, rubric_text=snapshot)

    def audit_revision(self, audit_id: int) -> int | None:
        """The audit's change counter (None once deleted): cheap enough to poll."""
        with self.engine.connect() as conn:
            return conn.scalar(select(AUDIT.c.revision).where(AUDIT.c.id == audit_id))

    # ---- cases ----------------------------------------------------------------------------

    def add_cases(self, audit: OpenAudit, cases: Iterable[tuple[str, Mapping[str, str]]]) -> int:
        """Add cases, all or nothing. Attributes must already be clean (see domain.cases)."""
        rows = []
        with self._locked(audit.info.id) as lock:
            conn = lock.conn
            start = conn.scalar(
                select(func.coalesce(func.max(CASE.c.position), 0)).where(
                    CASE.c.audit_id == audit.info.id
                )
            )
            now = utcnow()
            for offset, (ref, attrs) in enumerate(cases, start=1):
                rows.append(
                    {
                        "audit_id": audit.info.id,
                        "case_ref": ref,
                        "position": start + offset,
                        "attributes": dict(attrs),
                        "created_at": now,
                    }
                )
            refs = [r["case_ref"] for r in rows]
            existing: set[str] = set()
            for chunk in _chunks(refs):
                existing.update(
                    conn.scalars(
                        select(CASE.c.case_ref).where(
                            CASE.c.audit_id == audit.info.id, CASE.c.case_ref.in_(chunk)
                        )
                    )
                )
            if existing:
                named = sorted(existing)
                more = f" and {len(named) - 10} more" if len(named) > 10 else ""
                raise AuditError.at("cases", f"already in the audit: {', '.join(named[:10])}{more}")
            if rows:
                conn.execute(insert(CASE), rows)
                lock.keep()
        return len(rows)

    def update_case(
        self, audit: OpenAudit, case_id: int, attributes: Mapping[str, str]
    ) -> CaseInfo:
        """Change a case's attributes. Refused if answers exist to items that would stop applying."""
        with self._locked(audit.info.id) as lock:
            conn = lock.conn
            answered = conn.scalars(
                select(ANSWER.c.item_id).where(
                    ANSWER.c.case_id == case_id, ANSWER.c.value.is_not(None)
                )
            ).all()
            stranded = [i for i in answered if not audit.rubric.applies(i, attributes)]
            if stranded:
                raise AuditError.at(
                    "case",
                    "these answers would no longer apply; clear them first: " + ", ".join(stranded),
                )
            conn.execute(
                update(CASE).where(CASE.c.id == case_id).values(attributes=dict(attributes))
            )
            lock.keep()
        return next(c for c in self.list_cases(audit) if c.id == case_id)

    def case_index(self, audit: OpenAudit) -> dict[str, tuple[int, dict[str, str]]]:
        """case_ref -> (id, attributes): what an import needs, without progress counts."""
        query = select(CASE.c.case_ref, CASE.c.id, CASE.c.attributes).where(
            CASE.c.audit_id == audit.info.id
        )
        with self.engine.connect() as conn:
            return {ref: (cid, attrs) for ref, cid, attrs in conn.execute(query)}

    def list_cases(self, audit: OpenAudit, *, progress: bool = True) -> list[CaseInfo]:
        """Cases in sample order; with `progress`, how many applicable items each has answered
        (exports that do not show progress skip that count)."""
        columns = [CASE.c.id, CASE.c.case_ref, CASE.c.attributes, CASE.c.position]
        query = select(*columns).where(CASE.c.audit_id == audit.info.id)
        if progress:
            answered = (
                select(ANSWER.c.case_id, func.count().label("n"))
                .join(CASE, CASE.c.id == ANSWER.c.case_id)
                .where(CASE.c.audit_id == audit.info.id, ANSWER.c.value.is_not(None))
                .group_by(ANSWER.c.case_id)
                .subquery()
            )
            query = query.add_columns(func.coalesce(answered.c.n, 0)).outerjoin(
                answered, answered.c.case_id == CASE.c.id
            )
        query = query.order_by(CASE.c.position, CASE.c.id)
        rubric = audit.rubric
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            CaseInfo(
                id=cid,
                case_ref=ref,
                attributes=attrs,
                position=pos,
                answered=rest[0] if rest else 0,
                applicable=rubric.applicable_count(attrs),
            )
            for cid, ref, attrs, pos, *rest in rows
        ]

    # ---- answers --------------------------------------------------------------------------

    def answers_for_case(self, case_id: int) -> dict[str, AnswerInfo]:
        query = select(
            ANSWER.c.item_id,
            ANSWER.c.value,
            ANSWER.c.note,
            ANSWER.c.note_tag,
            ANSWER.c.updated_at,
            ANSWER.c.updated_by,
        ).where(ANSWER.c.case_id == case_id)
        with self.engine.connect() as conn:
            return {row.item_id: AnswerInfo(**row._mapping) for row in conn.execute(query)}

    def save_answer(
        self,
        audit: OpenAudit,
        case: CaseInfo,
        item_id: str,
        value: Answer | _Unchanged | None = UNCHANGED,
        *,
        note: str | _Unchanged = UNCHANGED,
        note_tag: NoteTag | _Unchanged | None = UNCHANGED,
        via: str = "tui",
    ) -> SavedAnswer:
        """Set an answer and/or its note, with a history row, committed before returning.

        Returning means it is on disk: the caller may now show it as saved. The old value is read
        under the audit's write lock, so the history always chains and no other writer's change
        is overwritten unseen.
        """
        if item_id not in audit.rubric.items:
            raise AuditError.at("answer", f'"{item_id}" is not an item of {audit.rubric.id}')
        if value not in (None, UNCHANGED) and not audit.rubric.applies(item_id, case.attributes):
            raise AuditError.at("answer", f"{item_id} does not apply to case {case.case_ref}")
        now = utcnow()
        key = {"b_case_id": case.id, "b_item_id": item_id}
        with self._locked(audit.info.id) as lock:
            conn = lock.conn
            rows = _SAVE["read"].run(
                conn, {"b_case_id": case.id, "b_audit_id": audit.info.id, "b_item_id": item_id}
            )
            found = rows[0] if rows else None
            if found is None:
                raise AuditError.at("answer", f"case {case.case_ref} is no longer in this audit")
            _, *stored = found
            old = None if stored[1] is None else stored  # a row's note is never NULL
            old_value, old_note, old_tag = old if old else (None, "", None)
            new_value = old_value if value is UNCHANGED else (value.value if value else None)
            new_note = old_note if note is UNCHANGED else note.strip()
            new_tag = old_tag if note_tag is UNCHANGED else (note_tag.value if note_tag else None)
            saved = AnswerInfo(
                item_id=item_id,
                value=new_value,
                note=new_note,
                note_tag=new_tag,
                updated_at=now,
                updated_by=self.user,
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
                "updated_by": self.user,
            }
            if old is None:
                _SAVE["insert"].run(conn, {"case_id": case.id, "item_id": item_id, **values})
            else:
                _SAVE["update"].run(conn, {**key, **values})
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
                    "changed_by": self.user,
                    "via": via,
                },
            )
            revision = lock.keep()
        return SavedAnswer(answer=saved, old_value=old_value, changed=True, revision=revision)

    def import_answers(
        self, audit: OpenAudit, answers: Mapping[int, Mapping[str, Answer]], via: str = "import"
    ) -> ImportSummary:
        """Write many answers (case id -> item -> value) in one transaction, with history.

        Values already equal are left alone (no history noise); nothing else is touched. The
        stored values are read under the audit's write lock: concurrent imports take turns.
        """
        now = utcnow()
        summary = ImportSummary(rows=len(answers))
        with self._locked(audit.info.id) as lock:
            conn = lock.conn
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
                        updates.append(
                            {"case_id": case_id, "item_id": item_id, "value": answer.value}
                        )
                    else:
                        inserts.append((case_id, item_id, answer.value))
                    history.append((case_id, item_id, old, answer.value))
            bulk_insert(
                conn,
                ANSWER,
                ("case_id", "item_id", "value"),
                inserts,
                note="",
                updated_at=now,
                updated_by=self.user,
            )
            if updates:
                conn.execute(
                    _UPDATE_ANSWER.values(
                        value=bindparam("b_value"), updated_at=now, updated_by=self.user
                    ),
                    [{"b_" + k: v for k, v in u.items()} for u in updates],
                )
            bulk_insert(
                conn,
                ANSWER_HISTORY,
                ("case_id", "item_id", "old_value", "new_value"),
                history,
                changed_at=now,
                changed_by=self.user,
                via=via,
            )
            if history:
                lock.keep()
        summary.written = len(inserts) + len(updates)
        return summary

    def tagged_notes(self, audit: OpenAudit) -> list[TaggedNote]:
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
                ANSWER.c.note_tag.is_not(None),
                ANSWER.c.note != "",
            )
            .order_by(CASE.c.position, ANSWER.c.item_id)
        )
        with self.engine.connect() as conn:
            return [TaggedNote(**row._mapping) for row in conn.execute(query)]

    def answer_history(self, case_id: int, item_id: str) -> list[dict[str, Any]]:
        query = (
            select(ANSWER_HISTORY)
            .where(ANSWER_HISTORY.c.case_id == case_id, ANSWER_HISTORY.c.item_id == item_id)
            .order_by(ANSWER_HISTORY.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # ---- judgements -----------------------------------------------------------------------

    def save_judgements(
        self, audit: OpenAudit, judgements: Iterable[Judgement], via: str = "tui"
    ) -> int:
        """Set domain-one judgements, all in one transaction, each change with a history row."""
        now = utcnow()
        changed = 0
        wanted = list(judgements)
        for j in wanted:
            _check_judgement(audit.rubric, j)
        with self._locked(audit.info.id) as lock:
            conn = lock.conn
            current = {
                row.standard_id: row
                for row in conn.execute(
                    select(JUDGEMENT).where(JUDGEMENT.c.audit_id == audit.info.id)
                )
            }
            for j in wanted:
                old = current.get(j.standard_id)
                new = {"rating": j.rating, "strengths": j.strengths, "improvements": j.improvements}
                if old is not None and all(getattr(old, k) == v for k, v in new.items()):
                    continue
                stamp = {"updated_at": now, "updated_by": self.user}
                if old is None:
                    conn.execute(
                        insert(JUDGEMENT).values(
                            audit_id=audit.info.id, standard_id=j.standard_id, **new, **stamp
                        )
                    )
                else:
                    conn.execute(
                        update(JUDGEMENT).where(JUDGEMENT.c.id == old.id).values(**new, **stamp)
                    )
                conn.execute(
                    insert(JUDGEMENT_HISTORY).values(
                        audit_id=audit.info.id,
                        standard_id=j.standard_id,
                        old_rating=old.rating if old else None,
                        new_rating=j.rating,
                        old_strengths=old.strengths if old else None,
                        new_strengths=j.strengths,
                        old_improvements=old.improvements if old else None,
                        new_improvements=j.improvements,
                        changed_at=now,
                        changed_by=self.user,
                        via=via,
                    )
                )
                changed += 1
            if changed:
                lock.keep()
        return changed

    def judgements(self, audit: OpenAudit) -> dict[str, Judgement]:
        with self.engine.connect() as conn:
            return _judgements(conn, audit.info.id)

    # ---- scoring --------------------------------------------------------------------------

    def tallies(self, audit: OpenAudit) -> tuple[int, dict[str, Tally]]:
        """(number of cases, per-item tallies) from two GROUP BY queries."""
        with self.engine.connect() as conn:
            return aggregates.tallies(conn, audit)

    def live_score(self, audit: OpenAudit) -> LiveScore:
        """The counts a live rating starts from, with the revision they were counted at, all read
        from one snapshot (so a change made meanwhile shows as a newer revision, never half)."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            revision = conn.scalar(select(AUDIT.c.revision).where(AUDIT.c.id == audit.info.id))
            if revision is None:
                raise AuditError.at("audit", "this audit no longer exists (it was deleted)")
            cases, tallies = aggregates.tallies(conn, audit)
            judged = _judgements(conn, audit.info.id)
        return LiveScore(cases=cases, tallies=tallies, judgements=judged, revision=revision)

    def all_answers(self, audit: OpenAudit) -> dict[int, dict[str, AnswerInfo]]:
        """Every answer of the audit, with notes, by case id (exports asked to include notes)."""
        query = (
            select(
                ANSWER.c.case_id, ANSWER.c.item_id, ANSWER.c.value, ANSWER.c.note, ANSWER.c.note_tag
            )
            .join(CASE, CASE.c.id == ANSWER.c.case_id)
            .where(CASE.c.audit_id == audit.info.id)
        )
        out: dict[int, dict[str, AnswerInfo]] = defaultdict(dict)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        for case_id, item_id, value, note, note_tag in rows:
            out[case_id][item_id] = AnswerInfo(
                item_id=item_id, value=value, note=note, note_tag=note_tag
            )
        return dict(out)

    def answer_values(self, audit: OpenAudit) -> dict[int, dict[str, str]]:
        """Every given answer's value by case id: what a case-level export needs, and no more."""
        query = (
            select(ANSWER.c.case_id, ANSWER.c.item_id, ANSWER.c.value)
            .join(CASE, CASE.c.id == ANSWER.c.case_id)
            .where(CASE.c.audit_id == audit.info.id, ANSWER.c.value.is_not(None))
        )
        out: dict[int, dict[str, str]] = {}
        with self.engine.connect() as conn:
            rows = driver_rows(conn, query)
        for case_id, item_id, value in rows:
            if (given := out.get(case_id)) is None:
                given = out[case_id] = {}
            given[item_id] = value
        return out

    def score(self, audit: OpenAudit) -> AuditResult:
        return self.live_score(audit).result(audit.rubric, audit.info.name)

    def score_with_breakdowns(
        self, audit: OpenAudit, attributes: Sequence[str]
    ) -> tuple[AuditResult, aggregates.Breakdowns]:
        """The score, and per attribute and value its number of cases and per-item tallies: what
        a report needs, from one read of the answers rather than two."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            cases, tallies, breakdowns = aggregates.report_tallies(conn, audit, attributes)
            judged = _judgements(conn, audit.info.id)
        result = score_audit(audit.rubric, audit.info.name, cases, tallies, judged)
        return result, breakdowns


def _chunks(items: Sequence[str], size: int = 900) -> Iterator[Sequence[str]]:
    """Slices small enough for any database's limit on bound parameters."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _judgements(conn: Connection, audit_id: int) -> dict[str, Judgement]:
    query = select(
        JUDGEMENT.c.standard_id,
        JUDGEMENT.c.rating,
        JUDGEMENT.c.strengths,
        JUDGEMENT.c.improvements,
    ).where(JUDGEMENT.c.audit_id == audit_id)
    return {row.standard_id: Judgement(**row._mapping) for row in conn.execute(query)}


def _audit_columns() -> list[Any]:
    return [
        AUDIT.c.id,
        AUDIT.c.name,
        AUDIT.c.pdu,
        AUDIT.c.region,
        AUDIT.c.rubric_id,
        AUDIT.c.rubric_version,
        AUDIT.c.rubric_hash,
        AUDIT.c.created_at,
        AUDIT.c.revision,
    ]


def _check_judgement(rubric: Rubric, j: Judgement) -> None:
    st = rubric.standards_by_id.get(j.standard_id)
    if st is None or st.method != "judgement":
        allowed = ", ".join(s.id for s in rubric.standards if s.method == "judgement")
        raise AuditError.at(
            "judgement",
            f'"{j.standard_id}" is not a judgement-rated standard (those are: {allowed})',
        )
    ratings = [b.rating for b in rubric.scoring.bands]
    if j.rating not in ratings:
        raise AuditError.at(
            "judgement", f'"{j.rating}" is not a rating (use: {", ".join(ratings)})'
        )
