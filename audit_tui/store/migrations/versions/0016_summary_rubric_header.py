"""SQLite: each kept summary also holds what the audit list shows of the audit's rubric (its
title, the score's maximum and its ratings, best first), so the list's first read needs no rubric
parsed and no SQLAlchemy loaded (`store/kept_list.py`): start-up to a populated list was 4x a bare
Textual app, nearly all of it importing the database layer.

The summaries are a cache of figures counted from the answers: the table is made again empty, in
the new shape, and the next look counts every audit once. PostgreSQL keeps no summaries: nothing
changes there.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _figures() -> list[sa.Column[object]]:
    """0012's columns (a migration keeps its own copy: it never changes)."""
    return [
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("applicable", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(), nullable=True),
    ]


def _header() -> list[sa.Column[object]]:
    return [
        sa.Column("rubric_title", sa.String(), nullable=False),
        sa.Column("score_max", sa.Integer(), nullable=False),
        sa.Column("ratings", sa.String(), nullable=False),
    ]


def _summary(columns: list[sa.Column[object]]) -> None:
    op.create_table(
        "audit_summary",
        sa.Column("audit_id", sa.Integer(), primary_key=True, autoincrement=False),
        *columns,
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], ondelete="CASCADE"),
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    op.drop_table("audit_summary")
    _summary(_figures() + _header())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    op.drop_table("audit_summary")
    _summary(_figures())
