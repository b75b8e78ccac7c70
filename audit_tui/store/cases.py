"""An audit's cases: add, remove, update their attributes, list them."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from audit_tui.domain.access import CaseGate
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import AuditError, Problem, printable
from audit_tui.domain.records import CaseChange, CaseInfo, OpenAudit, UpdateSummary
from audit_tui.domain.rubric import Rubric
from audit_tui.domain.words import plural
from audit_tui.store import counts, events, server
from audit_tui.store.answers import UPDATE_ANSWER, write_answers
from audit_tui.store.bulk import driver_rows
from audit_tui.store.models import utcnow
from audit_tui.store.repository import (
    ANSWER,
    ANSWER_HISTORY,
    CASE,
    LIVE,
    AuditLock,
    Repository,
    StrandedAnswers,
    listed,
    moves,
    updated,
)

REASON_LENGTH = 500


def add_cases(
    repo: Repository,
    audit: OpenAudit,
    cases: Iterable[tuple[str, Mapping[str, str]]],
    codes: Mapping[str, Mapping[str, str | None]] | None = None,
) -> int:
    """Add cases, all or nothing. Attributes and codes must already be clean (domain.cases)."""
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("cases")
        added = add_cases_in(repo, lock, audit, list(cases), codes)
        if added:
            lock.keep()
    return added


def add_cases_in(
    repo: Repository,
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
        raise AuditError.at("cases", f"named more than once: {listed(twice)}")
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
        problems.append(Problem("cases", f"already in the audit: {listed(sorted(live))}"))
    if removed:
        named = [f"{ref} (on {_day(at)}: {why})" for ref, (at, why) in sorted(removed.items())]
        problems.append(
            Problem(
                "cases",
                "removed from the audit earlier, and a removed case's reference cannot be"
                f" used again: {listed(named, sep='; ')}; restore-case brings a removed case"
                " back, with its answers",
            )
        )
    if problems:
        raise AuditError(problems)
    if not cases:
        return 0
    start = conn.execute(
        select(func.coalesce(func.max(CASE.c.position), 0)).where(CASE.c.audit_id == audit.info.id)
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
    events.record_event(
        repo, lock, "add-cases", f"{plural(len(refs), 'case')} added: {listed(refs)}"
    )
    return len(cases)


def remove_case(repo: Repository, audit: OpenAudit, case_ref: str, reason: str) -> CaseInfo:
    """Withdraw a case from the audit's sample, saying why (recorded with who and when).

    Not a delete: the case's row, answers and answer history stay as the audit trail, but
    the case leaves every list, count, tally, report and export, and its answers can no
    longer be changed. Returns the case as removed. A case already removed is an error
    saying when, by whom and why."""
    reason = clean_reason(reason)
    with repo.locked(audit.info.id) as lock:
        case = remove_case_in(repo, lock, audit, case_ref, reason)
        lock.keep()
    return case


def remove_case_in(
    repo: Repository, lock: AuditLock, audit: OpenAudit, case_ref: str, reason: str
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
        .values(removed_at=utcnow(), removed_by=repo.user, removed_reason=reason),
        "case",
    )
    leaving = _answered(conn, [found.id]).get(found.id, {})
    counts.moved(
        conn,
        audit.info.id,
        [(found.id, item, value, None) for item, (value, _tag) in leaving.items()],
        cases=False,  # its own count stays: the case's record is the trail
    )
    events.record_event(repo, lock, "remove-case", f"{case_ref}: {reason}")
    case = case_record(conn, audit, found.id)
    assert case is not None
    return case


def removed_cases(repo: Repository, audit: OpenAudit) -> list[CaseInfo]:
    """The cases withdrawn from the audit, in the order they were removed, with when, by whom
    and why: imports name them, and an app may list them."""
    with repo.reading() as conn:
        return _case_infos(conn, audit, CASE.c.removed_at.is_not(None), removed_order=True)


def stranded_answers(
    repo: Repository, audit: OpenAudit, case_id: int, attributes: Mapping[str, str]
) -> list[str]:
    """The item ids (a key question, then its prompts) whose answers would stop applying if
    the case had these attributes: what to ask about before `update_case(...,
    clear_stranded=True)`."""
    with repo.reading() as conn:
        answered = _answered(conn, [case_id]).get(case_id, {})
    return _stranded(audit.rubric, answered, attributes)


def update_case(
    repo: Repository,
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
    with repo.locked(audit.info.id) as lock:
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
            _update_attributes(
                repo,
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
    repo: Repository,
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
    with repo.locked(audit.info.id) as lock:
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
            problems.append(Problem("cases", f"not in the audit: {listed(missing)}"))
        gone = [
            f"{ref} (on {_day(stored[ref][2])}: {stored[ref][3]})"
            for ref in refs
            if ref in stored and stored[ref][2] is not None
        ]
        if gone:
            problems.append(Problem("cases", f"removed from the audit: {listed(gone, sep='; ')}"))
        if problems:
            raise AuditError(problems)
        targets = []
        for ref, attrs in changes.items():
            cid, before, _, _ = stored[ref]
            if before != dict(attrs):
                targets.append((cid, ref, before, dict(attrs)))
        done = _update_attributes(repo, lock, audit, targets, clear_stranded)
        added = add_cases_in(repo, lock, audit, add) if add else 0
        if done or added:
            lock.keep()
    return UpdateSummary(
        updated=len(done), added=added, unchanged=len(refs) - len(done), changes=tuple(done)
    )


def _update_attributes(
    repo: Repository,
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
            write_answers(
                conn,
                audit.info.id,
                [],
                [{"case_id": cid, "item_id": item, "value": None} for cid, item in cells],
                now,
                repo.user,
            )
        else:
            conn.execute(
                UPDATE_ANSWER.values(value=None, updated_at=now, updated_by=repo.user),
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
                        "changed_by": repo.user,
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
    events.record_event(
        repo,
        lock,
        "update-cases",
        f"{plural(len(changes), 'case')} updated: {listed(described, sep='; ')}",
    )
    if stranded:
        total = sum(len(c.cleared) for c in stranded)
        cleared = [f"{c.case_ref} {', '.join(c.cleared)} ({moves(c)})" for c in stranded]
        events.record_event(
            repo,
            lock,
            "clear-answers",
            f"{plural(total, 'answer')} cleared, their items no longer applying:"
            f" {listed(cleared, sep='; ')}",
        )
    return changes


def case_index(repo: Repository, audit: OpenAudit) -> dict[str, tuple[int, dict[str, str]]]:
    """case_ref -> (id, attributes) of the cases in the audit (removed ones left out): what
    an import needs, without progress counts."""
    query = select(CASE.c.case_ref, CASE.c.id, CASE.c.attributes).where(
        CASE.c.audit_id == audit.info.id, LIVE
    )
    with repo.reading() as conn:
        return {ref: (cid, attrs) for ref, cid, attrs in conn.execute(query)}


def list_cases(repo: Repository, audit: OpenAudit, *, progress: bool = True) -> list[CaseInfo]:
    """Cases in sample order (removed ones left out); with `progress`, how many applicable
    items each has answered (exports that do not show progress skip that count)."""
    with repo.reading() as conn:
        return _case_infos(conn, audit, LIVE, progress=progress)


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


def _day(when: datetime | str | None) -> str:
    """The date a case was removed, as written in errors (YYYY-MM-DD, UTC)."""
    if isinstance(when, datetime):
        return when.strftime("%Y-%m-%d")
    return str(when or "")[:10]


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
