"""Sampling in the store: the caseload extract kept as the audit's population, the seeded draw
that makes its cases (recorded so it can be drawn again), and replacements that walk each
stratum's recorded random order. Each is one transaction under the audit's lock, the lead's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select

from audit_tui.domain.cases import NOT_RECORDED, canonical_ref
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.domain.words import plural
from audit_tui.scoring.sampling import (
    PopulationCase,
    SamplingError,
    Stratum,
    draw,
    replacement,
)
from audit_tui.store.models import (
    CaseloadCaseRow,
    SampleDrawRow,
    SampleReplacementRow,
    table_of,
    utcnow,
)
from audit_tui.store.repository import CASE, LIVE, Repository, clean_reason, moment

CASELOAD = table_of(CaseloadCaseRow)
DRAW = table_of(SampleDrawRow)
REPLACEMENT = table_of(SampleReplacementRow)
KEY = " · "
"""Joins a stratum's values into one key where JSON needs a string."""


@dataclass(frozen=True)
class CaseloadCase:
    case_ref: str
    attributes: dict[str, str]
    start_date: date
    team: str | None = None
    practitioner: str | None = None


@dataclass(frozen=True)
class Replacement:
    replaced: str
    replacement: str | None
    reason: str
    at: datetime | None
    by: str


@dataclass(frozen=True)
class StratumPlan:
    values: dict[str, str]
    caseload: int
    """Cases of the stratum in the window."""
    sample: int
    order: list[str]


@dataclass(frozen=True)
class Sample:
    """How the audit's sample was drawn, and what has happened to it since."""

    seed: int
    size: int
    strata: list[str]
    window: tuple[date | None, date | None]
    min_per_stratum: int
    rule: str
    population_total: int
    """Cases of the whole caseload extract (before the window)."""
    plan: list[StratumPlan]
    drawn_at: datetime | None
    drawn_by: str
    replacements: list[Replacement] = field(default_factory=list)

    @property
    def in_window(self) -> int:
        return sum(p.caseload for p in self.plan)


def stratum_of(attributes: dict[str, str], strata: Sequence[str]) -> Stratum:
    return tuple(attributes.get(name) or NOT_RECORDED for name in strata)


def set_caseload(repo: Repository, audit: OpenAudit, cases: Sequence[CaseloadCase]) -> int:
    """Keep the extract as the audit's population, replacing any earlier one (all or nothing);
    refused once a sample has been drawn from it."""
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("caseload")
        conn = lock.conn
        if conn.scalar(select(DRAW.c.id).where(DRAW.c.audit_id == audit.info.id)) is not None:
            raise AuditError.at(
                "caseload",
                f'audit "{audit.info.name}" was sampled from its caseload already: the'
                " population it was drawn from stays as it was (sample a new audit)",
            )
        conn.execute(delete(CASELOAD).where(CASELOAD.c.audit_id == audit.info.id))
        if cases:
            conn.execute(
                insert(CASELOAD),
                [
                    {
                        "audit_id": audit.info.id,
                        "case_ref": canonical_ref(c.case_ref),
                        "position": i,
                        "attributes": c.attributes,
                        "start_date": c.start_date,
                        "team": c.team,
                        "practitioner": c.practitioner,
                    }
                    for i, c in enumerate(cases, start=1)
                ],
            )
        repo.record_event(lock, "caseload", f"{plural(len(cases), 'eligible case')} imported")
        lock.keep()
    return len(cases)


def caseload(repo: Repository, audit: OpenAudit) -> list[CaseloadCase]:
    with repo.engine.connect() as conn:
        rows = conn.execute(
            select(CASELOAD)
            .where(CASELOAD.c.audit_id == audit.info.id)
            .order_by(CASELOAD.c.position)
        ).all()
    return [
        CaseloadCase(
            case_ref=r.case_ref,
            attributes=dict(r.attributes),
            start_date=r.start_date,
            team=r.team,
            practitioner=r.practitioner,
        )
        for r in rows
    ]


def population(cases: Sequence[CaseloadCase], strata: Sequence[str]) -> list[PopulationCase]:
    return [
        PopulationCase(
            case_ref=c.case_ref, stratum=stratum_of(c.attributes, strata), start_date=c.start_date
        )
        for c in cases
    ]


def _eligible(
    repo: Repository,
    audit: OpenAudit,
    strata: Sequence[str],
    window: tuple[date | None, date | None],
) -> tuple[int, list[PopulationCase]]:
    """(cases in the extract, those in the window as the draw sees them): the window and each
    stratum's values are read by the database, so no case's attributes are decoded here."""
    where = [CASELOAD.c.audit_id == audit.info.id]
    if window[0] is not None:
        where.append(CASELOAD.c.start_date >= window[0])
    if window[1] is not None:
        where.append(CASELOAD.c.start_date <= window[1])
    values = [CASELOAD.c.attributes[name].as_string() for name in strata]
    with repo.engine.connect() as conn:
        total = conn.scalar(select(func.count()).where(CASELOAD.c.audit_id == audit.info.id)) or 0
        rows = conn.execute(  # (JSON paths need SQLAlchemy's binding: not the driver's rows)
            select(CASELOAD.c.case_ref, CASELOAD.c.start_date, *values)
            .where(*where)
            .order_by(CASELOAD.c.position)
        ).all()
    return total, [
        PopulationCase(
            case_ref=ref,
            stratum=tuple(v or NOT_RECORDED for v in found),
            start_date=when if isinstance(when, date) else date.fromisoformat(when),
        )
        for ref, when, *found in rows
    ]


def _codes(
    repo: Repository, audit: OpenAudit, refs: Sequence[str]
) -> dict[str, dict[str, str | None]]:
    """The practitioner and team codes the extract gave the cases, carried into the audit."""
    with repo.engine.connect() as conn:
        return {
            ref: {"practitioner": practitioner, "team": team}
            for ref, practitioner, team in conn.execute(
                select(CASELOAD.c.case_ref, CASELOAD.c.practitioner, CASELOAD.c.team).where(
                    CASELOAD.c.audit_id == audit.info.id, CASELOAD.c.case_ref.in_(refs)
                )
            )
        }


def _attributes(
    repo: Repository, audit: OpenAudit, refs: Sequence[str]
) -> dict[str, dict[str, str]]:
    with repo.engine.connect() as conn:
        return {
            ref: dict(attributes)
            for ref, attributes in conn.execute(
                select(CASELOAD.c.case_ref, CASELOAD.c.attributes).where(
                    CASELOAD.c.audit_id == audit.info.id, CASELOAD.c.case_ref.in_(refs)
                )
            )
        }


def draw_sample(
    repo: Repository,
    audit: OpenAudit,
    size: int,
    *,
    strata: Sequence[str] = (),
    window: tuple[date | None, date | None] = (None, None),
    seed: int,
    min_per_stratum: int = 0,
) -> Sample:
    """Draw the sample from the caseload and make the drawn cases the audit's cases, recording
    how (seed, window, strata, the rule, each stratum's count and random order)."""
    known = {a.id for a in audit.rubric.attributes}
    unknown = [s for s in strata if s not in known]
    if unknown:
        raise AuditError.at(
            "strata", f"not case attributes: {', '.join(unknown)} (use: {', '.join(sorted(known))})"
        )
    total, eligible = _eligible(repo, audit, strata, window)
    if not total:
        raise AuditError.at(
            "sample",
            f'audit "{audit.info.name}" has no caseload: import one first'
            f" (audit-tui import-caseload {audit.info.name} FILE.csv)",
        )
    if not eligible:
        raise AuditError.at("window", f"no case of the caseload started in {_window(window)}")
    try:
        drawn = draw(eligible, size, seed, min_per_stratum)
    except SamplingError as exc:
        raise AuditError.at("sample", str(exc)) from None
    by_ref, codes = _attributes(repo, audit, drawn.chosen), _codes(repo, audit, drawn.chosen)
    rule = (
        "proportional allocation by largest remainder"
        + (f" across {', '.join(strata)}" if strata else " (one stratum: simple random)")
        + (f", at least {min_per_stratum} per stratum" if min_per_stratum else "")
        + "; random selection within each stratum from the seed"
    )
    plan = [
        {
            "stratum": list(stratum),
            "caseload": drawn.population[stratum],
            "sample": drawn.allocation[stratum],
            "order": drawn.order[stratum],
        }
        for stratum in sorted(drawn.population)
    ]
    now = utcnow()
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("sample")
        conn = lock.conn
        if conn.scalar(select(DRAW.c.id).where(DRAW.c.audit_id == audit.info.id)) is not None:
            raise AuditError.at("sample", f'audit "{audit.info.name}" was sampled already')
        has = conn.scalar(select(func.count()).where(CASE.c.audit_id == audit.info.id, LIVE))
        if has:
            raise AuditError.at(
                "sample",
                f'audit "{audit.info.name}" has {plural(has, "case")} already: a sample is'
                " drawn into an audit with none",
            )
        conn.execute(
            insert(DRAW).values(
                audit_id=audit.info.id,
                seed=seed,
                size=size,
                strata=list(strata),
                window_from=window[0],
                window_to=window[1],
                min_per_stratum=min_per_stratum,
                rule=rule,
                plan={"population": total, "strata": plan},
                drawn_at=now,
                drawn_by=repo.user,
            )
        )
        repo.add_cases_in(
            lock,
            audit,
            [(ref, by_ref[ref]) for ref in drawn.chosen],
            codes,
        )
        repo.record_event(
            lock,
            "sample",
            f"{plural(size, 'case')} drawn from {len(eligible)} in {_window(window)}"
            f" (seed {seed}; {rule})",
        )
        lock.keep()
    found = sample(repo, audit)
    assert found is not None
    return found


def sample(repo: Repository, audit: OpenAudit) -> Sample | None:
    """How the audit's sample was drawn (None when it was not drawn here)."""
    with repo.engine.connect() as conn:
        row = conn.execute(select(DRAW).where(DRAW.c.audit_id == audit.info.id)).first()
        if row is None:
            return None
        swaps = conn.execute(
            select(REPLACEMENT)
            .where(REPLACEMENT.c.audit_id == audit.info.id)
            .order_by(REPLACEMENT.c.id)
        ).all()
        drawn_at = moment(conn, row.drawn_at)
        replacements = [
            Replacement(
                replaced=r.replaced,
                replacement=r.replacement,
                reason=r.reason,
                at=moment(conn, r.at),
                by=r.by,
            )
            for r in swaps
        ]
    plan: dict[str, Any] = row.plan
    return Sample(
        seed=row.seed,
        size=row.size,
        strata=list(row.strata),
        window=(row.window_from, row.window_to),
        min_per_stratum=row.min_per_stratum,
        rule=row.rule,
        population_total=plan["population"],
        plan=[
            StratumPlan(
                values=dict(zip(row.strata, p["stratum"], strict=True)),
                caseload=p["caseload"],
                sample=p["sample"],
                order=list(p["order"]),
            )
            for p in plan["strata"]
        ],
        drawn_at=drawn_at,
        drawn_by=row.drawn_by,
        replacements=replacements,
    )


def replace_case(repo: Repository, audit: OpenAudit, case_ref: str, reason: str) -> Replacement:
    """Take a drawn case that cannot be audited out of the sample (removed, with the reason) and
    put in the next case of its stratum in the recorded random order."""
    case_ref = canonical_ref(case_ref)
    reason = clean_reason(reason, f"case {case_ref} is replaced")
    found = sample(repo, audit)
    if found is None:
        raise AuditError.at(
            "replace", f'audit "{audit.info.name}" was not sampled here: remove the case instead'
        )
    plan = next((p for p in found.plan if case_ref in p.order), None)
    if plan is None:
        raise AuditError.at("replace", f"case {case_ref} was not drawn from the caseload")
    used = {r.replaced for r in found.replacements} | {
        r.replacement for r in found.replacements if r.replacement
    }
    drawn = set(plan.order[: plan.sample])
    if case_ref in {r.replaced for r in found.replacements}:
        raise AuditError.at("replace", f"case {case_ref} was replaced already")
    if case_ref not in drawn and case_ref not in used:
        raise AuditError.at("replace", f"case {case_ref} is not in the sample")
    stratum = tuple(plan.values[s] for s in found.strata)
    incoming = replacement({stratum: plan.order}, stratum, drawn | used)
    attributes = _attributes(repo, audit, [incoming] if incoming else [])
    now = utcnow()
    with repo.locked(audit.info.id) as lock:  # out and in together, or neither
        lock.access.lead("replace")
        repo.remove_case_in(lock, audit, case_ref, f"replaced: {reason}")
        if incoming is not None:
            repo.add_cases_in(
                lock, audit, [(incoming, attributes[incoming])], _codes(repo, audit, [incoming])
            )
        lock.conn.execute(
            insert(REPLACEMENT).values(
                audit_id=audit.info.id,
                replaced=case_ref,
                replacement=incoming,
                reason=reason,
                at=now,
                by=repo.user,
            )
        )
        said = f"by {incoming}" if incoming else "by none (its stratum has no case left)"
        repo.record_event(lock, "replace-case", f"{case_ref} replaced {said}: {reason}")
        lock.keep()
    return Replacement(replaced=case_ref, replacement=incoming, reason=reason, at=now, by=repo.user)


def _window(window: tuple[date | None, date | None]) -> str:
    start, end = window
    if start is None and end is None:
        return "the whole caseload"
    return f"{start.isoformat() if start else '…'} to {end.isoformat() if end else '…'}"
