"""Sampling: an audit's caseload extract (its population), the draw that made its sample (seed,
window, strata, the rule and each stratum's recorded random order), and replacements.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _audit() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], ondelete="CASCADE")


# PostgreSQL: the population, the draw and its replacements are the lead's (migration 0006's
# helpers), stamped with the login that wrote them.
GUARD = r"""
CREATE OR REPLACE FUNCTION audit_tui_guard_sampling() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM audit WHERE id = OLD.audit_id) THEN
      PERFORM audit_tui_need_lead(OLD.audit_id, 'change the audit''s sample', false);
    END IF;
    RETURN OLD;
  END IF;
  PERFORM audit_tui_need_lead(NEW.audit_id, 'change the audit''s sample', false);
  IF TG_TABLE_NAME = 'sample_draw' THEN
    NEW.drawn_by := session_user;
  ELSIF TG_TABLE_NAME = 'sample_replacement' THEN
    NEW.by := session_user;
  END IF;
  RETURN NEW;
END $$;
"""
TABLES = ("caseload_case", "sample_draw", "sample_replacement")


def upgrade() -> None:
    op.create_table(
        "caseload_case",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("audit_id", sa.Integer(), nullable=False, index=True),
        sa.Column("case_ref", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("team", sa.String(), nullable=True),
        sa.Column("practitioner", sa.String(), nullable=True),
        _audit(),
        sa.UniqueConstraint("audit_id", "case_ref", name="uq_caseload_ref"),
    )
    op.create_table(
        "sample_draw",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("audit_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("strata", sa.JSON(), nullable=False),
        sa.Column("window_from", sa.Date(), nullable=True),
        sa.Column("window_to", sa.Date(), nullable=True),
        sa.Column("min_per_stratum", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("drawn_at", WHEN, nullable=False),
        sa.Column("drawn_by", sa.String(), nullable=False),
        _audit(),
    )
    op.create_table(
        "sample_replacement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("audit_id", sa.Integer(), nullable=False, index=True),
        sa.Column("replaced", sa.String(), nullable=False),
        sa.Column("replacement", sa.String(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("by", sa.String(), nullable=False),
        _audit(),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GUARD)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER audit_tui_guard_sampling_{table} BEFORE INSERT OR UPDATE OR"
                f" DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION audit_tui_guard_sampling()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS audit_tui_guard_sampling_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS audit_tui_guard_sampling()")
    for table in ("sample_replacement", "sample_draw", "caseload_case"):
        op.drop_table(table)
