"""Management oversight and follow-up: an audit's kind, each case's practitioner and team codes,
the reviewer's feedback per case, and actions for the practitioner with their history.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 11:40:00
"""

import sqlalchemy as sa
from alembic import op

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
GUARD = r"""
CREATE OR REPLACE FUNCTION audit_tui_need_reviewer(cid integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c record;
  r text;
BEGIN
  SELECT audit_id, case_ref, allocated_to INTO c FROM audit_case WHERE id = cid;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  r := audit_tui_role(c.audit_id);
  IF r = 'lead' OR (r = 'auditor' AND c.allocated_to = session_user) THEN
    RETURN;
  END IF;
  PERFORM audit_tui_refuse(format('%s may not change the feedback or actions of case %s',
                                  session_user, c.case_ref));
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_follow_up() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cid integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM audit WHERE id = OLD.audit_id) THEN
      PERFORM audit_tui_need_lead(OLD.audit_id, 'delete feedback or actions', true);
    END IF;
    RETURN OLD;
  END IF;
  IF TG_TABLE_NAME = 'case_action_history' THEN
    IF TG_OP = 'UPDATE' THEN
      PERFORM audit_tui_refuse('history is append-only');
    END IF;
    SELECT case_id INTO cid FROM case_action WHERE id = NEW.action_id;
    PERFORM audit_tui_need_reviewer(cid);
    NEW.changed_by := session_user;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.case_id, NEW.audit_id) IS DISTINCT FROM (OLD.case_id, OLD.audit_id)
  THEN
    PERFORM audit_tui_refuse('feedback and actions cannot move to another case');
  END IF;
  IF (SELECT audit_id FROM audit_case WHERE id = NEW.case_id) IS DISTINCT FROM NEW.audit_id THEN
    PERFORM audit_tui_refuse('the case is not in that audit');
  END IF;
  PERFORM audit_tui_need_reviewer(NEW.case_id);
  NEW.updated_by := session_user;
  IF TG_TABLE_NAME = 'case_action' AND TG_OP = 'INSERT' THEN
    NEW.created_by := session_user;
  END IF;
  RETURN NEW;
END $$;
"""
TABLES = ("case_feedback", "case_action", "case_action_history")


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
        op.execute(GUARD)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER audit_tui_guard_follow_up_{table} BEFORE INSERT OR UPDATE OR"
                f" DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION audit_tui_guard_follow_up()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS audit_tui_guard_follow_up_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS audit_tui_guard_follow_up()")
        op.execute("DROP FUNCTION IF EXISTS audit_tui_need_reviewer(integer)")
    for table in reversed(TABLES):
        op.drop_table(table)
    with op.batch_alter_table("audit_case") as batch:
        batch.drop_column("team")
        batch.drop_column("practitioner")
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("kind")
