"""The repository: every read and write the app makes, returning plain records.

Hot paths (saving an answer, importing, tallying) use SQLAlchemy Core on one connection per unit
of work; counts come from GROUP BY queries, never from loading every answer.
"""

from __future__ import annotations

import json
import os
import pwd
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import copy
from dataclasses import replace
from datetime import datetime
from enum import Enum, auto
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from audit_tui.domain.access import Access, CaseGate, Role
from audit_tui.domain.answers import Answer, NoteTag
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import AuditError, Problem, printable
from audit_tui.domain.identity import login_name
from audit_tui.domain.labels import clean_label
from audit_tui.domain.loader import parse_rubric, rubric_hash
from audit_tui.domain.records import (
    KINDS,
    OVERSIGHT,
    SAMPLE,
    AnswerInfo,
    AuditEvent,
    AuditInfo,
    CaseChange,
    CaseInfo,
    ImportSummary,
    Judgement,
    OpenAudit,
    SavedAnswer,
    TaggedNote,
    UpdateSummary,
)
from audit_tui.domain.rubric import Rubric
from audit_tui.domain.words import plural
from audit_tui.scoring import AuditResult, Tally, score_audit
from audit_tui.scoring.live import LiveScore
from audit_tui.store import aggregates, counts, server
from audit_tui.store.bulk import Prepared, bulk_insert, driver_rows
from audit_tui.store.engine import WAIT_SECONDS, writer
from audit_tui.store.models import (
    AnswerHistoryRow,
    AnswerRow,
    AuditEventRow,
    AuditMemberRow,
    AuditRow,
    CaseRow,
    JudgementHistoryRow,
    JudgementRow,
    table_of,
    utcnow,
)

AUDIT = table_of(AuditRow)
CASE = table_of(CaseRow)
ANSWER = table_of(AnswerRow)
ANSWER_HISTORY = table_of(AnswerHistoryRow)
JUDGEMENT = table_of(JudgementRow)
JUDGEMENT_HISTORY = table_of(JudgementHistoryRow)
AUDIT_EVENT = table_of(AuditEventRow)
MEMBER = table_of(AuditMemberRow)

LIVE = CASE.c.removed_at.is_(None)
"""A case still in the sample: a removed (withdrawn) case keeps its row, answers and history as
the audit trail, and is left out of every list, count, tally, report and export."""
REFUSED = "the database refused the change (its rules do not allow it); nothing was written"
"""A write the app thought allowed that the database's row policies left undone (PostgreSQL)."""


def updated(
    conn: Connection,
    statement: Executable,
    what: str,
    params: Mapping[str, Any] | None = None,
    rows: int = 1,
) -> None:
    """Run an UPDATE the app allowed; if the database's row policies left any of its `rows`
    untouched (PostgreSQL skips a row a policy hides, it does not fail), refuse the change
    rather than report it done."""
    if conn.execute(statement, params).rowcount < rows:
        raise AuditError.at(what, REFUSED)


REASON_LENGTH = 500
DETAIL_LENGTH = 2000
"""Longest event detail stored: an update of 10,000 cases is summed up, not listed."""
LISTED = 10
"""How many cases (or items) an event detail or an error line names before counting the rest."""


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
# Takes the audit's write lock (the row lock on PostgreSQL) and counts the change, in one
# statement, returning what decides who may change what.
_BUMP_REVISION = (
    update(AUDIT)
    .where(AUDIT.c.id == bindparam("b_audit_id"))
    .values(revision=AUDIT.c.revision + 1)
    .returning(AUDIT.c.revision, AUDIT.c.name, AUDIT.c.locked_by, AUDIT.c.locked_at)
)
# The writer's role in the audit, and whether the audit has members at all (one with none is open).
MEMBERSHIP = select(
    select(MEMBER.c.role)
    .where(MEMBER.c.audit_id == bindparam("b_audit_id"), MEMBER.c.user_name == bindparam("b_user"))
    .scalar_subquery(),
    exists().where(MEMBER.c.audit_id == bindparam("b_audit_id")),
)
_INSERT_ANSWER = insert(ANSWER)
_UPDATE_ANSWER = update(ANSWER).where(_ANSWER_KEY)
_INSERT_ANSWER_HISTORY = insert(ANSWER_HISTORY)
_ANSWER_FIELDS = ("value", "note", "note_tag", "updated_at", "updated_by")
_HISTORY_FIELDS = ("case_id", "item_id", "old_value", "new_value", "old_note", "new_note",
                   "note_tag", "changed_at", "changed_by", "via")  # fmt: skip
_SAVE = {
    "bump": Prepared(_BUMP_REVISION),
    "membership": Prepared(MEMBERSHIP),
    "read": Prepared(_CASE_AND_ANSWER),
    "insert": Prepared(_INSERT_ANSWER, ("audit_id", "case_id", "item_id", *_ANSWER_FIELDS)),
    "update": Prepared(_UPDATE_ANSWER.returning(ANSWER.c.id), _ANSWER_FIELDS),
    "history": Prepared(_INSERT_ANSWER_HISTORY, _HISTORY_FIELDS),
}


_BEGIN_WRITE = Prepared(
    text(
        "SELECT revision, name, locked_by, locked_at, role, any_member"
        " FROM audit_tui.begin_write(:b_audit_id)"
    )
)
"""PostgreSQL: the lock, the revision and who is writing, from the server (store/pg)."""
_LOG_EVENT = text("SELECT audit_tui.log_event(:a, :e, :d)")
"""PostgreSQL: an event the app records, stamped by the server (who, when; store/pg)."""


class Unchanged(Enum):
    """The type of `UNCHANGED`: a one-member enum, so `x is UNCHANGED` narrows `x` for a checker."""

    UNCHANGED = auto()

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = Unchanged.UNCHANGED
"""Leave this field of a saved answer as it is."""


class StrandedAnswers(AuditError):
    """A change of case attributes refused because answers would stop applying (a PSR changed
    from yes to no leaves the court-work answers with nothing to apply to).

    `changes` holds each refused case's change, its `cleared` being the item ids (a key question,
    then its prompts) that would stop applying: an import names them by row, the app offers to
    clear them."""

    def __init__(self, changes: Sequence[CaseChange]) -> None:
        self.changes = tuple(changes)
        super().__init__(
            [
                Problem(
                    f"case {c.case_ref}",
                    "these answers would no longer apply; clear them first: "
                    f"{_listed(c.cleared)} ({_moves(c)})",
                )
                for c in self.changes
            ]
        )


class AnswerConflict(AuditError):
    """A save refused because the answer on disk is not the one its auditor saw: someone else
    changed it in between. Nothing was written; `stored` is theirs, to show beside yours."""

    def __init__(self, case_ref: str, item_id: str, stored: AnswerInfo, mine: str | None) -> None:
        self.stored, self.mine = stored, mine
        theirs = stored.value or "unanswered"
        super().__init__(
            [
                Problem(
                    "answer",
                    f"{stored.updated_by or 'someone'} changed {item_id} of case {case_ref} to"
                    f" {theirs} since you looked: nothing was written",
                )
            ]
        )


LOGIN = "AUDIT_TUI_USER or your login (give --as NAME)"
"""How an error names a user the settings gave from the environment or the login."""


def account_name() -> str:
    """The account this process runs as, for a repository opened with no name (the settings
    always give one: the store reads no environment variable)."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # no entry for this uid in some containers
        return "unknown"


class AuditLock:
    """A write transaction holding an audit's write lock (an immediate transaction on SQLite, the
    audit's row locked on PostgreSQL), begun by counting one more revision of the audit.

    `keep()` says the transaction changed something; one that did not is rolled back, so the
    revision moves only with the data and a no-op costs no write to disk."""

    def __init__(self, conn: Connection, audit_id: int, revision: int, access: Access) -> None:
        self.conn, self.audit_id = conn, audit_id
        self.access = access
        """Who is writing and what they may do, read in this transaction."""
        self.revision = revision
        """The audit's revision once this transaction commits."""
        self.before = revision - 1
        self.kept = False

    def keep(self) -> int:
        self.kept = True
        return self.revision


def identity(engine: Engine, claimed: str | None = None, claimed_by: str = "--as") -> str:
    """Who is acting: on PostgreSQL the role the person logged in as (`session_user`), never a
    name the client claims; on SQLite `claimed` (the settings' user: --as, the config file,
    AUDIT_TUI_USER or the login, named in an error by `claimed_by`), else the account, each held
    to the one rule for names (`login_name`)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return str(conn.scalar(text("SELECT session_user")))
    if claimed:
        return login_name(claimed, claimed_by)
    return login_name(account_name(), LOGIN)


class Repository:
    def __init__(
        self,
        engine: Engine,
        user: str | None = None,
        *,
        user_from: str = "--as",
        wait: int = WAIT_SECONDS,
    ):
        self.engine = engine
        self.writer = writer(engine)
        self.user = identity(engine, user, user_from)
        self.wait = wait
        """Seconds a write waits for another writer (for the line that says it gave up)."""
        self._held: Connection | None = None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """The connection a read runs on: the snapshot's, inside `snapshot()`, else its own."""
        if self._held is not None:
            yield self._held
            return
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Repository]:
        """One consistent read: a repository whose reads (`reading`) all share one transaction,
        so a report's cases, score and moderation come from one moment while others commit.
        PostgreSQL: REPEATABLE READ, read only. SQLite: one deferred BEGIN (the engine's), held
        to the end; in WAL its snapshot is taken at the first read. Reads only: writes go through
        `locked` as ever."""
        if self._held is not None:  # already inside one: the same moment
            yield self
            return
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            transaction = conn.begin()
            try:
                view = copy(self)
                view._held = conn
                yield view
            finally:
                transaction.rollback()

    @contextmanager
    def locked(self, audit_id: int) -> Iterator[AuditLock]:
        """One write transaction on an audit, holding the write lock from its first statement;
        `lock.access` says what the writer may do in it (check before writing)."""
        with self.writer.connect() as conn, conn.begin() as transaction:
            if server.keeps_trail(conn):  # the server takes the lock and says who is writing
                began = _BEGIN_WRITE.run(conn, {"b_audit_id": audit_id})
                if not began:  # the server says no more than this to someone outside it
                    raise AuditError.at(
                        "audit",
                        f"this audit no longer exists, or {self.user} is not a member of it"
                        " (its lead can add you)",
                    )
                revision, name, locked_by, locked_at, role, any_member = began[0]
            else:
                bumped = _SAVE["bump"].run(conn, {"b_audit_id": audit_id})
                if not bumped:
                    raise AuditError.at("audit", "this audit no longer exists (it was deleted)")
                revision, name, locked_by, locked_at = bumped[0]
                params = {"b_audit_id": audit_id, "b_user": self.user}
                role, any_member = _SAVE["membership"].run(conn, params)[0]
            access = Access(
                user=self.user,
                audit=name,
                role=Role(role) if role else None,
                open=not any_member,
                locked_by=locked_by,
                locked_at=moment(conn, locked_at),
            )
            lock = AuditLock(conn, audit_id, revision, access)
            yield lock
            if not lock.kept:
                transaction.rollback()

    # ---- audits ---------------------------------------------------------------------------

    def create_audit(
        self,
        name: str,
        rubric_text: str,
        *,
        pdu: str = "",
        region: str = "",
        origin: str = "",
        kind: str = SAMPLE,
    ) -> OpenAudit:
        name = clean_label(name, "audit name", required=True)
        if kind not in KINDS:
            raise AuditError.at(
                "kind", f"{kind!r} is not a kind of audit (use: {', '.join(KINDS)})"
            )
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
            "kind": kind,
        }
        try:
            with self.writer.begin() as conn:
                taken = conn.scalar(select(AUDIT.c.id).where(AUDIT.c.name == name))
                if taken is None:
                    audit_id = conn.scalar(insert(AUDIT).values(**row).returning(AUDIT.c.id))
                if taken is None and not server.keeps_trail(conn):  # else the server did this
                    conn.execute(
                        insert(MEMBER).values(
                            audit_id=audit_id,
                            user_name=self.user,
                            role=Role.LEAD.value,
                            added_at=row["created_at"],
                            added_by=self.user,
                        )
                    )
                    conn.execute(
                        insert(AUDIT_EVENT).values(
                            audit_id=audit_id,
                            audit_name=name,
                            at=row["created_at"],
                            by=self.user,
                            event="create",
                            detail=f"{'oversight audit ' if kind == OVERSIGHT else ''}against"
                            f" {rubric.id} {rubric.version}; {self.user} leads it",
                        )
                    )
        except IntegrityError:  # another writer took the name between our look and our insert
            taken = True
        if taken is not None:
            raise AuditError.at("audit", f'an audit named "{name}" already exists')
        return self.open_audit(name)

    def rename_audit(self, audit: OpenAudit, new_name: str) -> OpenAudit:
        """Give an audit a new name, recorded in its event log ("old → new").

        The name is checked as a new audit's is (no control characters, at most 80 characters);
        a name another audit holds is refused. The old name is read under the audit's write
        lock, so two renames racing each other both appear in the log, in order."""
        new_name = clean_label(new_name, "audit name", required=True)
        try:
            with self.locked(audit.info.id) as lock:
                lock.access.lead("rename")
                conn = lock.conn
                old_name = conn.scalar(select(AUDIT.c.name).where(AUDIT.c.id == audit.info.id))
                if old_name == new_name:
                    return _renamed(audit, new_name, lock.before)
                taken = conn.scalar(
                    select(AUDIT.c.id).where(AUDIT.c.name == new_name, AUDIT.c.id != audit.info.id)
                )
                if taken is not None:
                    raise AuditError.at("audit name", f'an audit named "{new_name}" already exists')
                updated(
                    conn,
                    update(AUDIT).where(AUDIT.c.id == audit.info.id).values(name=new_name),
                    "rename",
                )
                self.record_event(lock, "rename", f"{old_name} → {new_name}", name=new_name)
                revision = lock.keep()
        except IntegrityError:  # another writer created an audit of that name meanwhile
            raise AuditError.at(
                "audit name", f'an audit named "{new_name}" already exists'
            ) from None
        return _renamed(audit, new_name, revision)

    def delete_audit(self, name: str) -> bool:
        """Remove an audit with its cases, answers, judgements and their history.

        The audit's event log stays, ending with a `delete` event (the log is kept so there is a
        record that the audit existed and who deleted it; `audit_id` becomes NULL, `audit_name`
        still says which). False when there is no such audit (or another writer deleted it first).
        """
        with self.engine.connect() as conn:
            audit_id = conn.scalar(select(AUDIT.c.id).where(AUDIT.c.name == name))
        if audit_id is None:
            return False
        try:
            with self.locked(audit_id) as lock:
                if lock.access.audit != name:  # renamed since its id was read: not the one named
                    raise AuditError.at(
                        "audit",
                        f'audit "{name}" was renamed "{lock.access.audit}" meanwhile: nothing'
                        " deleted",
                    )
                lock.access.lead("delete")
                conn = lock.conn
                case_ids = select(CASE.c.id).where(CASE.c.audit_id == audit_id).scalar_subquery()
                cases = conn.scalar(select(func.count()).where(CASE.c.audit_id == audit_id, LIVE))
                answers = conn.scalar(
                    select(func.count()).where(
                        ANSWER.c.case_id.in_(case_ids), ANSWER.c.value.is_not(None)
                    )
                )
                detail = (
                    f"{plural(cases or 0, 'case')} and {plural(answers or 0, 'answer')} deleted"
                )
                self.record_event(lock, "delete", detail)
                if server.keeps_trail(conn):  # its foreign keys take the rest with it
                    conn.execute(delete(AUDIT).where(AUDIT.c.id == audit_id))
                    lock.keep()
                    return True
                # Explicit statements rather than trusting ON DELETE CASCADE / SET NULL: correct
                # with foreign keys off too.
                conn.execute(
                    update(AUDIT_EVENT)
                    .where(AUDIT_EVENT.c.audit_id == audit_id)
                    .values(audit_id=None)
                )
                for table in (ANSWER_HISTORY, ANSWER):
                    conn.execute(delete(table).where(table.c.case_id.in_(case_ids)))
                for table in (JUDGEMENT_HISTORY, JUDGEMENT, counts.TALLY, CASE):
                    conn.execute(delete(table).where(table.c.audit_id == audit_id))
                conn.execute(delete(AUDIT).where(AUDIT.c.id == audit_id))
                # Members last: until the audit is gone, they say who may delete it.
                conn.execute(delete(MEMBER).where(MEMBER.c.audit_id == audit_id))
                lock.keep()
        except AuditError as exc:
            if "no longer exists" in str(exc):  # deleted by someone else meanwhile
                return False
            raise
        return True

    def audit_events(self, audit: OpenAudit) -> list[AuditEvent]:
        """The audit's event log, oldest first: what happened to the audit as a whole (answers
        and judgements have their own history)."""
        query = (
            select(AUDIT_EVENT)
            .where(AUDIT_EVENT.c.audit_id == audit.info.id)
            .order_by(AUDIT_EVENT.c.id)
        )
        with self.engine.connect() as conn:
            return [AuditEvent(**row._mapping) for row in conn.execute(query)]

    def record_event(
        self, lock: AuditLock, event: str, detail: str, *, name: str | None = None
    ) -> None:
        """Append to the audit's event log, in the transaction making the change (on PostgreSQL
        the server stamps it, and writes the events of a change of state itself)."""
        conn = lock.conn
        if server.writes_event(conn, event):
            return
        if len(detail) > DETAIL_LENGTH:
            keep = DETAIL_LENGTH - 40
            detail = f"{detail[:keep]}… ({len(detail) - keep:,} more characters)"
        if server.keeps_trail(conn):
            conn.execute(_LOG_EVENT, {"a": lock.audit_id, "e": event, "d": detail})
            return
        if name is None:
            name = conn.scalar(select(AUDIT.c.name).where(AUDIT.c.id == lock.audit_id)) or ""
        conn.execute(
            insert(AUDIT_EVENT).values(
                audit_id=lock.audit_id,
                audit_name=name,
                at=utcnow(),
                by=self.user,
                event=event,
                detail=detail,
            )
        )

    def record_access(self, audit: OpenAudit, event: str, detail: str) -> None:
        """Who opened a case or took a report out, when, and why: case data is law-enforcement
        processing (Data Protection Act 2018, s.62 asks for logs of consultation and disclosure).
        An event in the audit's log, committed before the data is shown or written; it counts
        no change to the audit (nothing in it moved), so nobody's screen is recounted for it."""
        if len(detail) > DETAIL_LENGTH:
            detail = detail[: DETAIL_LENGTH - 1] + "…"
        with self.writer.begin() as conn:
            if server.keeps_trail(conn):
                conn.execute(_LOG_EVENT, {"a": audit.info.id, "e": event, "d": detail})
                return
            conn.execute(
                insert(AUDIT_EVENT).values(
                    audit_id=audit.info.id,
                    audit_name=audit.info.name,
                    at=utcnow(),
                    by=self.user,
                    event=event,
                    detail=detail,
                )
            )

    def list_audits(self) -> list[AuditInfo]:
        counts = (
            select(CASE.c.audit_id, func.count().label("n"))
            .where(LIVE)
            .group_by(CASE.c.audit_id)
            .subquery()
        )
        query = (
            select(*_audit_columns(), func.coalesce(counts.c.n, 0).label("cases"))
            .outerjoin(counts, counts.c.audit_id == AUDIT.c.id)
            .order_by(AUDIT.c.name)
        )
        with self.reading() as conn:
            return [AuditInfo(**row._mapping) for row in conn.execute(query)]

    def open_audit(self, name: str) -> OpenAudit:
        query = select(*_audit_columns(), AUDIT.c.rubric_snapshot).where(AUDIT.c.name == name)
        with self.reading() as conn:
            row = conn.execute(query).first()
            if row is None:
                names = conn.scalars(select(AUDIT.c.name).order_by(AUDIT.c.name)).all()
                known = ", ".join(names) if names else "none yet"
                raise AuditError.at("audit", f'no audit named "{name}" (audits: {known})')
            cases = conn.scalar(select(func.count()).where(CASE.c.audit_id == row.id, LIVE)) or 0
        fields = dict(row._mapping)
        snapshot = fields.pop("rubric_snapshot")
        rubric = parse_rubric(snapshot, f'audit "{name}" rubric snapshot')
        return OpenAudit(info=AuditInfo(**fields, cases=cases), rubric=rubric, rubric_text=snapshot)

    def audit_revision(self, audit_id: int) -> int | None:
        """The audit's change counter (None once deleted): cheap enough to poll."""
        with self.engine.connect() as conn:
            return conn.scalar(select(AUDIT.c.revision).where(AUDIT.c.id == audit_id))

    # ---- cases ----------------------------------------------------------------------------

    def add_cases(
        self,
        audit: OpenAudit,
        cases: Iterable[tuple[str, Mapping[str, str]]],
        codes: Mapping[str, Mapping[str, str | None]] | None = None,
    ) -> int:
        """Add cases, all or nothing. Attributes and codes must already be clean (domain.cases)."""
        with self.locked(audit.info.id) as lock:
            lock.access.lead("cases")
            added = self.add_cases_in(lock, audit, list(cases), codes)
            if added:
                lock.keep()
        return added

    def add_cases_in(
        self,
        lock: AuditLock,
        audit: OpenAudit,
        cases: Sequence[tuple[str, Mapping[str, str]]],
        codes: Mapping[str, Mapping[str, str | None]] | None = None,
    ) -> int:
        """Insert cases after the last one, in `lock`'s transaction, with an `add-cases` event;
        refused whole if a reference is taken, by a case in the audit or by one removed from it
        (a removed case's row is kept, so its reference cannot name another case). `codes` gives
        a case its practitioner and team codes (case_ref -> {"practitioner": …, "team": …}).
        References are stored canonical (`canonical_ref`), so `cl-1` and `CL-1` cannot be two."""
        conn = lock.conn
        cases = [(canonical_ref(ref), attrs) for ref, attrs in cases]
        codes = {canonical_ref(ref): given for ref, given in (codes or {}).items()}
        refs = [ref for ref, _ in cases]
        twice = [ref for ref, n in Counter(refs).items() if n > 1]
        if twice:
            raise AuditError.at("cases", f"named more than once: {_listed(twice)}")
        live: set[str] = set()
        removed: dict[str, tuple[Any, str]] = {}
        for chunk in _chunks(refs):
            for ref, removed_at, reason in conn.execute(
                select(CASE.c.case_ref, CASE.c.removed_at, CASE.c.removed_reason).where(
                    CASE.c.audit_id == audit.info.id, CASE.c.case_ref.in_(chunk)
                )
            ):
                if removed_at is None:
                    live.add(ref)
                else:
                    removed[ref] = (removed_at, reason or "")
        problems = []
        if live:
            problems.append(Problem("cases", f"already in the audit: {_listed(sorted(live))}"))
        if removed:
            named = [f"{ref} (on {_day(at)}: {why})" for ref, (at, why) in sorted(removed.items())]
            problems.append(
                Problem(
                    "cases",
                    "removed from the audit earlier, and a removed case's reference cannot be"
                    f" used again: {_listed(named, sep='; ')}; restore-case brings a removed case"
                    " back, with its answers",
                )
            )
        if problems:
            raise AuditError(problems)
        if not cases:
            return 0
        start = conn.execute(
            select(func.coalesce(func.max(CASE.c.position), 0)).where(
                CASE.c.audit_id == audit.info.id
            )
        ).scalar_one()  # an aggregate: always one row
        now = utcnow()
        conn.execute(
            insert(CASE),
            [
                {
                    "audit_id": audit.info.id,
                    "case_ref": ref,
                    "position": start + offset,
                    "attributes": dict(attrs),
                    "created_at": now,
                    "practitioner": codes.get(ref, {}).get("practitioner"),
                    "team": codes.get(ref, {}).get("team"),
                }
                for offset, (ref, attrs) in enumerate(cases, start=1)
            ],
        )
        self.record_event(lock, "add-cases", f"{plural(len(refs), 'case')} added: {_listed(refs)}")
        return len(cases)

    def remove_case(self, audit: OpenAudit, case_ref: str, reason: str) -> CaseInfo:
        """Withdraw a case from the audit's sample, saying why (recorded with who and when).

        Not a delete: the case's row, answers and answer history stay as the audit trail, but
        the case leaves every list, count, tally, report and export, and its answers can no
        longer be changed. Returns the case as removed. A case already removed is an error
        saying when, by whom and why."""
        reason = clean_reason(reason)
        with self.locked(audit.info.id) as lock:
            case = self.remove_case_in(lock, audit, case_ref, reason)
            lock.keep()
        return case

    def remove_case_in(
        self, lock: AuditLock, audit: OpenAudit, case_ref: str, reason: str
    ) -> CaseInfo:
        """`remove_case` in `lock`'s transaction (a replacement removes and adds in one)."""
        conn = lock.conn
        case_ref = canonical_ref(case_ref)
        lock.access.lead("case")
        found = conn.execute(
            select(
                CASE.c.id,
                CASE.c.removed_at,
                CASE.c.removed_by,
                CASE.c.removed_reason,
                CASE.c.signed_off_by,
                CASE.c.signed_off_at,
            ).where(CASE.c.audit_id == audit.info.id, CASE.c.case_ref == case_ref)
        ).first()
        if found is None:
            raise AuditError.at("case", f"no case {case_ref!r} in audit {audit.info.name!r}")
        if found.signed_off_at is not None:
            lock.access.answer(
                CaseGate(case_ref, None, found.signed_off_by, found.signed_off_at), "case"
            )
        if found.removed_at is not None:
            raise AuditError.at(
                "case",
                f"{case_ref!r} was already removed from audit {audit.info.name!r}"
                f" on {_day(found.removed_at)} by {found.removed_by}: {found.removed_reason}",
            )
        updated(
            conn,
            update(CASE)
            .where(CASE.c.id == found.id)
            .values(removed_at=utcnow(), removed_by=self.user, removed_reason=reason),
            "case",
        )
        leaving = _answered(conn, [found.id]).get(found.id, {})
        counts.moved(
            conn,
            audit.info.id,
            [(found.id, item, value, None) for item, (value, _tag) in leaving.items()],
            cases=False,  # its own count stays: the case's record is the trail
        )
        self.record_event(lock, "remove-case", f"{case_ref}: {reason}")
        case = case_record(conn, audit, found.id)
        assert case is not None
        return case

    def removed_cases(self, audit: OpenAudit) -> list[CaseInfo]:
        """The cases withdrawn from the audit, in the order they were removed, with when, by whom
        and why: imports name them, and an app may list them."""
        with self.engine.connect() as conn:
            return _case_infos(conn, audit, CASE.c.removed_at.is_not(None), removed_order=True)

    def stranded_answers(
        self, audit: OpenAudit, case_id: int, attributes: Mapping[str, str]
    ) -> list[str]:
        """The item ids (a key question, then its prompts) whose answers would stop applying if
        the case had these attributes: what to ask about before `update_case(...,
        clear_stranded=True)`."""
        with self.engine.connect() as conn:
            answered = _answered(conn, [case_id]).get(case_id, {})
        return _stranded(audit.rubric, answered, attributes)

    def update_case(
        self,
        audit: OpenAudit,
        case_id: int,
        attributes: Mapping[str, str],
        *,
        clear_stranded: bool = False,
    ) -> CaseInfo:
        """Change a case's attributes (clean, see domain.cases), recorded in the event log.

        Answers to items that would stop applying (a PSR changed from yes to no) refuse the
        change (StrandedAnswers), unless `clear_stranded`: then those answers are cleared in the
        same transaction, each with a history row (via "case-edit"), and a `clear-answers`
        event. Ask the user first: `stranded_answers` says which."""
        with self.locked(audit.info.id) as lock:
            lock.access.lead("case")
            conn = lock.conn
            found = conn.execute(
                select(CASE.c.case_ref, CASE.c.attributes).where(
                    CASE.c.id == case_id, CASE.c.audit_id == audit.info.id, LIVE
                )
            ).first()
            if found is None:
                raise AuditError.at("case", "this case is no longer in the audit (it was removed)")
            after = dict(attributes)
            if found.attributes != after:
                self._update_attributes(
                    lock,
                    audit,
                    [(case_id, found.case_ref, found.attributes, after)],
                    clear_stranded,
                )
                lock.keep()
            case = case_record(conn, audit, case_id)
        assert case is not None
        return case

    def update_cases(
        self,
        audit: OpenAudit,
        changes: Mapping[str, Mapping[str, str]],
        *,
        clear_stranded: bool = False,
        add: Sequence[tuple[str, Mapping[str, str]]] = (),
    ) -> UpdateSummary:
        """Give cases new attributes (case_ref -> the full new attributes, clean), and add the
        cases in `add`, all in one transaction: all or nothing.

        Cases whose attributes are already these are counted, not written. A reference not in
        the audit, or removed from it, is an error. Answers that would stop applying refuse the
        whole update (StrandedAnswers, naming each case and its items) unless `clear_stranded`,
        as in `update_case`."""
        changes = {canonical_ref(ref): attrs for ref, attrs in changes.items()}
        with self.locked(audit.info.id) as lock:
            lock.access.lead("cases")
            conn = lock.conn
            refs = list(changes)
            stored: dict[str, tuple[int, dict[str, str], Any, str]] = {}
            for chunk in _chunks(refs):
                for cid, ref, attrs, removed_at, reason in conn.execute(
                    select(
                        CASE.c.id,
                        CASE.c.case_ref,
                        CASE.c.attributes,
                        CASE.c.removed_at,
                        CASE.c.removed_reason,
                    ).where(CASE.c.audit_id == audit.info.id, CASE.c.case_ref.in_(chunk))
                ):
                    stored[ref] = (cid, attrs, removed_at, reason or "")
            problems = []
            missing = [ref for ref in refs if ref not in stored]
            if missing:
                problems.append(Problem("cases", f"not in the audit: {_listed(missing)}"))
            gone = [
                f"{ref} (on {_day(stored[ref][2])}: {stored[ref][3]})"
                for ref in refs
                if ref in stored and stored[ref][2] is not None
            ]
            if gone:
                problems.append(
                    Problem("cases", f"removed from the audit: {_listed(gone, sep='; ')}")
                )
            if problems:
                raise AuditError(problems)
            targets = []
            for ref, attrs in changes.items():
                cid, before, _, _ = stored[ref]
                if before != dict(attrs):
                    targets.append((cid, ref, before, dict(attrs)))
            done = self._update_attributes(lock, audit, targets, clear_stranded)
            added = self.add_cases_in(lock, audit, add) if add else 0
            if done or added:
                lock.keep()
        return UpdateSummary(
            updated=len(done), added=added, unchanged=len(refs) - len(done), changes=tuple(done)
        )

    def _update_attributes(
        self,
        lock: AuditLock,
        audit: OpenAudit,
        targets: Sequence[tuple[int, str, dict[str, str], dict[str, str]]],
        clear_stranded: bool,
    ) -> list[CaseChange]:
        """Write new attributes (case id, ref, before, after: only cases that change) in `lock`'s
        transaction, with an `update-cases` event; clear stranded answers, or refuse them."""
        if not targets:
            return []
        conn = lock.conn
        _refuse_signed_off(lock, [cid for cid, *_ in targets])
        answered = _answered(conn, [cid for cid, *_ in targets])
        changes = [
            CaseChange(
                case_ref=ref,
                before=before,
                after=after,
                cleared=tuple(_stranded(audit.rubric, answered.get(cid, {}), after)),
            )
            for cid, ref, before, after in targets
        ]
        stranded = [c for c in changes if c.cleared]
        if stranded and not clear_stranded:
            raise StrandedAnswers(stranded)
        now = utcnow()
        if stranded:
            ids = {ref: cid for cid, ref, *_ in targets}
            cells = [(ids[c.case_ref], item) for c in stranded for item in c.cleared]
            server.tell(conn, via="case-edit")
            if server.keeps_trail(conn):  # the server writes the history and the counts
                _write_answers(
                    conn,
                    audit.info.id,
                    [],
                    [{"case_id": cid, "item_id": item, "value": None} for cid, item in cells],
                    now,
                    self.user,
                )
            else:
                conn.execute(
                    _UPDATE_ANSWER.values(value=None, updated_at=now, updated_by=self.user),
                    [{"b_case_id": cid, "b_item_id": item} for cid, item in cells],
                )
                conn.execute(
                    insert(ANSWER_HISTORY),
                    [
                        {
                            "case_id": cid,
                            "item_id": item,
                            "old_value": answered[cid][item][0],
                            "new_value": None,
                            "note_tag": answered[cid][item][1],
                            "changed_at": now,
                            "changed_by": self.user,
                            "via": "case-edit",
                        }
                        for cid, item in cells
                    ],
                )
                counts.moved(
                    conn,
                    audit.info.id,
                    [(cid, item, answered[cid][item][0], None) for cid, item in cells],
                )
        conn.execute(
            update(CASE)
            .where(CASE.c.id == bindparam("b_id"))
            .values(attributes=bindparam("b_attributes")),
            [{"b_id": cid, "b_attributes": after} for cid, _, _, after in targets],
        )
        described = [c.describe() for c in changes]
        self.record_event(
            lock,
            "update-cases",
            f"{plural(len(changes), 'case')} updated: {_listed(described, sep='; ')}",
        )
        if stranded:
            total = sum(len(c.cleared) for c in stranded)
            cleared = [f"{c.case_ref} {', '.join(c.cleared)} ({_moves(c)})" for c in stranded]
            self.record_event(
                lock,
                "clear-answers",
                f"{plural(total, 'answer')} cleared, their items no longer applying:"
                f" {_listed(cleared, sep='; ')}",
            )
        return changes

    def case_index(self, audit: OpenAudit) -> dict[str, tuple[int, dict[str, str]]]:
        """case_ref -> (id, attributes) of the cases in the audit (removed ones left out): what
        an import needs, without progress counts."""
        query = select(CASE.c.case_ref, CASE.c.id, CASE.c.attributes).where(
            CASE.c.audit_id == audit.info.id, LIVE
        )
        with self.engine.connect() as conn:
            return {ref: (cid, attrs) for ref, cid, attrs in conn.execute(query)}

    def list_cases(self, audit: OpenAudit, *, progress: bool = True) -> list[CaseInfo]:
        """Cases in sample order (removed ones left out); with `progress`, how many applicable
        items each has answered (exports that do not show progress skip that count)."""
        with self.reading() as conn:
            return _case_infos(conn, audit, LIVE, progress=progress)

    # ---- answers --------------------------------------------------------------------------

    def answers_for_case(
        self, case_id: int, conn: Connection | None = None
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
        with self.reading() as own:
            return {row.item_id: AnswerInfo(**row._mapping) for row in own.execute(query)}

    def save_answer(
        self,
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
        under the audit's write lock, so the history always chains. With `expected` (the value
        the auditor saw), a stored value that differs refuses the save (AnswerConflict, nothing
        written): another auditor's answer is never overwritten unseen.
        """
        if item_id not in audit.rubric.items:
            raise AuditError.at("answer", f'"{item_id}" is not an item of {audit.rubric.id}')
        if value not in (None, UNCHANGED) and not audit.rubric.applies(item_id, case.attributes):
            raise AuditError.at("answer", f"{item_id} does not apply to case {case.case_ref}")
        now = utcnow()
        key = {"b_case_id": case.id, "b_item_id": item_id}
        with self.locked(audit.info.id) as lock:
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
                theirs = self.answers_for_case(case.id, conn).get(item_id)
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
                return SavedAnswer(
                    answer=saved, old_value=old_value, changed=True, revision=revision
                )
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
            counts.moved(conn, audit.info.id, [(case.id, item_id, old_value, new_value)])
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
        with self.locked(audit.info.id) as lock:
            conn = lock.conn
            gates: dict[int, CaseGate] = {}
            applicable: dict[int, frozenset[str]] = {}
            for row in conn.execute(
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
            live = set(gates)
            _check_each(lock.access, [gates[cid] for cid in answers if cid in gates])
            gone = sum(1 for case_id in answers if case_id not in live)
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
            if server.keeps_trail(conn):  # the server writes the history and the counts
                server.tell(conn, via=via)
                _write_answers(conn, audit.info.id, inserts, updates, now, self.user)
                if history:
                    lock.keep()
                summary.written = len(inserts) + len(updates)
                return summary
            bulk_insert(
                conn,
                ANSWER,
                ("case_id", "item_id", "value"),
                inserts,
                audit_id=audit.info.id,
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
                counts.moved(conn, audit.info.id, history)
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
                LIVE,
                ANSWER.c.note_tag.is_not(None),
                ANSWER.c.note != "",
            )
            .order_by(CASE.c.position, ANSWER.c.item_id)
        )
        with self.reading() as conn:
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
        with self.locked(audit.info.id) as lock:
            lock.access.lead("judgements")
            conn = lock.conn
            current = {
                row.standard_id: row
                for row in conn.execute(
                    select(JUDGEMENT).where(JUDGEMENT.c.audit_id == audit.info.id)
                )
            }
            server.tell(conn, via=via)
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
                    updated(
                        conn,
                        update(JUDGEMENT).where(JUDGEMENT.c.id == old.id).values(**new, **stamp),
                        "judgements",
                    )
                changed += 1
                if server.keeps_trail(conn):
                    continue
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
            .where(CASE.c.audit_id == audit.info.id, LIVE)
        )
        out: dict[int, dict[str, AnswerInfo]] = defaultdict(dict)
        with self.reading() as conn:
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
            .where(CASE.c.audit_id == audit.info.id, LIVE, ANSWER.c.value.is_not(None))
        )
        out: dict[int, dict[str, str]] = {}
        with self.reading() as conn:
            rows = driver_rows(conn, query)
        for case_id, item_id, value in rows:
            if (given := out.get(case_id)) is None:
                given = out[case_id] = {}
            given[item_id] = value
        return out

    def score(self, audit: OpenAudit, *, exact: bool = True) -> AuditResult:
        """The audit's ratings as a report states them: counted from the answers (`exact`), or
        from the kept counts (cheaper, for a list of audits; the app's live ratings)."""
        if not exact:
            return self.live_score(audit).result(audit.rubric, audit.info.name)
        with self.reading() as conn:
            if conn.dialect.name == "postgresql" and not conn.in_transaction():
                conn.execution_options(isolation_level="REPEATABLE READ")
            cases, tallies = aggregates.tallies(conn, audit, from_answers=True)
            judged = _judgements(conn, audit.info.id)
        return score_audit(audit.rubric, audit.info.name, cases, tallies, judged)

    def score_with_breakdowns(
        self, audit: OpenAudit, attributes: Sequence[str]
    ) -> tuple[AuditResult, aggregates.Breakdowns]:
        """The score, and per attribute and value its number of cases and per-item tallies: what
        a report needs, from one read of the answers rather than two."""
        with self.reading() as conn:
            if conn.dialect.name == "postgresql" and not conn.in_transaction():
                conn.execution_options(isolation_level="REPEATABLE READ")
            cases, tallies, breakdowns = aggregates.report_tallies(conn, audit, attributes)
            judged = _judgements(conn, audit.info.id)
        result = score_audit(audit.rubric, audit.info.name, cases, tallies, judged)
        return result, breakdowns


def moment(conn: Connection, raw: Any) -> datetime | None:
    """A timestamp read on the driver's cursor as SQLAlchemy would give it (SQLite stores text)."""
    if raw is None or isinstance(raw, datetime):
        return raw
    when = AUDIT.c.locked_at.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
    return when(raw) if when else raw


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


def _write_answers(
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


def _refuse_signed_off(lock: AuditLock, case_ids: Sequence[int]) -> None:
    """Signed-off cases keep their attributes (they decide which answers count)."""
    problems: list[Problem] = []
    for chunk in range(0, len(case_ids), 900):
        for ref, by, at in lock.conn.execute(
            select(CASE.c.case_ref, CASE.c.signed_off_by, CASE.c.signed_off_at).where(
                CASE.c.id.in_(case_ids[chunk : chunk + 900]), CASE.c.signed_off_at.is_not(None)
            )
        ):
            try:
                lock.access.answer(CaseGate(ref, None, by, at), "case")
            except AuditError as exc:
                problems.extend(exc.problems)
    if problems:
        raise AuditError(problems)


def clean_reason(reason: str, why: str = "the case is removed") -> str:
    """Why something was done (`why`: what, in words): required, one line, at most
    REASON_LENGTH characters (it is shown in the event log and in errors, so, like a name, it
    must print as itself)."""
    reason = reason.strip()
    if not reason:
        raise AuditError.at("reason", f"cannot be empty: say why {why}")
    bad = next((ch for ch in reason if printable(ch) != ch), None)
    if bad is not None:
        raise AuditError.at(
            "reason",
            f"{printable(reason)} holds a control character ({printable(bad)});"
            " use letters, digits, spaces and punctuation",
        )
    if len(reason) > REASON_LENGTH:
        raise AuditError.at("reason", f"is {len(reason)} characters long (at most {REASON_LENGTH})")
    return reason


def _renamed(audit: OpenAudit, name: str, revision: int) -> OpenAudit:
    return replace(audit, info=replace(audit.info, name=name, revision=revision))


def _day(when: datetime | str | None) -> str:
    """The date a case was removed, as written in errors (YYYY-MM-DD, UTC)."""
    if isinstance(when, datetime):
        return when.strftime("%Y-%m-%d")
    return str(when or "")[:10]


def _listed(names: Sequence[str], sep: str = ", ", limit: int = LISTED) -> str:
    """The first `limit` names, then how many more: an error line or event stays bounded."""
    more = f"{sep}… and {len(names) - limit:,} more" if len(names) > limit else ""
    return sep.join(names[:limit]) + more


def _moves(change: CaseChange) -> str:
    """`has_psr yes → no`: the attribute changes of a CaseChange, without the reference."""
    return change.describe().removeprefix(change.case_ref).strip()


def _answered(conn: Connection, case_ids: Sequence[int]) -> dict[int, dict[str, tuple[str, Any]]]:
    """case id -> item -> (value, note tag) of the given answers of these cases."""
    out: dict[int, dict[str, tuple[str, Any]]] = defaultdict(dict)
    for i in range(0, len(case_ids), 900):
        query = select(ANSWER.c.case_id, ANSWER.c.item_id, ANSWER.c.value, ANSWER.c.note_tag).where(
            ANSWER.c.case_id.in_(case_ids[i : i + 900]), ANSWER.c.value.is_not(None)
        )
        for case_id, item_id, value, tag in conn.execute(query):
            out[case_id][item_id] = (value, tag)
    return dict(out)


def _stranded(
    rubric: Rubric, answered: Mapping[str, object], attributes: Mapping[str, str]
) -> list[str]:
    """Answered items that would not apply to a case with these attributes, in the order a
    spreadsheet lists them (a key question, then its prompts)."""
    return [i for i in rubric.column_order if i in answered and not rubric.applies(i, attributes)]


def _case_infos(
    conn: Connection,
    audit: OpenAudit,
    *where: Any,
    progress: bool = True,
    removed_order: bool = False,
) -> list[CaseInfo]:
    """Cases of the audit matching `where`, as records, in sample order (or removal order)."""
    columns = [
        CASE.c.id,
        CASE.c.case_ref,
        CASE.c.attributes,
        CASE.c.position,
        CASE.c.removed_at,
        CASE.c.removed_by,
        CASE.c.removed_reason,
        CASE.c.allocated_to,
        CASE.c.completed_by,
        CASE.c.signed_off_by,
        CASE.c.signed_off_at,
        CASE.c.practitioner,
        CASE.c.team,
    ]
    query = select(*columns).where(CASE.c.audit_id == audit.info.id, *where)
    if progress:  # the count every answer keeps up to date (store/counts.py)
        query = query.add_columns(CASE.c.answered)
    order = (CASE.c.removed_at, CASE.c.id) if removed_order else (CASE.c.position, CASE.c.id)
    rubric = audit.rubric
    # On the driver's cursor, unpacked rather than read by name, each distinct set of attributes
    # decoded once: ten thousand rows each time an audit is opened.
    rows = driver_rows(conn, query.order_by(*order))
    when = CASE.c.removed_at.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
    known: dict[object, tuple[dict[str, str], int]] = {}

    def attributes(raw: str | dict[str, str]) -> tuple[dict[str, str], int]:
        """The attributes and how many items apply to them, once per distinct set."""
        key = raw if isinstance(raw, str) else tuple(raw.items())
        if key not in known:  # PostgreSQL's driver decodes JSON itself
            attrs = json.loads(raw) if isinstance(raw, str) else raw
            known[key] = (attrs, rubric.applicable_count(attrs))
        return known[key]

    out = []
    for (
        cid, ref, raw, pos, removed_at, removed_by, reason, to, done, signer, signed, worker, team,
        *rest,
    ) in rows:  # fmt: skip
        attrs, applicable = attributes(raw)
        out.append(
            CaseInfo(
                id=cid,
                case_ref=ref,
                attributes=attrs,
                position=pos,
                answered=rest[0] if rest else 0,
                applicable=applicable,
                removed_at=when(removed_at) if when and removed_at is not None else removed_at,
                removed_by=removed_by or "",
                removed_reason=reason or "",
                allocated_to=to or "",
                completed_by=done or "",
                signed_off_by=signer or "",
                signed_off_at=signed if signed is None or not when else when(signed),
                practitioner=worker or "",
                team=team or "",
            )
        )
    return out


def case_record(conn: Connection, audit: OpenAudit, case_id: int) -> CaseInfo | None:
    found = _case_infos(conn, audit, CASE.c.id == case_id)
    return found[0] if found else None


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
        AUDIT.c.locked_by,
        AUDIT.c.locked_at,
        AUDIT.c.kind,
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
