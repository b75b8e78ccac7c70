"""Management oversight and follow-up: an audit's kind, each case's practitioner and team codes,
the reviewer's feedback per case, and actions for the practitioner with their history.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 11:40:00
"""

import sqlalchemy as sa
from alembic import op

from audit_tui.store.pg import guards
from audit_tui.store.pg.guards import Guards

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _parent(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], ondelete="CASCADE")


# PostgreSQL: feedback and actions belong to the case's reviewers, the lead or the auditor the case
# is allocated to. Unlike answers they outlive sign-off and lock: the follow-up comes after the
# figures are settled, and changes none of them. History is append-only; every row is stamped with
# the login that wrote it.
TABLES = ("case_feedback", "case_action", "case_action_history")
GUARDS = Guards(
    functions=(
        ("audit_tui_need_reviewer", 1),
        ("audit_tui_guard_follow_up", 1),
    ),
    triggers=tuple((table, "audit_tui_guard_follow_up") for table in TABLES),
)
"""Each function's text: audit_tui/store/pg/sql/guards/NAME.vN.sql."""


def upgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("kind", sa.String(), nullable=False, server_default="sample"))
    with op.batch_alter_table("audit_case") as batch:
        batch.add_column(sa.Column("practitioner", sa.String(), nullable=True))
        batch.add_column(sa.Column("team", sa.String(), nullable=True))
    op.create_table(
        "case_feedback",
        sa.Column("case_id", sa.Integer(), primary_key=True),
        sa.Column("audit_id", sa.Integer(), nullable=False, index=True),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("improvements", sa.Text(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        _parent("audit_case", "case_id"),
        _parent("audit", "audit_id"),
    )
    op.create_table(
        "case_action",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("audit_id", sa.Integer(), nullable=False, index=True),
        sa.Column("case_id", sa.Integer(), nullable=False, index=True),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        _parent("audit", "audit_id"),
        _parent("audit_case", "case_id"),
    )
    op.create_table(
        "case_action_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action_id", sa.Integer(), nullable=False, index=True),
        sa.Column("audit_id", sa.Integer(), nullable=False, index=True),
        sa.Column("old_status", sa.String(), nullable=True),
        sa.Column("new_status", sa.String(), nullable=False),
        sa.Column("old_due", sa.Date(), nullable=True),
        sa.Column("new_due", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("changed_at", WHEN, nullable=False),
        sa.Column("changed_by", sa.String(), nullable=False),
        _parent("case_action", "action_id"),
        _parent("audit", "audit_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        guards.install(op, GUARDS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        guards.remove(op, GUARDS)
    for table in reversed(TABLES):
        op.drop_table(table)
    with op.batch_alter_table("audit_case") as batch:
        batch.drop_column("team")
        batch.drop_column("practitioner")
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("kind")
