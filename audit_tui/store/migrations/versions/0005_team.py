"""A team on one audit: members with roles, cases allocated to auditors, marked complete and
signed off, the audit locked; a reason on history rows (an unlock, a moderation).

The creator of each existing audit becomes its lead. An audit with no members at all (one made
before this, by nobody named) stays open to everyone, as it was.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 06:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_member",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("audit_id", "user_name"),
    )
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("locked_at", WHEN, nullable=True))
        batch.add_column(sa.Column("locked_by", sa.String(), nullable=True))
    with op.batch_alter_table("audit_case") as batch:
        batch.add_column(sa.Column("allocated_to", sa.String(), nullable=True))
        batch.add_column(sa.Column("completed_at", WHEN, nullable=True))
        batch.add_column(sa.Column("completed_by", sa.String(), nullable=True))
        batch.add_column(sa.Column("signed_off_at", WHEN, nullable=True))
        batch.add_column(sa.Column("signed_off_by", sa.String(), nullable=True))
    with op.batch_alter_table("answer_history") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
    op.execute(
        "INSERT INTO audit_member (audit_id, user_name, role, added_at, added_by)"
        " SELECT id, created_by, 'lead', created_at, created_by FROM audit WHERE created_by <> ''"
    )


def downgrade() -> None:
    with op.batch_alter_table("answer_history") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("audit_case") as batch:
        for name in ("signed_off_by", "signed_off_at", "completed_by", "completed_at"):
            batch.drop_column(name)
        batch.drop_column("allocated_to")
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("locked_by")
        batch.drop_column("locked_at")
    op.drop_table("audit_member")
