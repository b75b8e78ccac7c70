"""Sampling in the store: the caseload extract kept as the audit's population, the seeded draw
that makes its cases (recorded so it can be drawn again), and replacements that walk each
stratum's recorded random order. Each is one transaction under the audit's lock, the lead's,
and everything that decides what it writes (the caseload, the draw record, the replacements so
far) is read in that transaction: a racing import or replacement is either wholly before it or
waits for it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, delete, func, insert, select

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
from audit_tui.store import cases as case_ops
from audit_tui.store import events, server
from audit_tui.store.bulk import driver_rows
from audit_tui.store.cases import clean_reason
from audit_tui.store.models import (
    CaseloadCaseRow,
    SampleDrawRow,
    SampleReplacementRow,
    table_of,
    utcnow,
)
from audit_tui.store.repository import CASE, LIVE, REFUSED, Repository, deleted, moment

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
    caseload_sha256: str | None = None
    """The caseload extract the sample was drawn from, as `caseload_digest` names it (None: drawn
    before draws recorded it)."""

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
        if server.keeps_trail(conn):  # none there yet is no refusal: 0 rows is right
            deleted(conn, "clear_caseload", "caseload", audit.info.id, at_least=0)
            left = select(func.count()).where(CASELOAD.c.audit_id == audit.info.id)
            if conn.scalar(left):  # never two extracts merged into one population
                raise AuditError.at("caseload", REFUSED)
        else:
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
        events.record_event(
            repo, lock, "caseload", f"{plural(len(cases), 'eligible case')} imported"
        )
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


def caseload_digest(cases: Sequence[CaseloadCase]) -> str:
    """The SHA-256 (hex) that names a caseload extract, recorded with a draw so anyone can check
    a sample against the extract it was drawn from: of the UTF-8 text with one line per case in
    the extract's order, `case_ref`, tab, `start_date` (ISO), tab, its attributes as compact JSON
    with keys sorted (`json.dumps(…, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`), newline."""
    return _digest(
        f"{c.case_ref}\t{c.start_date.isoformat()}\t{_canonical(c.attributes)}\n" for c in cases
    )


def _canonical(attributes: dict[str, str]) -> str:
    return json.dumps(attributes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(lines: Iterable[str]) -> str:
    return hashlib.sha256("".join(lines).encode()).hexdigest()


@dataclass(frozen=True)
class _Extract:
    """The caseload as the draw's transaction read it."""

    total: int
    digest: str
    eligible: list[PopulationCase]
    """The cases in the window, as the draw sees them."""
    attributes: dict[str, dict[str, str]]
    """The attributes of the cases in the window, by reference."""


def _read_extract(
    conn: Connection,
    audit_id: int,
    strata: Sequence[str],
    window: tuple[date | None, date | None],
) -> _Extract:
    """The whole extract in one read under the lock (its digest needs every case), the window
    and strata applied to what was read. The lock is held meanwhile, so this is kept lean: the
    driver's rows, and each distinct attributes text (a few hundred in a caseload) decoded,
    made canonical and put in its stratum once, not once per case."""
    rows = driver_rows(
        conn,
        select(CASELOAD.c.case_ref, CASELOAD.c.start_date, cast(CASELOAD.c.attributes, Text))
        .where(CASELOAD.c.audit_id == audit_id)
        .order_by(CASELOAD.c.position),
    )
    start, end = (None if d is None else d.isoformat() for d in window)
    seen: dict[str, tuple[dict[str, str], str, Stratum]] = {}
    lines: list[str] = []
    eligible: list[PopulationCase] = []
    attributes: dict[str, dict[str, str]] = {}
    for ref, when, text in rows:
        known = seen.get(text)
        if known is None:
            decoded = json.loads(text) or {}
            known = seen[text] = (decoded, _canonical(decoded), stratum_of(decoded, strata))
        day = when if isinstance(when, str) else when.isoformat()
        lines.append(f"{ref}\t{day}\t{known[1]}\n")
        if (start is None or day >= start) and (end is None or day <= end):  # ISO dates
            eligible.append(PopulationCase(ref, known[2], date.fromisoformat(day)))
            attributes[ref] = known[0]
    return _Extract(len(rows), _digest(lines), eligible, attributes)


def _codes(
    conn: Connection, audit_id: int, refs: Sequence[str]
) -> dict[str, dict[str, str | None]]:
    """The practitioner and team codes the extract gave the cases, carried into the audit."""
    found: dict[str, dict[str, str | None]] = {}
    for at in range(0, len(refs), 900):  # within SQLite's limit on bound values
        for ref, practitioner, team in conn.execute(
            select(CASELOAD.c.case_ref, CASELOAD.c.practitioner, CASELOAD.c.team).where(
                CASELOAD.c.audit_id == audit_id, CASELOAD.c.case_ref.in_(refs[at : at + 900])
            )
        ):
            found[ref] = {"practitioner": practitioner, "team": team}
    return found


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
    how (seed, window, strata, the rule, each stratum's count and random order) and which
    extract (its digest): the extract is read under the lock, so it is the one now stored."""
    known = {a.id for a in audit.rubric.attributes}
    unknown = [s for s in strata if s not in known]
    if unknown:
        raise AuditError.at(
            "strata", f"not case attributes: {', '.join(unknown)} (use: {', '.join(sorted(known))})"
        )
    rule = (
        "proportional allocation by largest remainder"
        + (f" across {', '.join(strata)}" if strata else " (one stratum: simple random)")
        + (f", at least {min_per_stratum} per stratum" if min_per_stratum else "")
        + "; random selection within each stratum from the seed"
    )
    with repo.locked(audit.info.id) as lock:
        now = utcnow()  # under the lock: the log in the order it was written
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
        extract = _read_extract(conn, audit.info.id, strata, window)
        if not extract.total:
            raise AuditError.at(
                "sample",
                f'audit "{audit.info.name}" has no caseload: import one first'
                f" (audit-tui import-caseload {audit.info.name} FILE.csv)",
            )
        if not extract.eligible:
            raise AuditError.at("window", f"no case of the caseload started in {_window(window)}")
        try:
            drawn = draw(extract.eligible, size, seed, min_per_stratum)
        except SamplingError as exc:
            raise AuditError.at("sample", str(exc)) from None
        plan = [
            {
                "stratum": list(stratum),
                "caseload": drawn.population[stratum],
                "sample": drawn.allocation[stratum],
                "order": drawn.order[stratum],
            }
            for stratum in sorted(drawn.population)
        ]
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
                plan={
                    "population": extract.total,
                    "caseload": {"sha256": extract.digest, "cases": extract.total},
                    "strata": plan,
                },
                drawn_at=now,
                drawn_by=repo.user,
            )
        )
        case_ops.add_cases_in(
            repo,
            lock,
            audit,
            [(ref, extract.attributes[ref]) for ref in drawn.chosen],
            _codes(conn, audit.info.id, drawn.chosen),
        )
        events.record_event(
            repo,
            lock,
            "sample",
            f"{plural(size, 'case')} drawn from {len(extract.eligible)} in {_window(window)}"
            f" (seed {seed}; {rule}); caseload of {plural(extract.total, 'case')},"
            f" sha256 {extract.digest}",
        )
        lock.keep()
    found = sample(repo, audit)
    assert found is not None
    return found


def sample(repo: Repository, audit: OpenAudit) -> Sample | None:
    """How the audit's sample was drawn (None when it was not drawn here)."""
    with repo.reading() as conn:
        return _sample_in(conn, audit.info.id)


def _sample_in(conn: Connection, audit_id: int) -> Sample | None:
    """`sample` on `conn`: under the lock, what a replacement decides from."""
    row = conn.execute(select(DRAW).where(DRAW.c.audit_id == audit_id)).first()
    if row is None:
        return None
    swaps = conn.execute(
        select(REPLACEMENT).where(REPLACEMENT.c.audit_id == audit_id).order_by(REPLACEMENT.c.id)
    ).all()
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
        drawn_at=moment(conn, row.drawn_at),
        drawn_by=row.drawn_by,
        replacements=[
            Replacement(
                replaced=r.replaced,
                replacement=r.replacement,
                reason=r.reason,
                at=moment(conn, r.at),
                by=r.by,
            )
            for r in swaps
        ],
        caseload_sha256=(plan.get("caseload") or {}).get("sha256"),
    )


def replace_case(repo: Repository, audit: OpenAudit, case_ref: str, reason: str) -> Replacement:
    """Take a drawn case that cannot be audited out of the sample (removed, with the reason) and
    put in the next case of its stratum in the recorded random order. The record, the
    replacements so far and the incoming case are read under the lock: replacements racing on
    one stratum take its next cases in turn."""
    case_ref = canonical_ref(case_ref)
    reason = clean_reason(reason, f"case {case_ref} is replaced")
    with repo.locked(audit.info.id) as lock:  # out and in together, or neither
        now = utcnow()  # under the lock: the log in the order it was written
        lock.access.lead("replace")
        conn = lock.conn
        found = _sample_in(conn, audit.info.id)
        if found is None:
            raise AuditError.at(
                "replace",
                f'audit "{audit.info.name}" was not sampled here: remove the case instead',
            )
        plan = next((p for p in found.plan if case_ref in p.order), None)
        if plan is None:
            raise AuditError.at("replace", f"case {case_ref} was not drawn from the caseload")
        replaced = {r.replaced for r in found.replacements}
        used = replaced | {r.replacement for r in found.replacements if r.replacement}
        drawn = set(plan.order[: plan.sample])
        if case_ref in replaced:
            raise AuditError.at("replace", f"case {case_ref} was replaced already")
        if case_ref not in drawn and case_ref not in used:
            raise AuditError.at("replace", f"case {case_ref} is not in the sample")
        stratum = tuple(plan.values[s] for s in found.strata)
        incoming = replacement({stratum: plan.order}, stratum, drawn | used)
        arriving = None if incoming is None else _caseload_case(conn, audit, incoming)
        case_ops.remove_case_in(repo, lock, audit, case_ref, f"replaced: {reason}")
        if incoming is not None and arriving is not None:
            attributes, codes = arriving
            case_ops.add_cases_in(repo, lock, audit, [(incoming, attributes)], {incoming: codes})
        conn.execute(
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
        events.record_event(repo, lock, "replace-case", f"{case_ref} replaced {said}: {reason}")
        lock.keep()
    return Replacement(replaced=case_ref, replacement=incoming, reason=reason, at=now, by=repo.user)


def _caseload_case(
    conn: Connection, audit: OpenAudit, case_ref: str
) -> tuple[dict[str, str], dict[str, str | None]]:
    """A case's attributes and codes as the extract gives them; one line when the extract no
    longer holds it (a sample drawn from an extract since replaced, before draws were locked)."""
    row = conn.execute(
        select(CASELOAD.c.attributes, CASELOAD.c.practitioner, CASELOAD.c.team).where(
            CASELOAD.c.audit_id == audit.info.id, CASELOAD.c.case_ref == case_ref
        )
    ).first()
    if row is None:
        raise AuditError.at(
            "replace",
            f"case {case_ref}, next in its stratum's recorded order, is not in the caseload of"
            f' audit "{audit.info.name}": the sample was drawn from another extract than the one'
            " stored, so it cannot be replaced from it; nothing was changed",
        )
    return dict(row.attributes), {"practitioner": row.practitioner, "team": row.team}


def _window(window: tuple[date | None, date | None]) -> str:
    start, end = window
    if start is None and end is None:
        return "the whole caseload"
    return f"{start.isoformat() if start else '…'} to {end.isoformat() if end else '…'}"
