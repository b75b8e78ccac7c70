"""Scopes and kept audit summaries.

Both engines: `scope_grant`, the region leads and PDU viewers the database's owner names (a login
reads every audit of its region or PDU, as a viewer). PostgreSQL: its row-level security, and
version 2 of `my_audits` and `my_role`, which count a scope as viewing wherever a membership as
viewer counts.

SQLite: `audit_summary`, each audit's figures for the audit list (cases, progress, score, rating)
as counted at one revision, so a list of 1,000 audits is one query; and the list's columns of
`audit` indexed together (`ix_audit_listed`), so that query reads no rubric text. A summary is good only while
its revision is the audit's (store/summaries.py). PostgreSQL keeps none: the server could not
check figures a login sent it, and a list must never show a forged score.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:00:00
"""

import sqlalchemy as sa
from alembic import op

from audit_tui.store import pg, roles

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
LISTED = ("name", "id", "pdu", "region", "rubric_id", "rubric_version", "rubric_hash",
          "created_at", "revision", "locked_by", "locked_at", "kind")  # fmt: skip
"""As store/models.py has them today (a migration keeps its own copy: it never changes)."""


def upgrade() -> None:
    bind = op.get_bind()
    on_pg = bind.dialect.name == "postgresql"
    op.create_table(
        "scope_grant",
        sa.Column("user_name", sa.String(), primary_key=True),
        sa.Column("kind", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("granted_at", WHEN, nullable=False),
        sa.Column("granted_by", sa.String(), nullable=False),
        sa.CheckConstraint("kind IN ('region', 'pdu')", name="ck_scope_grant_kind"),
        sa.CheckConstraint("name <> ''", name="ck_scope_grant_name"),
    )
    if on_pg:
        pg.install(op, "tables", pg.TABLES_0012, 1)
        pg.install(op, "functions", pg.FUNCTIONS_0012, 2)
        for login in roles.granted_logins(bind):  # as `grant` gives a new login
            quoted = bind.dialect.identifier_preparer.quote(login)
            op.execute(f"GRANT SELECT ON {pg.SCHEMA}.scope_grant TO {quoted}")
        return
    op.create_table(
        "audit_summary",
        sa.Column("audit_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("applicable", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_audit_listed", "audit", list(LISTED))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        pg.install(op, "functions", pg.FUNCTIONS_0012, 1)
        pg.drop_table_security(op, "scope_grant")
    else:
        op.drop_index("ix_audit_listed", table_name="audit")
        op.drop_table("audit_summary")
    op.drop_table("scope_grant")
