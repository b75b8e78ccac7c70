"""Second marks: a second marker's answers to the cases of their round, kept apart from the
audit's answers with their own history; done case by case, or from a spreadsheet (double entry).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import insert, select, update

from audit_tui.domain.access import Role
from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.records import AnswerInfo, ImportSummary, OpenAudit, SavedAnswer
from audit_tui.domain.words import plural
from audit_tui.store import events, server
from audit_tui.store.models import (
    utcnow,
)
from audit_tui.store.moderation import (
    MOD_CASE,
    ROUND,
    SECOND,
    SECOND_HISTORY,
    UNCHANGED,
    Marking,
    first_markers,
    keep_first_marks,
    open_round,
    role_in,
)
from audit_tui.store.repository import (
    CASE,
    LIVE,
    AuditLock,
    Repository,
    Unchanged,
    moment,
    updated,
)
from audit_tui.store.trail import Change


def second_answers(repo: Repository, marking: Marking) -> dict[str, AnswerInfo]:
    with repo.engine.connect() as conn:
        rows = conn.execute(
            select(
                SECOND.c.item_id,
                SECOND.c.value,
                SECOND.c.note,
                SECOND.c.updated_at,
                SECOND.c.updated_by,
            ).where(SECOND.c.moderation_case_id == marking.moderation_case_id)
        ).all()
    return {r.item_id: AnswerInfo(**r._mapping) for r in rows}


def save_second(
    repo: Repository,
    audit: OpenAudit,
    case_id: int,
    item_id: str,
    value: Answer | Unchanged | None = UNCHANGED,
    *,
    note: str | Unchanged = UNCHANGED,
    via: str = "tui",
) -> SavedAnswer:
    """Set a second mark and/or its note, with history, committed before returning. Only the
    round's marker may, and only until they mark the case complete; the audit's answers are
    never touched."""
    if item_id not in audit.rubric.items:
        raise AuditError.at("second mark", f'"{item_id}" is not an item of {audit.rubric.id}')
    with repo.locked(audit.info.id) as lock:
        now = utcnow()  # under the lock: each trail in the order it was written
        conn = lock.conn
        target = _open_marking(lock, case_id)
        mid, case_ref, attributes = target
        if value not in (None, UNCHANGED) and not audit.rubric.applies(item_id, attributes):
            raise AuditError.at("second mark", f"{item_id} does not apply to case {case_ref}")
        row = conn.execute(
            select(SECOND.c.value, SECOND.c.note).where(
                SECOND.c.moderation_case_id == mid, SECOND.c.item_id == item_id
            )
        ).first()
        old_value, old_note = (row.value, row.note) if row else (None, "")
        new_value = old_value if value is UNCHANGED else (value.value if value else None)
        new_note = old_note if note is UNCHANGED else note.strip()
        saved = AnswerInfo(
            item_id=item_id, value=new_value, note=new_note, updated_at=now, updated_by=repo.user
        )
        if (new_value, new_note) == (old_value, old_note):
            return SavedAnswer(
                answer=saved, old_value=old_value, changed=False, revision=lock.before
            )
        values = {"value": new_value, "note": new_note, "updated_at": now, "updated_by": repo.user}
        server.tell(conn, via=via)
        if row is None:
            conn.execute(insert(SECOND).values(moderation_case_id=mid, item_id=item_id, **values))
        else:
            updated(
                conn,
                update(SECOND)
                .where(SECOND.c.moderation_case_id == mid, SECOND.c.item_id == item_id)
                .values(**values),
                "second mark",
            )
        revision = lock.keep()
        if server.keeps_trail(conn):  # the server wrote the history
            return SavedAnswer(answer=saved, old_value=old_value, changed=True, revision=revision)
        noted = new_note != old_note
        conn.execute(
            insert(SECOND_HISTORY).values(
                moderation_case_id=mid,
                item_id=item_id,
                old_value=old_value,
                new_value=new_value,
                old_note=old_note if noted else None,
                new_note=new_note if noted else None,
                changed_at=now,
                changed_by=repo.user,
                via=via,
            )
        )
    return SavedAnswer(answer=saved, old_value=old_value, changed=True, revision=revision)


def _open_marking(lock: AuditLock, case_id: int) -> tuple[int, str, dict[str, str]]:
    """The writer's unfinished second marking of a case, checked under the lock."""
    access = lock.access
    access.member("second mark")
    access.unlocked("second mark")
    row = lock.conn.execute(
        select(MOD_CASE.c.id, CASE.c.case_ref, CASE.c.attributes)
        .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
        .join(CASE, CASE.c.id == MOD_CASE.c.case_id)
        .where(
            ROUND.c.audit_id == lock.audit_id,
            ROUND.c.marker == access.user,
            MOD_CASE.c.case_id == case_id,
            MOD_CASE.c.completed_at.is_(None),
            LIVE,
        )
    ).first()
    if row is None:
        raise AuditError.at(
            "second mark",
            f"{access.user} has no unfinished second marking of this case"
            " (not in a round of theirs, or already marked complete)",
        )
    return row.id, row.case_ref, row.attributes


def second_history(repo: Repository, marking: Marking, case_ref: str, item_id: str) -> list[Change]:
    with repo.engine.connect() as conn:
        rows = conn.execute(
            select(SECOND_HISTORY)
            .where(
                SECOND_HISTORY.c.moderation_case_id == marking.moderation_case_id,
                SECOND_HISTORY.c.item_id == item_id,
            )
            .order_by(SECOND_HISTORY.c.id)
        ).all()
        return [
            Change(
                at=moment(conn, r.changed_at) or utcnow(),
                by=r.changed_by,
                case=case_ref,
                item=r.item_id,
                old=r.old_value,
                new=r.new_value,
                via=f"second mark ({r.via})",
                note_changed=r.new_note is not None,
            )
            for r in rows
        ]


def complete_second(repo: Repository, audit: OpenAudit, case_id: int) -> str:
    """The second marker says the case is done: every item that applies has a second mark.
    From now on they may see the first marks, and the case counts in the agreement."""
    with repo.locked(audit.info.id) as lock:
        mid, case_ref, attributes = _open_marking(lock, case_id)
        answered = set(
            lock.conn.scalars(
                select(SECOND.c.item_id).where(
                    SECOND.c.moderation_case_id == mid, SECOND.c.value.is_not(None)
                )
            )
        )
        missing = audit.rubric.applicable_ids(attributes) - answered
        if missing:
            raise AuditError.at(
                "complete",
                f"case {case_ref} has {plural(len(missing), 'item')} still to second-mark",
            )
        updated(
            lock.conn,
            update(MOD_CASE)
            .where(MOD_CASE.c.id == mid)
            .values(completed_at=utcnow(), completed_by=repo.user),
            "complete",
        )
        keep_first_marks(lock.conn, [mid])
        events.record_event(repo, lock, "second-mark-complete", case_ref)
        lock.keep()
    return case_ref


def import_second(
    repo: Repository,
    audit: OpenAudit,
    answers: Mapping[int, Mapping[str, Answer]],
    marker: str,
    source: str,
) -> ImportSummary:
    """Double entry from a spreadsheet: `marker`'s marks for the cases in the file, each case
    marked complete (a spreadsheet is filled in blind, then handed over). Cases in an
    unfinished round of theirs use it; the rest form a new round. Nothing is written on error."""
    from audit_tui.store.logins import person

    # no login needed: the lead types in a spreadsheet its marker filled in (the demo's too)
    marker = person(repo.engine, marker, "second marker")
    summary = ImportSummary(rows=len(answers))
    with repo.locked(audit.info.id) as lock:
        now = utcnow()  # under the lock: each trail in the order it was written
        access, conn = lock.access, lock.conn
        if access.user != marker:
            access.lead("import second marks")
        access.member("import second marks")
        access.unlocked("import second marks")
        role = role_in(conn, lock.audit_id, marker)
        if role is Role.VIEWER:
            raise AuditError.at("second marker", f"{marker} is a viewer: a second marker must mark")
        rows = {
            r.id: r
            for r in conn.execute(
                select(
                    CASE.c.id,
                    CASE.c.case_ref,
                    CASE.c.attributes,
                    CASE.c.allocated_to,
                    CASE.c.signed_off_at,
                ).where(CASE.c.audit_id == lock.audit_id, LIVE)
            )
        }
        ids = [cid for cid in answers if cid in rows]
        first = first_markers(conn, ids, {cid: rows[cid].allocated_to for cid in ids})
        open_rounds = dict(
            conn.execute(
                select(MOD_CASE.c.case_id, MOD_CASE.c.id)
                .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
                .where(
                    ROUND.c.audit_id == lock.audit_id,
                    ROUND.c.marker == marker,
                    MOD_CASE.c.completed_at.is_(None),
                )
            ).all()
        )
        problems = [
            Problem(f"case {rows[cid].case_ref}", f"{marker} marked it first")
            for cid in ids
            if first[cid] == marker
        ]
        for cid in ids:  # what applies to each case as it stands now, not as the file was read
            given, applies = set(answers[cid]), audit.rubric.applicable_ids(rows[cid].attributes)
            if given - applies:
                problems.append(
                    Problem(
                        f"case {rows[cid].case_ref}",
                        f"{', '.join(sorted(given - applies))} no longer applies (the case changed"
                        " while the file was read); nothing was written: import again",
                    )
                )
            elif applies - given:
                problems.append(
                    Problem(
                        f"case {rows[cid].case_ref}",
                        f"{plural(len(applies - given), 'item')} that apply not marked; a second"
                        " marking must be complete",
                    )
                )
        if len(ids) != len(answers):
            problems.append(Problem("answers", "a case left the audit while the file was read"))
        if problems:
            raise AuditError(problems)
        fresh = [cid for cid in ids if cid not in open_rounds]
        if fresh and not access.acts_as_lead:  # which cases are moderated is the lead's choice
            refs = ", ".join(rows[cid].case_ref for cid in fresh[:10])
            raise AuditError.at(
                "second marks",
                f"{plural(len(fresh), 'case')} ({refs}) not in an unfinished round of {marker}'s:"
                " the lead starts one (audit-tui moderate AUDIT --cases REF,REF --marker"
                f" {marker}) or imports the file",
            )
        if fresh:
            round_id, _number = open_round(
                lock, repo.user, marker, role, f"imported from {source}", None, now
            )
            for cid in fresh:
                open_rounds[cid] = conn.execute(
                    insert(MOD_CASE)
                    .values(round_id=round_id, case_id=cid, first_marker=first[cid])
                    .returning(MOD_CASE.c.id)
                ).scalar_one()
        server.tell(conn, via="import")
        for cid in ids:
            mid = open_rounds[cid]
            stored = dict(
                conn.execute(
                    select(SECOND.c.item_id, SECOND.c.value).where(
                        SECOND.c.moderation_case_id == mid
                    )
                ).all()
            )
            for item_id, answer in answers[cid].items():
                if item_id in stored and stored[item_id] == answer.value:
                    summary.unchanged += 1
                    continue
                if item_id in stored:
                    updated(
                        conn,
                        update(SECOND)
                        .where(SECOND.c.moderation_case_id == mid, SECOND.c.item_id == item_id)
                        .values(value=answer.value, updated_at=now, updated_by=repo.user),
                        "second marks",
                    )
                else:
                    conn.execute(
                        insert(SECOND).values(
                            moderation_case_id=mid,
                            item_id=item_id,
                            value=answer.value,
                            note="",
                            updated_at=now,
                            updated_by=repo.user,
                        )
                    )
                if not server.keeps_trail(conn):
                    conn.execute(
                        insert(SECOND_HISTORY).values(
                            moderation_case_id=mid,
                            item_id=item_id,
                            old_value=stored.get(item_id),
                            new_value=answer.value,
                            changed_at=now,
                            changed_by=repo.user,
                            via="import",
                        )
                    )
                summary.written += 1
            updated(
                conn,
                update(MOD_CASE)
                .where(MOD_CASE.c.id == mid)
                .values(completed_at=now, completed_by=repo.user),
                "second marks",
            )
        keep_first_marks(conn, [open_rounds[cid] for cid in ids])
        events.record_event(
            repo,
            lock,
            "second-mark-import",
            f"{plural(len(ids), 'case')} second-marked by {marker} from {source}",
        )
        lock.keep()
    return summary
