"""Sampling: an audit's caseload extract (its population), the draw that made its sample (seed,
window, strata, the rule and each stratum's recorded random order), and replacements.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 09:40:00
"""

import sqlalchemy as sa
from alembic import op

from audit_tui.store.pg import guards
from audit_tui.store.pg.guards import Guards

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _audit() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], ondelete="CASCADE")


# PostgreSQL: the population, the draw and its replacements are the lead's (migration 0006's
# helpers), stamped with the login that wrote them.
TABLES = ("caseload_case", "sample_draw", "sample_replacement")
GUARDS = Guards(
    functions=(("audit_tui_guard_sampling", 1),),
    triggers=tuple((table, "audit_tui_guard_sampling") for table in TABLES),
)
"""Each function's text: audit_tui/store/pg/sql/guards/NAME.vN.sql."""


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
        guards.install(op, GUARDS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        guards.remove(op, GUARDS)
    for table in ("sample_replacement", "sample_draw", "caseload_case"):
        op.drop_table(table)
