"""Moderation in the store: rounds of blind second marking, the second marks (apart from the
audit's answers, with their own history), blindness, and settling disagreements.

Blind means: until the second marker marks a case of their round complete, the first marker's
answers and notes for it are kept from them (`blind_cases`); the app, the reports and the CLI
ask here before showing anything. Every write is one transaction under the audit's lock.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from audit_tui.domain.access import Role
from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.records import OpenAudit
from audit_tui.domain.words import plural
from audit_tui.scoring.moderation import (
    RoundInfo,
)
from audit_tui.store import events, server
from audit_tui.store.models import (
    ModerationCaseRow,
    ModerationFirstMarkRow,
    ModerationRoundRow,
    SecondAnswerHistoryRow,
    SecondAnswerRow,
    SettlementRow,
    table_of,
    utcnow,
)
from audit_tui.store.repository import (
    ANSWER,
    CASE,
    LIVE,
    MEMBER,
    AuditLock,
    Repository,
    Unchanged,
    moment,
)

ROUND = table_of(ModerationRoundRow)
MOD_CASE = table_of(ModerationCaseRow)
SECOND = table_of(SecondAnswerRow)
SECOND_HISTORY = table_of(SecondAnswerHistoryRow)
SETTLEMENT = table_of(SettlementRow)
FIRST_MARK = table_of(ModerationFirstMarkRow)
UNCHANGED = Unchanged.UNCHANGED
NOBODY = "(nobody)"
"""The first marker of a case nobody was allocated and nobody has answered."""


@dataclass(frozen=True)
class Share:
    """How many cases a round takes: a number, or a percentage (rounded up, at least one)."""

    count: int | None = None
    percent: float | None = None

    @classmethod
    def parse(cls, text: str) -> Share:
        raw = text.strip()
        try:
            if raw.endswith("%"):
                percent = float(raw[:-1])
                if not 0 < percent <= 100:
                    raise ValueError
                return cls(percent=percent)
            count = int(raw)
            if count < 1:
                raise ValueError
            return cls(count=count)
        except ValueError:
            raise AuditError.at(
                "sample", f"{raw!r} is not a number of cases (5) or a percentage (10%)"
            ) from None

    def of(self, available: int) -> int:
        if self.count is not None:
            return self.count
        assert self.percent is not None
        return max(1, math.ceil(available * self.percent / 100 - 1e-9)) if available else 0

    def __str__(self) -> str:
        return f"{self.percent:g}%" if self.percent is not None else str(self.count)


@dataclass(frozen=True)
class Marking:
    """The user's second marking of one case: which round, and whether they finished it."""

    moderation_case_id: int
    round: int
    marker: str
    completed: bool


@dataclass(frozen=True)
class Round:
    info: RoundInfo
    case_refs: tuple[str, ...]


# ---- rounds ----------------------------------------------------------------------------------


def start_round(
    repo: Repository,
    audit: OpenAudit,
    marker: str,
    *,
    cases: Sequence[str] | None = None,
    sample: Share | None = None,
    per_auditor: bool = False,
    seed: int | None = None,
) -> Round:
    """A new round: `marker` second-marks `cases` (by reference), or a seeded random `sample`
    of the cases they did not mark first (per first marker with `per_auditor`). The seed is
    recorded (drawn when not given), so the same sample can be drawn again."""
    from audit_tui.domain.cases import canonical_refs
    from audit_tui.store.logins import person

    marker = person(repo.engine, marker, "marker", must_log_in=True)
    cases = canonical_refs(cases) if cases is not None else None
    if (cases is None) == (sample is None):
        raise AuditError.at("moderate", "give the cases (--cases) or a sample size (--sample)")
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("moderate")
        conn = lock.conn
        role = role_in(conn, lock.audit_id, marker)
        if role is Role.VIEWER:
            raise AuditError.at("marker", f"{marker} is a viewer: a second marker must mark")
        rows = conn.execute(
            select(CASE.c.id, CASE.c.case_ref, CASE.c.allocated_to, CASE.c.signed_off_at)
            .where(CASE.c.audit_id == lock.audit_id, LIVE)
            .order_by(CASE.c.position, CASE.c.id)
        ).all()
        first = first_markers(conn, [r.id for r in rows], {r.id: r.allocated_to for r in rows})
        busy = set(
            conn.scalars(
                select(MOD_CASE.c.case_id)
                .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
                .where(
                    ROUND.c.audit_id == lock.audit_id,
                    ROUND.c.marker == marker,
                    MOD_CASE.c.completed_at.is_(None),
                )
            )
        )
        if cases is not None:
            by_ref = {r.case_ref: r for r in rows}
            problems = []
            for ref in dict.fromkeys(cases):
                row = by_ref.get(ref)
                if row is None:
                    problems.append(Problem(f"case {ref}", "not in the audit"))
                elif first[row.id] == marker:
                    problems.append(Problem(f"case {ref}", f"{marker} marked it first"))
                elif row.signed_off_at is not None:
                    problems.append(Problem(f"case {ref}", "signed off: too late to moderate"))
                elif row.id in busy:
                    problems.append(Problem(f"case {ref}", f"{marker} is already marking it"))
            if problems:
                raise AuditError(problems)
            chosen = [by_ref[ref].id for ref in dict.fromkeys(cases)]
            rule = "chosen by hand"
        else:
            assert sample is not None
            seed = secrets.randbelow(10**6) if seed is None else seed
            eligible = [
                r
                for r in rows
                if first[r.id] != marker and r.signed_off_at is None and r.id not in busy
            ]
            chosen = _draw(eligible, first, sample, per_auditor, seed, marker)
            rule = f"sample {sample}{' per auditor' if per_auditor else ''}"
        if not chosen:
            raise AuditError.at("moderate", "no case to moderate")
        now = utcnow()
        round_id, number = open_round(
            lock, repo.user, marker, role, rule, seed if sample is not None else None, now
        )
        conn.execute(
            insert(MOD_CASE),
            [{"round_id": round_id, "case_id": cid, "first_marker": first[cid]} for cid in chosen],
        )
        refs = {r.id: r.case_ref for r in rows}
        seeded = f", seed {seed}" if sample is not None else ""
        events.record_event(
            repo,
            lock,
            "moderate",
            f"round {number}: {plural(len(chosen), 'case')} for {marker} ({rule}{seeded}):"
            f" {', '.join(refs[c] for c in chosen)}",
        )
        lock.keep()
    info = RoundInfo(
        number=number,
        marker=marker,
        rule=rule,
        seed=seed if sample is not None else None,
        created_at=now,
        created_by=repo.user,
        cases=len(chosen),
        completed=0,
    )
    return Round(info=info, case_refs=tuple(refs[c] for c in chosen))


def open_round(
    lock: AuditLock,
    by: str,
    marker: str,
    role: Role | None,
    rule: str,
    seed: int | None,
    now: datetime,
) -> tuple[int, int]:
    """A new round under the lock, numbered after the audit's last: (its id, its number). A
    marker not yet a member joins as an auditor (an open audit has no members to join)."""
    conn = lock.conn
    number = 1 + (
        conn.scalar(select(func.max(ROUND.c.number)).where(ROUND.c.audit_id == lock.audit_id)) or 0
    )
    if role is None and not lock.access.open:
        conn.execute(
            insert(MEMBER).values(
                audit_id=lock.audit_id,
                user_name=marker,
                role=Role.AUDITOR.value,
                added_at=now,
                added_by=by,
            )
        )
    round_id = conn.execute(
        insert(ROUND)
        .values(
            audit_id=lock.audit_id,
            number=number,
            marker=marker,
            rule=rule,
            seed=seed,
            created_at=now,
            created_by=by,
        )
        .returning(ROUND.c.id)
    ).scalar_one()
    return round_id, number


def _draw(
    eligible: Sequence[Any],
    first: Mapping[int, str],
    sample: Share,
    per_auditor: bool,
    seed: int,
    marker: str,
) -> list[int]:
    """The seeded draw: from the eligible cases in sample order (per first marker, by name,
    with `per_auditor`), the same cases on any machine for the same seed."""
    rng = random.Random(seed)
    groups: dict[str, list[Any]] = {}
    for row in eligible:
        groups.setdefault(first[row.id] if per_auditor else "", []).append(row)
    chosen: list[int] = []
    for name in sorted(groups):
        group = groups[name]
        want = sample.of(len(group))
        if want > len(group):
            whose = f" of {name}'s cases" if per_auditor else ""
            raise AuditError.at(
                "sample",
                f"asked for {plural(want, 'case')}{whose} but only {len(group)} can be"
                f" moderated by {marker} (not theirs, not signed off, not already in a round)",
            )
        picked = {row.id for row in rng.sample(group, want)}
        chosen += [row.id for row in group if row.id in picked]
    if not groups:
        raise AuditError.at(
            "sample",
            f"no case can be moderated by {marker} (every case is theirs, signed off"
            " or already in a round)",
        )
    return chosen


def first_markers(
    conn: Connection, case_ids: Sequence[int], allocated: Mapping[int, str | None]
) -> dict[int, str]:
    """Whose marks each case holds: its auditor, else whoever gave most of its answers."""
    found = {cid: who for cid, who in allocated.items() if who}
    rest = [cid for cid in case_ids if cid not in found]
    for start in range(0, len(rest), 900):
        chunk = rest[start : start + 900]
        rows = conn.execute(
            select(ANSWER.c.case_id, ANSWER.c.updated_by, func.count())
            .where(ANSWER.c.case_id.in_(chunk), ANSWER.c.value.is_not(None))
            .group_by(ANSWER.c.case_id, ANSWER.c.updated_by)
        ).all()
        best: dict[int, tuple[int, str]] = {}
        for cid, who, n in rows:
            if who and (cid not in best or (n, who) > best[cid]):
                best[cid] = (n, who)
        found.update({cid: who for cid, (_n, who) in best.items()})
    return {cid: found.get(cid, NOBODY) for cid in case_ids}


def keep_first_marks(conn: Connection, moderation_case_ids: Sequence[int]) -> None:
    """Keep the first marks of these moderated cases as they stand, now that their second
    marking is complete: agreement is counted from them ever after (on PostgreSQL the server
    keeps them itself, in the same statement that completes the marking)."""
    if server.keeps_trail(conn) or not moderation_case_ids:
        return
    for start in range(0, len(moderation_case_ids), 900):
        chunk = list(moderation_case_ids[start : start + 900])
        conn.execute(
            insert(FIRST_MARK).from_select(
                ["moderation_case_id", "item_id", "value", "note"],
                select(MOD_CASE.c.id, ANSWER.c.item_id, ANSWER.c.value, ANSWER.c.note)
                .join(ANSWER, ANSWER.c.case_id == MOD_CASE.c.case_id)
                .where(
                    MOD_CASE.c.id.in_(chunk),
                    (ANSWER.c.value.is_not(None)) | (ANSWER.c.note != ""),
                ),
            )
        )


def rounds(repo: Repository, audit: OpenAudit) -> list[Round]:
    with repo.engine.connect() as conn:
        return rounds_on(conn, audit.info.id)


def rounds_on(conn: Connection, audit_id: int) -> list[Round]:
    rows = conn.execute(
        select(ROUND).where(ROUND.c.audit_id == audit_id).order_by(ROUND.c.number)
    ).all()
    members = conn.execute(
        select(MOD_CASE.c.round_id, CASE.c.case_ref, MOD_CASE.c.completed_at)
        .join(CASE, CASE.c.id == MOD_CASE.c.case_id)
        .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
        .where(ROUND.c.audit_id == audit_id, LIVE)
        .order_by(CASE.c.position, CASE.c.id)
    ).all()
    found = []
    for row in rows:
        mine = [m for m in members if m.round_id == row.id]
        info = RoundInfo(
            number=row.number,
            marker=row.marker,
            rule=row.rule,
            seed=row.seed,
            created_at=moment(conn, row.created_at),
            created_by=row.created_by,
            cases=len(mine),
            completed=sum(1 for m in mine if m.completed_at is not None),
        )
        found.append(Round(info=info, case_refs=tuple(m.case_ref for m in mine)))
    return found


# ---- blindness ---------------------------------------------------------------------------------


def blind_cases(repo: Repository, audit: OpenAudit, user: str | None = None) -> dict[int, str]:
    """The cases (id -> reference) whose first marks `user` (the current user) may not see
    yet: they second-mark them and have not marked them complete."""
    with repo.reading() as conn:
        return _blind(conn, audit.info.id, user or repo.user)


def blind_audits(repo: Repository) -> set[int]:
    """The audits in which the current user second-marks a case blind: no score, rating or count
    of such an audit may be shown to them (the audit list asks, once)."""
    with repo.engine.connect() as conn:
        return set(
            conn.scalars(
                select(ROUND.c.audit_id)
                .join(MOD_CASE, MOD_CASE.c.round_id == ROUND.c.id)
                .where(ROUND.c.marker == repo.user, MOD_CASE.c.completed_at.is_(None))
                .distinct()
            )
        )


def _blind(conn: Connection, audit_id: int, user: str) -> dict[int, str]:
    rows = conn.execute(
        select(CASE.c.id, CASE.c.case_ref)
        .join(MOD_CASE, MOD_CASE.c.case_id == CASE.c.id)
        .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
        .where(
            ROUND.c.audit_id == audit_id,
            ROUND.c.marker == user,
            MOD_CASE.c.completed_at.is_(None),
            LIVE,
        )
        .order_by(CASE.c.position)
    ).all()
    return {cid: ref for cid, ref in rows}


def refuse_if_blind(repo: Repository, audit: OpenAudit, what: str) -> None:
    """Stop `what` (a report, an export) from showing first marks to a second marker who has not
    finished: one line saying which cases to complete first."""
    blind = blind_cases(repo, audit)
    if blind:
        refs = list(blind.values())
        shown = ", ".join(refs[:10]) + (f" and {len(refs) - 10} more" if len(refs) > 10 else "")
        raise AuditError.at(
            what,
            f"{repo.user} is second-marking {plural(len(refs), 'case')} of audit"
            f' "{audit.info.name}" blind ({shown}): the audit\'s answers are hidden from'
            " them until they mark those complete",
        )


def marking(repo: Repository, audit: OpenAudit, case_id: int) -> Marking | None:
    """The user's second marking of a case: the unfinished one if any, else their latest."""
    with repo.engine.connect() as conn:
        row = conn.execute(
            select(MOD_CASE.c.id, ROUND.c.number, ROUND.c.marker, MOD_CASE.c.completed_at)
            .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
            .where(
                ROUND.c.audit_id == audit.info.id,
                ROUND.c.marker == repo.user,
                MOD_CASE.c.case_id == case_id,
            )
            .order_by(MOD_CASE.c.completed_at.is_not(None), ROUND.c.number.desc())
        ).first()
    if row is None:
        return None
    return Marking(row.id, row.number, row.marker, row.completed_at is not None)


def role_in(conn: Connection, audit_id: int, user: str) -> Role | None:
    found = conn.scalar(
        select(MEMBER.c.role).where(MEMBER.c.audit_id == audit_id, MEMBER.c.user_name == user)
    )
    return Role(found) if found else None
