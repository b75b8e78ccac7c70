"""Who may change what in an audit: the rules, apart from where they are checked.

The repository checks them on both engines inside each write's transaction; on PostgreSQL the
same rules also live in the database (migration 0006), so a person connecting with `psql` meets
them too. Refusals are AuditErrors with one line saying what to do instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from audit_tui.domain.errors import AuditError


class Role(StrEnum):
    LEAD = "lead"
    """Creates, allocates, signs off, locks and unlocks, manages members; answers any case."""
    AUDITOR = "auditor"
    """Answers the cases allocated to them; reads the rest."""
    VIEWER = "viewer"
    """Reads only."""


ROLES = tuple(r.value for r in Role)


def role_of(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise AuditError.at("role", f"{text!r} is not a role (use: {', '.join(ROLES)})") from None


@dataclass(frozen=True)
class CaseGate:
    """What decides whether a case's answers may change: whose it is and whether it is done."""

    case_ref: str
    allocated_to: str | None = None
    signed_off_by: str | None = None
    signed_off_at: datetime | None = None


@dataclass(frozen=True)
class Access:
    """One person's standing in one audit, read inside the transaction that acts on it.

    `open` is an audit with no members at all (made before members existed, by nobody named):
    everyone may do everything there, as before."""

    user: str
    audit: str
    role: Role | None
    open: bool = False
    locked_by: str | None = None
    locked_at: datetime | None = None

    @property
    def acts_as_lead(self) -> bool:
        return self.open or self.role is Role.LEAD

    def member(self, what: str) -> None:
        if not self.open and self.role is None:
            raise AuditError.at(
                what,
                f'{self.user} is not a member of audit "{self.audit}": its lead can add you'
                f" (audit-tui member {self.audit} add {self.user} --role auditor)",
            )

    def unlocked(self, what: str) -> None:
        if self.locked_at is not None:
            raise AuditError.at(
                what,
                f'audit "{self.audit}" is locked (by {self.locked_by} on {_day(self.locked_at)}):'
                " nothing in it can change until its lead unlocks it with a reason",
            )

    def lead(self, what: str, *, while_locked: bool = False) -> None:
        """Lead-only work: cases, judgements, names, members, allocation, sign-off, lock."""
        self.member(what)
        if not self.acts_as_lead:
            raise AuditError.at(
                what,
                f'only the lead of audit "{self.audit}" may do this ({self.user} is {self.role})',
            )
        if not while_locked:
            self.unlocked(what)

    def answer(self, case: CaseGate, what: str = "answer") -> None:
        """Changing a case's answers (or marking it complete)."""
        self.member(what)
        self.unlocked(what)
        if case.signed_off_at is not None:
            raise AuditError.at(
                what,
                f"case {case.case_ref} was signed off (by {case.signed_off_by} on"
                f" {_day(case.signed_off_at)}): its answers can no longer change",
            )
        if self.acts_as_lead:
            return
        if self.role is Role.VIEWER:
            raise AuditError.at(what, f'{self.user} is a viewer of audit "{self.audit}": read only')
        if case.allocated_to != self.user:
            whose = f"allocated to {case.allocated_to}" if case.allocated_to else "not allocated"
            raise AuditError.at(
                what, f"case {case.case_ref} is {whose}: {self.user} answers only their own cases"
            )


def _day(when: datetime) -> str:
    return when.strftime("%d %b %Y %H:%M")
