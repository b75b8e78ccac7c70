"""Audits: create, open, rename, delete and list them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from audit_tui.domain.access import Role
from audit_tui.domain.errors import AuditError
from audit_tui.domain.labels import clean_label
from audit_tui.domain.loader import parse_rubric, rubric_hash
from audit_tui.domain.records import KINDS, OVERSIGHT, SAMPLE, AuditInfo, OpenAudit
from audit_tui.domain.words import plural
from audit_tui.store import counts, events, server
from audit_tui.store.models import utcnow
from audit_tui.store.repository import (
    ANSWER,
    ANSWER_HISTORY,
    AUDIT,
    AUDIT_EVENT,
    CASE,
    JUDGEMENT,
    JUDGEMENT_HISTORY,
    LIVE,
    MEMBER,
    Repository,
    deleted,
    updated,
)


def create_audit(
    repo: Repository,
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
        raise AuditError.at("kind", f"{kind!r} is not a kind of audit (use: {', '.join(KINDS)})")
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
        "created_by": repo.user,
        "revision": 0,
        "kind": kind,
    }
    try:
        with repo.writer.begin() as conn:
            taken = conn.scalar(select(AUDIT.c.id).where(AUDIT.c.name == name))
            if taken is None:
                audit_id = conn.scalar(insert(AUDIT).values(**row).returning(AUDIT.c.id))
            if taken is None and not server.keeps_trail(conn):  # else the server did this
                conn.execute(
                    insert(MEMBER).values(
                        audit_id=audit_id,
                        user_name=repo.user,
                        role=Role.LEAD.value,
                        added_at=row["created_at"],
                        added_by=repo.user,
                    )
                )
                conn.execute(
                    insert(AUDIT_EVENT).values(
                        audit_id=audit_id,
                        audit_name=name,
                        at=row["created_at"],
                        by=repo.user,
                        event="create",
                        detail=f"{'oversight audit ' if kind == OVERSIGHT else ''}against"
                        f" {rubric.id} {rubric.version}; {repo.user} leads it",
                    )
                )
    except IntegrityError:  # another writer took the name between our look and our insert
        taken = True
    if taken is not None:
        raise AuditError.at("audit", f'an audit named "{name}" already exists')
    return open_audit(repo, name)


def rename_audit(repo: Repository, audit: OpenAudit, new_name: str) -> OpenAudit:
    """Give an audit a new name, recorded in its event log ("old → new").

    The name is checked as a new audit's is (no control characters, at most 80 characters);
    a name another audit holds is refused. The old name is read under the audit's write
    lock, so two renames racing each other both appear in the log, in order."""
    new_name = clean_label(new_name, "audit name", required=True)
    try:
        with repo.locked(audit.info.id) as lock:
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
            events.record_event(repo, lock, "rename", f"{old_name} → {new_name}", name=new_name)
            revision = lock.keep()
    except IntegrityError:  # another writer created an audit of that name meanwhile
        raise AuditError.at("audit name", f'an audit named "{new_name}" already exists') from None
    return _renamed(audit, new_name, revision)


def delete_audit(repo: Repository, name: str) -> bool:
    """Remove an audit with its cases, answers, judgements and their history.

    The audit's event log stays, ending with a `delete` event (the log is kept so there is a
    record that the audit existed and who deleted it; `audit_id` becomes NULL, `audit_name`
    still says which). False when there is no such audit (or another writer deleted it first).
    """
    with repo.engine.connect() as conn:
        audit_id = conn.scalar(select(AUDIT.c.id).where(AUDIT.c.name == name))
    if audit_id is None:
        return False
    try:
        with repo.locked(audit_id) as lock:
            if lock.access.audit != name:  # renamed since its id was read: not the one named
                raise AuditError.at(
                    "audit",
                    f'audit "{name}" was renamed "{lock.access.audit}" meanwhile: nothing deleted',
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
            detail = f"{plural(cases or 0, 'case')} and {plural(answers or 0, 'answer')} deleted"
            events.record_event(repo, lock, "delete", detail)
            if server.keeps_trail(conn):  # its foreign keys take the rest with it
                deleted(conn, "remove_audit", "delete", audit_id)
                lock.keep()
                return True
            # Explicit statements rather than trusting ON DELETE CASCADE / SET NULL: correct
            # with foreign keys off too.
            conn.execute(
                update(AUDIT_EVENT).where(AUDIT_EVENT.c.audit_id == audit_id).values(audit_id=None)
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


def list_audits(repo: Repository) -> list[AuditInfo]:
    counts = (
        select(CASE.c.audit_id, func.count().label("n"))
        .where(LIVE)
        .group_by(CASE.c.audit_id)
        .subquery()
    )
    query = (
        select(*audit_columns(), func.coalesce(counts.c.n, 0).label("cases"))
        .outerjoin(counts, counts.c.audit_id == AUDIT.c.id)
        .order_by(AUDIT.c.name)
    )
    with repo.reading() as conn:
        return [AuditInfo(**row._mapping) for row in conn.execute(query)]


def open_audit(repo: Repository, name: str) -> OpenAudit:
    query = select(*audit_columns(), AUDIT.c.rubric_snapshot).where(AUDIT.c.name == name)
    with repo.reading() as conn:
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


def audit_revision(repo: Repository, audit_id: int) -> int | None:
    """The audit's change counter (None once deleted): cheap enough to poll."""
    with repo.reading() as conn:
        return conn.scalar(select(AUDIT.c.revision).where(AUDIT.c.id == audit_id))


def _renamed(audit: OpenAudit, name: str, revision: int) -> OpenAudit:
    return replace(audit, info=replace(audit.info, name=name, revision=revision))


def audit_columns() -> list[Any]:
    """An AuditInfo's columns but its number of cases."""
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
