"""The lead's judgements of each standard: save and read them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, insert, select, update

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import Judgement, OpenAudit
from audit_tui.domain.rubric import Rubric
from audit_tui.store import server
from audit_tui.store.models import utcnow
from audit_tui.store.repository import JUDGEMENT, JUDGEMENT_HISTORY, Repository, updated


def save_judgements(
    repo: Repository, audit: OpenAudit, judgements: Iterable[Judgement], via: str = "tui"
) -> int:
    """Set domain-one judgements, all in one transaction, each change with a history row."""
    changed = 0
    wanted = list(judgements)
    for j in wanted:
        _check_judgement(audit.rubric, j)
    with repo.locked(audit.info.id) as lock:
        now = utcnow()  # under the lock: each trail in the order it was written
        lock.access.lead("judgements")
        conn = lock.conn
        current = {
            row.standard_id: row
            for row in conn.execute(select(JUDGEMENT).where(JUDGEMENT.c.audit_id == audit.info.id))
        }
        server.tell(conn, via=via)
        for j in wanted:
            old = current.get(j.standard_id)
            new = {"rating": j.rating, "strengths": j.strengths, "improvements": j.improvements}
            if old is not None and all(getattr(old, k) == v for k, v in new.items()):
                continue
            stamp = {"updated_at": now, "updated_by": repo.user}
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
                    changed_by=repo.user,
                    via=via,
                )
            )
        if changed:
            lock.keep()
    return changed


def judgements(repo: Repository, audit: OpenAudit) -> dict[str, Judgement]:
    with repo.reading() as conn:
        return read_judgements(conn, audit.info.id)


def read_judgements(conn: Connection, audit_id: int) -> dict[str, Judgement]:
    query = select(
        JUDGEMENT.c.standard_id,
        JUDGEMENT.c.rating,
        JUDGEMENT.c.strengths,
        JUDGEMENT.c.improvements,
    ).where(JUDGEMENT.c.audit_id == audit_id)
    return {row.standard_id: Judgement(**row._mapping) for row in conn.execute(query)}


def read_judgements_of(
    conn: Connection, audit_ids: Sequence[int]
) -> dict[int, dict[str, Judgement]]:
    """`read_judgements` of several audits in one query, by audit id (every id present)."""
    found: dict[int, dict[str, Judgement]] = {a: {} for a in audit_ids}
    query = select(
        JUDGEMENT.c.audit_id,
        JUDGEMENT.c.standard_id,
        JUDGEMENT.c.rating,
        JUDGEMENT.c.strengths,
        JUDGEMENT.c.improvements,
    ).where(JUDGEMENT.c.audit_id.in_(list(audit_ids)))
    for audit_id, *fields in conn.execute(query):
        standard_id, rating, strengths, improvements = fields
        found[audit_id][standard_id] = Judgement(
            standard_id=standard_id, rating=rating, strengths=strengths, improvements=improvements
        )
    return found


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
