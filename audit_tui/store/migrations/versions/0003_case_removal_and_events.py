"""Cases can be withdrawn (kept, with when, who and why), and audits keep an event log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_case") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("removed_by", sa.String(), nullable=True))
        batch.add_column(sa.Column("removed_reason", sa.Text(), nullable=True))
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("audit_name", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_event_audit_id", "audit_event", ["audit_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_audit_id", table_name="audit_event")
    op.drop_table("audit_event")
    with op.batch_alter_table("audit_case") as batch:
        batch.drop_column("removed_reason")
        batch.drop_column("removed_by")
        batch.drop_column("removed_at")
