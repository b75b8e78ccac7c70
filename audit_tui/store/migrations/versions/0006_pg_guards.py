"""PostgreSQL only: the team rules kept by the database itself, keyed on `session_user`, so a
person who connects with `psql` as an auditor's role meets the same refusals as in the app.

The rules are those of `audit_tui/domain/access.py`: the lead manages the audit; an auditor
changes only the answers of the cases allocated to them; a viewer reads; a signed-off case or a
locked audit changes no more. An audit with no members is open to everyone. Whoever writes is
stamped as the login, whatever name the client sends. History tables take inserts (checked like
the change they record) and lose rows only when the lead deletes the whole audit.

Not guarded: `item_tally` and `audit_case.answered`, counts the app keeps beside the answers
(anyone who may answer may move them; a report recount from the answers is exact).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 06:40:00
"""

from alembic import op

from audit_tui.store.pg import guards
from audit_tui.store.pg.guards import Guards

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

GUARDS = Guards(
    functions=(
        ("audit_tui_role", 1),
        ("audit_tui_refuse", 1),
        ("audit_tui_need_lead", 1),
        ("audit_tui_need_case", 1),
        ("audit_tui_guard_answer", 1),
        ("audit_tui_guard_answer_history", 1),
        ("audit_tui_guard_case", 1),
        ("audit_tui_guard_audit", 1),
        ("audit_tui_guard_member", 1),
        ("audit_tui_guard_judgement", 1),
        ("audit_tui_guard_event", 1),
    ),
    triggers=(
        ("answer", "audit_tui_guard_answer"),
        ("answer_history", "audit_tui_guard_answer_history"),
        ("audit_case", "audit_tui_guard_case"),
        ("audit", "audit_tui_guard_audit"),
        ("audit_member", "audit_tui_guard_member"),
        ("judgement", "audit_tui_guard_judgement"),
        ("judgement_history", "audit_tui_guard_judgement"),
        ("audit_event", "audit_tui_guard_event"),
    ),
)
"""Each function's text: audit_tui/store/pg/sql/guards/NAME.vN.sql."""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: one file, one person's permissions; the repository keeps the rules
    guards.install(op, GUARDS)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    guards.remove(op, GUARDS)
