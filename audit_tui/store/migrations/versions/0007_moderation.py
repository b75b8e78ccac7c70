"""Moderation: rounds of blind second marking, the second marks apart from the audit's answers
(with their own history), and the settlement of each disagreement.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _parent(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "moderation_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("audit_id", sa.Integer(), nullable=False, index=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("marker", sa.String(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        _parent("audit", "audit_id"),
        sa.UniqueConstraint("audit_id", "number", name="uq_round_number"),
    )
    op.create_table(
        "moderation_case",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), nullable=False, index=True),
        sa.Column("case_id", sa.Integer(), nullable=False, index=True),
        sa.Column("first_marker", sa.String(), nullable=False),
        sa.Column("completed_at", WHEN, nullable=True),
        sa.Column("completed_by", sa.String(), nullable=True),
        _parent("moderation_round", "round_id"),
        _parent("audit_case", "case_id"),
        sa.UniqueConstraint("round_id", "case_id", name="uq_round_case"),
    )
    op.create_table(
        "second_answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("moderation_case_id", sa.Integer(), nullable=False, index=True),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        _parent("moderation_case", "moderation_case_id"),
        sa.UniqueConstraint("moderation_case_id", "item_id", name="uq_second_answer_item"),
    )
    op.create_table(
        "second_answer_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("moderation_case_id", sa.Integer(), nullable=False, index=True),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("old_value", sa.String(), nullable=True),
        sa.Column("new_value", sa.String(), nullable=True),
        sa.Column("old_note", sa.Text(), nullable=True),
        sa.Column("new_note", sa.Text(), nullable=True),
        sa.Column("changed_at", WHEN, nullable=False),
        sa.Column("changed_by", sa.String(), nullable=False),
        sa.Column("via", sa.String(), nullable=False),
        _parent("moderation_case", "moderation_case_id"),
    )
    op.create_table(
        "settlement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("moderation_case_id", sa.Integer(), nullable=False, index=True),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("first_value", sa.String(), nullable=True),
        sa.Column("second_value", sa.String(), nullable=True),
        sa.Column("agreed_value", sa.String(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("settled_at", WHEN, nullable=False),
        sa.Column("settled_by", sa.String(), nullable=False),
        _parent("moderation_case", "moderation_case_id"),
        sa.UniqueConstraint("moderation_case_id", "item_id", name="uq_settlement_item"),
    )


def downgrade() -> None:
    for table in (
        "settlement",
        "second_answer_history",
        "second_answer",
        "moderation_case",
        "moderation_round",
    ):
        op.drop_table(table)
