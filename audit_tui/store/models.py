"""SQLModel tables. Widgets never see these: the repository turns rows into plain domain objects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Protocol, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


class _TableModel(Protocol):
    """A table model's class as SQLModel's metaclass leaves it: holding the Core table it made
    (SQLModel's typing does not declare `__table__`)."""

    __table__: Table


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model, typed: what the Core queries are built on."""
    return cast("_TableModel", model).__table__


def utcnow() -> datetime:
    return datetime.now(UTC)


def _when() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)


def _parent_key(table: str) -> Any:
    """A primary key that is also its parent row's id: one row per parent, gone with it."""
    return Field(
        sa_column=Column(
            Integer,
            ForeignKey(f"{table}.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
            nullable=False,
        )
    )


def _parent(table: str) -> Any:
    return Field(
        sa_column=Column(
            Integer, ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


LISTED = ("name", "id", "pdu", "region", "rubric_id", "rubric_version", "rubric_hash",
          "created_at", "revision", "locked_by", "locked_at", "kind")  # fmt: skip
"""SQLite: the audit list's columns, indexed together so the list reads the index alone (each
row holds its rubric's text, tens of kilobytes, before `revision`: reading the rows themselves
walks that text's overflow pages, 37 ms at 1,000 audits against 4 ms). PostgreSQL keeps long
text out of line, and has no such index."""


class AuditRow(SQLModel, table=True):
    """An audit, with the rubric it was created against frozen in (text and hash)."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_listed", *LISTED),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    pdu: str = ""
    region: str = ""
    rubric_id: str
    rubric_version: str
    rubric_hash: str
    rubric_snapshot: str = Field(sa_type=Text)
    created_at: datetime = _when()
    created_by: str = ""
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """Bumped by every write to the audit: an open app compares it to tell others' changes."""
    locked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    """Set when the lead locks the audit: its figures can no longer change until unlocked."""
    locked_by: str | None = None
    kind: str = Field(default="sample", sa_column_kwargs={"server_default": "sample"})
    """`sample` (a sample rated as a whole) or `oversight` (cases added one by one as a manager
    reviews them: rated, but not a representative sample)."""


class AuditMemberRow(SQLModel, table=True):
    """Who may do what in an audit: `lead`, `auditor` (answers the cases allocated to them) or
    `viewer`. An audit with no members is open to everyone (as audits were before members)."""

    __tablename__ = "audit_member"
    audit_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("audit.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    user_name: str = Field(primary_key=True)
    role: str
    added_at: datetime = _when()
    added_by: str


class CaseRow(SQLModel, table=True):
    """One sampled case: a pseudonymous reference and the attributes the rubric declares. No names."""

    __tablename__ = "audit_case"
    __table_args__ = (UniqueConstraint("audit_id", "case_ref", name="uq_case_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = _parent("audit")
    case_ref: str
    position: int = 0
    attributes: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _when()
    removed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    """Set when the case is withdrawn from the sample: it leaves every count and list, but the row,
    its answers and their history stay as the audit trail."""
    removed_by: str | None = None
    removed_reason: str | None = Field(default=None, sa_type=Text)
    answered: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """How many of its items have an answer: kept by every write (see `store/counts.py`)."""
    allocated_to: str | None = None
    """The auditor who answers this case (None: only the lead may)."""
    completed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    completed_by: str | None = None
    signed_off_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    """Set when the lead signs the case off: its answers can no longer change."""
    signed_off_by: str | None = None
    practitioner: str | None = None
    """The practitioner's pseudonymous code (never a name): feedback, actions and summaries."""
    team: str | None = None


class AnswerRow(SQLModel, table=True):
    """The current answer to one item for one case; value None means unanswered (a note may stay)."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("case_id", "item_id", name="uq_answer_item"),)
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = _parent("audit")
    """The case's audit, kept beside it: who may read an answer is decided by its audit, for
    each of a report's hundred thousand rows without a join (PostgreSQL's row policies). No
    foreign key on PostgreSQL (migration 0013 says why): the policies hold it to its case's."""
    case_id: int = Field(foreign_key="audit_case.id", ondelete="CASCADE")
    item_id: str
    value: str | None = None
    note: str = Field(default="", sa_type=Text)
    note_tag: str | None = None
    updated_at: datetime = _when()
    updated_by: str = ""


class AnswerHistoryRow(SQLModel, table=True):
    """Append-only: every change to an answer or its note, who made it and when."""

    __tablename__ = "answer_history"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = _parent("audit_case")
    item_id: str
    old_value: str | None = None
    new_value: str | None = None
    old_note: str | None = Field(default=None, sa_type=Text)
    new_note: str | None = Field(default=None, sa_type=Text)
    note_tag: str | None = None
    changed_at: datetime = _when()
    changed_by: str = ""
    via: str = ""
    reason: str | None = Field(default=None, sa_type=Text)


class JudgementRow(SQLModel, table=True):
    """A domain-one judgement (rating plus evidence) for one judgement-rated standard."""

    __tablename__ = "judgement"
    __table_args__ = (UniqueConstraint("audit_id", "standard_id", name="uq_judgement_standard"),)
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="audit.id", ondelete="CASCADE")
    standard_id: str
    rating: str
    strengths: str = Field(default="", sa_type=Text)
    improvements: str = Field(default="", sa_type=Text)
    updated_at: datetime = _when()
    updated_by: str = ""


class JudgementHistoryRow(SQLModel, table=True):
    """Append-only: every change to a judgement."""

    __tablename__ = "judgement_history"
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = _parent("audit")
    standard_id: str
    old_rating: str | None = None
    new_rating: str | None = None
    old_strengths: str | None = Field(default=None, sa_type=Text)
    new_strengths: str | None = Field(default=None, sa_type=Text)
    old_improvements: str | None = Field(default=None, sa_type=Text)
    new_improvements: str | None = Field(default=None, sa_type=Text)
    changed_at: datetime = _when()
    changed_by: str = ""
    via: str = ""


class AuditEventRow(SQLModel, table=True):
    """Append-only: what happened to an audit as a whole (renamed, a case removed, cases updated,
    answers cleared, deleted). Outlives the audit: deleting it sets `audit_id` to NULL, and
    `audit_name` still says which audit it was."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("audit.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    audit_name: str
    at: datetime = _when()
    by: str
    event: str
    detail: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class ItemTallyRow(SQLModel, table=True):
    """How many live cases of an audit answered an item with a value: kept by every write, so a
    live rating starts from these few rows rather than from every answer (`store/counts.py`)."""

    __tablename__ = "item_tally"
    audit_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("audit.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    item_id: str = Field(primary_key=True)
    value: str = Field(primary_key=True)
    n: int


class ModerationRoundRow(SQLModel, table=True):
    """A round of moderation: a second marker, the cases they mark blind, and how the cases were
    chosen (by hand, or a seeded sample: `rule` and `seed` say which, so it can be drawn again)."""

    __tablename__ = "moderation_round"
    __table_args__ = (UniqueConstraint("audit_id", "number", name="uq_round_number"),)
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = _parent("audit")
    number: int
    marker: str
    rule: str = Field(sa_type=Text)
    seed: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = _when()
    created_by: str


class ModerationCaseRow(SQLModel, table=True):
    """One case of a round: whose first marks it compares, and when the second marker finished
    (until then the first marks are hidden from them)."""

    __tablename__ = "moderation_case"
    __table_args__ = (UniqueConstraint("round_id", "case_id", name="uq_round_case"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = _parent("moderation_round")
    case_id: int = _parent("audit_case")
    first_marker: str
    completed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    completed_by: str | None = None


class ModerationFirstMarkRow(SQLModel, table=True):
    """The first marks of a moderated case as they stood when its second marking was completed:
    agreement is counted from these, so a settlement or a later round that changes the case's
    answers never moves a round's figures. Written once, at completion (on PostgreSQL by the
    server)."""

    __tablename__ = "moderation_first_mark"
    __table_args__ = (UniqueConstraint("moderation_case_id", "item_id", name="uq_first_mark_item"),)
    id: int | None = Field(default=None, primary_key=True)
    moderation_case_id: int = _parent("moderation_case")
    item_id: str
    value: str | None = None
    note: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class SecondAnswerRow(SQLModel, table=True):
    """A second marker's answer: apart from the audit's answers, which it never changes."""

    __tablename__ = "second_answer"
    __table_args__ = (
        UniqueConstraint("moderation_case_id", "item_id", name="uq_second_answer_item"),
    )
    id: int | None = Field(default=None, primary_key=True)
    moderation_case_id: int = _parent("moderation_case")
    item_id: str
    value: str | None = None
    note: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    updated_at: datetime = _when()
    updated_by: str


class SecondAnswerHistoryRow(SQLModel, table=True):
    """Append-only: every change to a second mark."""

    __tablename__ = "second_answer_history"
    id: int | None = Field(default=None, primary_key=True)
    moderation_case_id: int = _parent("moderation_case")
    item_id: str
    old_value: str | None = None
    new_value: str | None = None
    old_note: str | None = Field(default=None, sa_type=Text)
    new_note: str | None = Field(default=None, sa_type=Text)
    changed_at: datetime = _when()
    changed_by: str
    via: str


class SettlementRow(SQLModel, table=True):
    """How a disagreement was settled: both marks as they stood, the agreed answer (which became
    the audit's answer, via `moderation`) and why."""

    __tablename__ = "settlement"
    __table_args__ = (UniqueConstraint("moderation_case_id", "item_id", name="uq_settlement_item"),)
    id: int | None = Field(default=None, primary_key=True)
    moderation_case_id: int = _parent("moderation_case")
    item_id: str
    first_value: str | None = None
    second_value: str | None = None
    agreed_value: str | None = None
    reason: str = Field(sa_type=Text)
    settled_at: datetime = _when()
    settled_by: str


class CaseloadCaseRow(SQLModel, table=True):
    """One eligible case of the caseload extract: the population a sample is drawn from.
    Pseudonymous codes only (case, team, practitioner)."""

    __tablename__ = "caseload_case"
    __table_args__ = (UniqueConstraint("audit_id", "case_ref", name="uq_caseload_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = _parent("audit")
    case_ref: str
    position: int
    attributes: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    start_date: date = Field(sa_type=Date)
    team: str | None = None
    practitioner: str | None = None


class SampleDrawRow(SQLModel, table=True):
    """How the audit's sample was drawn: enough to draw it again (seed, window, strata, rule) and
    to replace a case (`plan`: each stratum's population, allocation and random order)."""

    __tablename__ = "sample_draw"
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("audit.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    seed: int = Field(sa_type=BigInteger)
    size: int
    strata: list[str] = Field(default_factory=list, sa_type=JSON)
    window_from: date | None = Field(default=None, sa_type=Date)
    window_to: date | None = Field(default=None, sa_type=Date)
    min_per_stratum: int = 0
    rule: str = Field(sa_type=Text)
    plan: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    drawn_at: datetime = _when()
    drawn_by: str


class SampleReplacementRow(SQLModel, table=True):
    """A drawn case that could not be audited, the next case of its stratum that replaced it
    (None: the stratum had no case left), and why."""

    __tablename__ = "sample_replacement"
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = _parent("audit")
    replaced: str
    replacement: str | None = None
    reason: str = Field(sa_type=Text)
    at: datetime = _when()
    by: str


class CaseFeedbackRow(SQLModel, table=True):
    """What the reviewer tells the practitioner about one case, in their own words: strengths and
    areas for improvement (the tagged item notes are drawn in beside them when the sheet is made)."""

    __tablename__ = "case_feedback"
    case_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("audit_case.id", ondelete="CASCADE"),
            primary_key=True,
            nullable=False,
        )
    )
    audit_id: int = _parent("audit")
    strengths: str = Field(default="", sa_type=Text)
    improvements: str = Field(default="", sa_type=Text)
    updated_at: datetime = _when()
    updated_by: str


class CaseActionRow(SQLModel, table=True):
    """Something the practitioner agreed to do about a case, by when, and where it stands:
    `open`, `done` or `dropped`. Every change is kept in `case_action_history`."""

    __tablename__ = "case_action"
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = _parent("audit")
    case_id: int = _parent("audit_case")
    what: str = Field(sa_type=Text)
    due: date = Field(sa_type=Date)
    status: str = "open"
    created_at: datetime = _when()
    created_by: str
    updated_at: datetime = _when()
    updated_by: str


class CaseActionHistoryRow(SQLModel, table=True):
    """Append-only: an action's life, from the moment it was agreed (old values None) onwards."""

    __tablename__ = "case_action_history"
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = _parent("case_action")
    audit_id: int = _parent("audit")
    old_status: str | None = None
    new_status: str
    old_due: date | None = Field(default=None, sa_type=Date)
    new_due: date = Field(sa_type=Date)
    note: str = Field(default="", sa_type=Text)
    changed_at: datetime = _when()
    changed_by: str


class ScopeGrantRow(SQLModel, table=True):
    """A login that reads every audit of a region (`kind` "region": a region lead) or of a PDU
    ("pdu": a PDU viewer) as their viewer, granted by the database's owner."""

    __tablename__ = "scope_grant"
    user_name: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    granted_at: datetime = _when()
    granted_by: str


class AuditSummaryRow(SQLModel, table=True):
    """SQLite: an audit's figures for the audit list as counted at `revision`; good while that is
    still the audit's revision (store/summaries.py). PostgreSQL has no such table."""

    __tablename__ = "audit_summary"
    audit_id: int = _parent_key("audit")
    revision: int
    cases: int
    answered: int
    applicable: int
    score: int | None = None
    rating: str | None = None
    rubric_title: str
    """What the list shows of the audit's rubric, so its first read parses none (kept_list.py)."""
    score_max: int
    ratings: str
    """The rubric's ratings, best first, as a JSON list."""


class ImportRunRow(SQLModel, table=True):
    """SQLite: a large import under way, committed in pieces so saves need not wait for all of
    it (store/import_runs.py). Its history rows carry `started_at`, `started_by` and `via`; the
    row goes with the last piece, so one left behind is an import to undo. PostgreSQL has no
    such table: an import there is one transaction that locks only its cases."""

    __tablename__ = "import_run"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    """Never given twice (AUTOINCREMENT): a run undone while its program slept must not find a
    later run under its id when it wakes, and take it for its own."""
    audit_id: int = _parent("audit")
    started_at: datetime = _when()
    started_by: str
    via: str
    host: str
    pid: int
    """Which program runs it: one no longer running leaves its import to be undone."""
    beat_at: datetime = _when()
    """When its last piece committed: one silent too long is undone even if its program lives."""


class ImportClaimRow(SQLModel, table=True):
    """SQLite: a case an import under way writes to. Saves to it wait for the import, as
    PostgreSQL's row locks make them; saves to other cases go on between its pieces."""

    __tablename__ = "import_claim"
    case_id: int = _parent_key("audit_case")
    run_id: int = _parent("import_run")
