"""SQLite: a large import commits in pieces, claimed and undone as one (`import_run`, and the
cases it claims in `import_claim`): a 5,000-case import held the one write lock 1.9 s, and every
auditor's save waited for it (`make bench`). PostgreSQL has neither table: an import there is one
transaction that locks only its cases.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("started_by", sa.String(), nullable=False),
        sa.Column("via", sa.String(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("beat_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], ondelete="CASCADE"),
        sqlite_autoincrement=True,  # an id never given twice (store/models.py ImportRunRow)
    )
    op.create_index("ix_import_run_audit_id", "import_run", ["audit_id"])
    op.create_table(
        "import_claim",
        sa.Column("case_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["audit_case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["import_run.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_import_claim_run_id", "import_claim", ["run_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    op.drop_table("import_claim")
    op.drop_table("import_run")
