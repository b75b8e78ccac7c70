"""The dashboard's case table and status line, worked out without drawing: its columns, each
case's cells (made only as a row is drawn: ten thousand cases), the widths known without making
every row, the order (the user's own work first) and the words for standing and team progress."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from textual.message import Message

from audit_tui.domain.safe_text import one_line
from audit_tui.domain.words import value_label
from audit_tui.tui.widgets.virtual_table import Column

if TYPE_CHECKING:
    from collections.abc import Container

    from audit_tui.domain.access import Access
    from audit_tui.domain.records import CaseInfo
    from audit_tui.domain.rubric import Attribute, Rubric
    from audit_tui.tui.live import LiveAudit


def case_columns(rubric: Rubric, team: bool = False, codes: bool = False) -> list[Column]:
    """The case, the attributes the rubric shows in the list, then progress; with `team` (some
    case is allocated), whose case it is; with `codes`, the practitioner's and team's codes."""
    return [
        Column("ref", "Case"),
        *([Column("practitioner", "Practitioner"), Column("team", "Team")] if codes else []),
        *(Column(a.id, a.column_label) for a in rubric.attributes_shown_in("case_list")),
        *([Column("auditor", "Auditor")] if team else []),
        Column("answered", "Answered"),
        Column("status", "Status"),
    ]


def case_row(
    case: CaseInfo,
    attributes: tuple[Attribute, ...],
    team: bool = False,
    blind: Container[int] = (),
    codes: bool = False,
) -> tuple[str, ...]:
    """A case's cells; one the user second-marks blind says so in place of its progress."""
    a = case.attributes
    hidden = case.id in blind
    return (
        case.case_ref,
        *((case.practitioner or "–", case.team or "–") if codes else ()),
        *(_label(a[attr.id]) if attr.id in a else "–" for attr in attributes),
        *((case.allocated_to or "–",) if team else ()),
        "–" if hidden else f"{case.answered}/{case.applicable}",
        SECOND_MARK if hidden else case_status(case),
    )


@cache
def _label(value: str) -> str:
    return value_label(value)  # a few values, ten thousand cases: worked out once each


STATUSES = ("✓ complete", "◐ in progress", "○ not started", "■ signed off")
SECOND_MARK = "◇ yours to second-mark"


def case_status(case: CaseInfo) -> str:
    if case.signed_off:
        return STATUSES[3]
    if case.complete:
        return STATUSES[0]
    return STATUSES[1] if case.answered else STATUSES[2]


def standing(access: Access | None) -> str:
    """` · you: ann (auditor) · locked by lee` for the status line."""
    if access is None:
        return ""
    role = "open audit" if access.open else (access.role or "not a member")
    locked = ""
    if access.locked_at is not None:
        locked = f" · 🔒 locked by {one_line(access.locked_by)}"
    return f" · you: {one_line(access.user)} ({role}){locked}"


def team_progress(cases: list[CaseInfo]) -> str:
    """`ann 3/14 · bob 5/14 · not allocated 2`: each auditor's complete cases of theirs."""
    mine: dict[str, list[int]] = {}
    for case in cases:
        done_total = mine.setdefault(case.allocated_to, [0, 0])
        done_total[0] += case.complete
        done_total[1] += 1
    parts = [f"{one_line(who)} {d}/{t}" for who, (d, t) in sorted(mine.items()) if who]
    if "" in mine:
        parts.append(f"not allocated {mine[''][1]}")
    return "Done by auditor: " + " · ".join(parts)


def own_first(
    cases: list[CaseInfo], access: Access | None, blind: Container[int] = ()
) -> list[CaseInfo]:
    """The cases the user second-marks blind, then an auditor's own cases (each part in sample
    order): the work in front of them."""
    if blind:
        mine = access.user if access is not None and not access.acts_as_lead else None
        return sorted(cases, key=lambda c: (c.id not in blind, c.allocated_to != mine))
    if access is None or access.role is None or access.acts_as_lead:
        return cases
    return sorted(cases, key=lambda c: c.allocated_to != access.user)


def is_team(cases: list[CaseInfo]) -> bool:
    return any(c.allocated_to for c in cases)


def has_codes(cases: list[CaseInfo]) -> bool:
    """Some case has a practitioner or team code (management oversight, a drawn sample)."""
    return any(c.practitioner or c.team for c in cases)


def _width(text: str) -> int:
    """How wide a stored cell is as the case table shows it (escaped, cut)."""
    return len(one_line(text))


def table_widths(live: LiveAudit) -> list[int]:
    """The widest cell of each column, from what can be known without making every row: the
    longest reference, the rubric's values, the largest count, the status words."""
    rubric = live.audit.rubric
    cases = live.cases
    most = max((c.applicable for c in cases), default=0)
    team = is_team(cases)
    codes = has_codes(cases)
    return [
        max(map(_width, (c.case_ref for c in cases)), default=0),
        *(
            [
                max(1, *(_width(c.practitioner) for c in cases)),
                max(1, *(_width(c.team) for c in cases)),
            ]
            if codes
            else []
        ),
        *(
            max(len("–"), *(_width(_label(v)) for v in attr.values))
            for attr in rubric.attributes_shown_in("case_list")
        ),
        *([max(len("Auditor"), *(_width(c.allocated_to) for c in cases))] if team else []),
        2 * len(str(most)) + 1,
        max(map(len, (*STATUSES, SECOND_MARK))) if live.blind else max(map(len, STATUSES)),
    ]


@dataclass
class AuditRead(Message, bubble=False):
    """The audit counted (on a worker), with the case table's widths worked out there too."""

    live: LiveAudit
    widths: list[int]
