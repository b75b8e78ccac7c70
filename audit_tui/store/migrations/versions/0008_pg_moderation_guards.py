"""PostgreSQL only: the moderation rules kept by the database itself, keyed on `session_user`, as
migration 0006 keeps the team rules, so a person who connects with `psql` meets them too.

The rules are those of `audit_tui/store/moderation.py`, `second_marks.py` and `settlement.py`:
the lead chooses the cases for a round (a marker entering their own sheet starts a round of
their own, as `import_second` does); second marks change only while their case is unfinished,
by the round's marker (or the lead, who enters a marker's sheet for them), and so does marking
it complete; a finished case is settled by the lead or either of its markers, until it is signed
off; a locked audit changes no more. Whoever writes is stamped as the login. The history of second
marks takes inserts (checked like the change they record) and loses rows only with the moderated
case they belong to (the lead deleting it, its round, its case or the audit).

A settlement becomes the audit's answer, in a case that may be allocated to someone else (the
second marker settles the first marker's case): 0006's answer guards take such a change from
someone who recorded, in the same transaction, the settlement of that item to that value.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 10:30:00
"""

from alembic import op

from audit_tui.store.pg import guards
from audit_tui.store.pg.guards import Guards

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GUARDS = Guards(
    functions=(
        ("audit_tui_need_marking", 1),
        ("audit_tui_need_settler", 1),
        ("audit_tui_need_answer", 1),
        ("audit_tui_guard_answer", 2),  # 0006's, now taking a settlement (need_answer)
        ("audit_tui_guard_answer_history", 2),
        ("audit_tui_guard_case", 2),
        ("audit_tui_guard_round", 1),
        ("audit_tui_guard_moderation_case", 1),
        ("audit_tui_guard_second_answer", 1),
        ("audit_tui_guard_second_answer_history", 1),
        ("audit_tui_guard_settlement", 1),
    ),
    triggers=(
        ("moderation_round", "audit_tui_guard_round"),
        ("moderation_case", "audit_tui_guard_moderation_case"),
        ("second_answer", "audit_tui_guard_second_answer"),
        ("second_answer_history", "audit_tui_guard_second_answer_history"),
        ("settlement", "audit_tui_guard_settlement"),
    ),
)
"""Each function's text: audit_tui/store/pg/sql/guards/NAME.vN.sql (a downgrade puts 0006's
version 1 of the answer and case guards back)."""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: one file, one person's permissions; the repository keeps the rules
    guards.install(op, GUARDS)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    guards.remove(op, GUARDS)
