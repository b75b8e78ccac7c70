"""Counts kept as answers change: each case's answered items, and each audit's answers per item
and value, so opening a 10,000-case audit reads counts instead of counting every answer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_case") as batch:
        batch.add_column(sa.Column("answered", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "item_tally",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("audit_id", "item_id", "value"),
    )
    op.execute(
        "UPDATE audit_case SET answered = (SELECT COUNT(*) FROM answer"
        " WHERE answer.case_id = audit_case.id AND answer.value IS NOT NULL)"
    )
    op.execute(
        "INSERT INTO item_tally (audit_id, item_id, value, n)"
        " SELECT c.audit_id, a.item_id, a.value, COUNT(*) FROM answer a"
        " JOIN audit_case c ON c.id = a.case_id"
        " WHERE a.value IS NOT NULL AND c.removed_at IS NULL"
        " GROUP BY c.audit_id, a.item_id, a.value"
    )


def downgrade() -> None:
    op.drop_table("item_tally")
    with op.batch_alter_table("audit_case") as batch:
        batch.drop_column("answered")
