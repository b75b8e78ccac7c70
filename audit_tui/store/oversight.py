"""Management oversight: cases added one at a time as a manager reviews them, each with the
practitioner's (and team's) pseudonymous code, so feedback, actions and summaries can follow the
person whose work it is without ever naming them."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, select, update

from audit_tui.domain.cases import canonical_ref, check_case_ref, check_code, clean_attributes
from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.records import CaseInfo, OpenAudit
from audit_tui.domain.words import plural
from audit_tui.store import cases, events
from audit_tui.store.cases import case_record
from audit_tui.store.repository import CASE, LIVE, Repository


def clean_codes(practitioner: str, team: str) -> dict[str, str | None]:
    """The two codes, canonical like references (`P-017` whether typed `p-017 ` or not; "" →
    None), or one problem line each."""
    codes = {"practitioner": practitioner, "team": team}
    problems = [
        Problem(name, why) for name, code in codes.items() if (why := check_code(code, name))
    ]
    if problems:
        raise AuditError(problems)
    return {name: canonical_ref(code) or None for name, code in codes.items()}


def add_reviewed_case(
    repo: Repository,
    audit: OpenAudit,
    case_ref: str,
    attributes: Mapping[str, str],
    *,
    practitioner: str = "",
    team: str = "",
) -> CaseInfo:
    """Add one case with its codes in one transaction (the lead's), allocated to whoever adds it
    so they can walk it at once: the quick path of an oversight review."""
    problems: list[Problem] = []
    if why := check_case_ref(case_ref):
        problems.append(Problem("case_ref", why))
    case_ref = canonical_ref(case_ref)
    attrs, wrong = clean_attributes(audit.rubric, attributes)
    problems += [Problem(name, message) for name, message in wrong]
    try:
        codes = clean_codes(practitioner, team)
    except AuditError as exc:
        problems += exc.problems
    if problems:
        raise AuditError(problems)
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("cases")
        cases.add_cases_in(repo, lock, audit, [(case_ref, attrs)], {case_ref: codes})
        lock.conn.execute(
            update(CASE)
            .where(CASE.c.audit_id == audit.info.id, CASE.c.case_ref == case_ref)
            .values(allocated_to=repo.user)
        )
        lock.keep()
        found = case_record(lock.conn, audit, _case_id(lock.conn, audit, case_ref))
    assert found is not None  # added in this transaction
    return found


def set_codes(
    repo: Repository, audit: OpenAudit, codes_by_ref: Mapping[str, tuple[str, str]]
) -> int:
    """Give cases their practitioner and team codes (the lead's), all or nothing; returns how many
    changed. A reference not in the audit is a problem named with it."""
    clean = {canonical_ref(ref): clean_codes(p, t) for ref, (p, t) in codes_by_ref.items()}
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("cases")
        known = set(
            lock.conn.scalars(select(CASE.c.case_ref).where(CASE.c.audit_id == audit.info.id, LIVE))
        )
        missing = sorted(ref for ref in clean if ref not in known)
        if missing:
            raise AuditError.at("cases", f"not in the audit: {', '.join(missing)}")
        changed = 0
        for ref, codes in clean.items():
            result = lock.conn.execute(
                update(CASE)
                .where(
                    CASE.c.audit_id == audit.info.id,
                    CASE.c.case_ref == ref,
                    (CASE.c.practitioner.is_distinct_from(codes["practitioner"]))
                    | (CASE.c.team.is_distinct_from(codes["team"])),
                )
                .values(**codes)
            )
            changed += result.rowcount
        if changed:
            events.record_event(
                repo, lock, "codes", f"practitioner and team codes of {plural(changed, 'case')}"
            )
            lock.keep()
    return changed


def find_case(repo: Repository, audit: OpenAudit, case_ref: str) -> CaseInfo:
    """One live case by reference, without listing the audit's (an audit may hold 10,000), or
    one line naming a few that are there."""
    case_ref = canonical_ref(case_ref)
    with repo.reading() as conn:
        found = conn.scalar(
            select(CASE.c.id).where(
                CASE.c.audit_id == audit.info.id, CASE.c.case_ref == case_ref, LIVE
            )
        )
        case = case_record(conn, audit, found) if found is not None else None
        if case is None:
            some = conn.scalars(
                select(CASE.c.case_ref)
                .where(CASE.c.audit_id == audit.info.id, LIVE)
                .order_by(CASE.c.position)
                .limit(10)
            ).all()
            raise AuditError.at(
                "case",
                f'no case {case_ref!r} in audit "{audit.info.name}" (cases: {", ".join(some) or "none"}'
                + (", …)" if len(some) == 10 else ")"),
            )
    return case


def _case_id(conn: Connection, audit: OpenAudit, case_ref: str) -> int:
    return int(
        conn.execute(
            select(CASE.c.id).where(CASE.c.audit_id == audit.info.id, CASE.c.case_ref == case_ref)
        ).scalar_one()
    )
