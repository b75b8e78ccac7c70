"""PostgreSQL only: the team rules kept by the database itself, keyed on `session_user`, so a
person who connects with `psql` as an auditor's role meets the same refusals as in the app.

The rules are those of `audit_tui/domain/access.py`: the lead manages the audit; an auditor
changes only the answers of the cases allocated to them; a viewer reads; a signed-off case or a
locked audit changes no more. An audit with no members is open to everyone. Whoever writes is
stamped as the login, whatever name the client sends. History tables take inserts (checked like
the change they record) and lose rows only when the lead deletes the whole audit.

Not guarded: `item_tally` and `audit_case.answered`, counts the app keeps beside the answers
(anyone who may answer may move them; a report recount from the answers is exact).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 06:40:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION audit_tui_role(a integer) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM audit_member m WHERE m.audit_id = a) THEN 'lead'
    ELSE (SELECT m.role FROM audit_member m WHERE m.audit_id = a AND m.user_name = session_user)
  END
$$;

CREATE OR REPLACE FUNCTION audit_tui_refuse(why text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit-tui: %', why USING ERRCODE = 'insufficient_privilege';
END $$;

-- The lead of an open (unlocked) audit, or refuse.
CREATE OR REPLACE FUNCTION audit_tui_need_lead(a integer, what text, while_locked boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r text := audit_tui_role(a);
  locked timestamptz;
BEGIN
  IF r IS DISTINCT FROM 'lead' THEN
    PERFORM audit_tui_refuse(format('only the audit''s lead may %s (%s is %s)',
                                    what, session_user, coalesce(r, 'not a member')));
  END IF;
  IF NOT while_locked THEN
    SELECT locked_at INTO locked FROM audit WHERE id = a;
    IF locked IS NOT NULL THEN
      PERFORM audit_tui_refuse('the audit is locked: nothing in it can change');
    END IF;
  END IF;
END $$;

-- Whoever may change this case's answers, or refuse.
CREATE OR REPLACE FUNCTION audit_tui_need_case(cid integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c record;
  r text;
BEGIN
  SELECT ac.audit_id, ac.case_ref, ac.allocated_to, ac.signed_off_at, au.locked_at
    INTO c FROM audit_case ac JOIN audit au ON au.id = ac.audit_id WHERE ac.id = cid;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF c.locked_at IS NOT NULL THEN
    PERFORM audit_tui_refuse('the audit is locked: nothing in it can change');
  END IF;
  IF c.signed_off_at IS NOT NULL THEN
    PERFORM audit_tui_refuse(format('case %s was signed off: its answers can no longer change',
                                    c.case_ref));
  END IF;
  r := audit_tui_role(c.audit_id);
  IF r = 'lead' THEN
    RETURN;
  END IF;
  IF r IS NULL OR r = 'viewer' OR c.allocated_to IS DISTINCT FROM session_user THEN
    PERFORM audit_tui_refuse(format('%s may not change the answers of case %s',
                                    session_user, c.case_ref));
  END IF;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_answer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM audit_tui_need_lead((SELECT audit_id FROM audit_case WHERE id = OLD.case_id),
                                'delete answers', false);
    RETURN OLD;
  END IF;
  PERFORM audit_tui_need_case(NEW.case_id);
  IF TG_OP = 'UPDATE' AND NEW.case_id IS DISTINCT FROM OLD.case_id THEN
    PERFORM audit_tui_refuse('an answer cannot move to another case');
  END IF;
  NEW.updated_by := session_user;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_answer_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM audit_tui_need_lead((SELECT audit_id FROM audit_case WHERE id = OLD.case_id),
                                'delete history', false);
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    PERFORM audit_tui_refuse('history is append-only');
  END IF;
  PERFORM audit_tui_need_case(NEW.case_id);
  NEW.changed_by := session_user;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_case() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  a integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.audit_id ELSE NEW.audit_id END;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.audit_id IS DISTINCT FROM OLD.audit_id THEN
    PERFORM audit_tui_refuse('a case cannot move to another audit');
  END IF;
  IF TG_OP = 'UPDATE'
     AND (NEW.case_ref, NEW.position, NEW.attributes::text, NEW.allocated_to, NEW.removed_at,
          NEW.removed_by, NEW.removed_reason, NEW.signed_off_at, NEW.signed_off_by)
         IS NOT DISTINCT FROM
         (OLD.case_ref, OLD.position, OLD.attributes::text, OLD.allocated_to, OLD.removed_at,
          OLD.removed_by, OLD.removed_reason, OLD.signed_off_at, OLD.signed_off_by)
  THEN
    -- only its progress moved: the count of answers, or its auditor marking it complete
    PERFORM audit_tui_need_case(NEW.id);
    IF NEW.completed_by IS DISTINCT FROM OLD.completed_by AND NEW.completed_by IS NOT NULL THEN
      NEW.completed_by := session_user;
    END IF;
    RETURN NEW;
  END IF;
  PERFORM audit_tui_need_lead(a, 'change the audit''s cases', false);
  IF TG_OP = 'UPDATE' AND OLD.signed_off_at IS NOT NULL
     AND NEW.attributes::text IS DISTINCT FROM OLD.attributes::text THEN
    PERFORM audit_tui_refuse(format('case %s was signed off: it can no longer change',
                                    OLD.case_ref));
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF NEW.signed_off_at IS NOT NULL
     AND (TG_OP = 'INSERT' OR OLD.signed_off_at IS DISTINCT FROM NEW.signed_off_at) THEN
    NEW.signed_off_by := session_user;
  END IF;
  IF NEW.removed_at IS NOT NULL
     AND (TG_OP = 'INSERT' OR OLD.removed_at IS DISTINCT FROM NEW.removed_at) THEN
    NEW.removed_by := session_user;
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.created_by := session_user;
    NEW.locked_at := NULL;
    NEW.locked_by := NULL;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM audit_tui_need_lead(OLD.id, 'delete the audit', false);
    RETURN OLD;
  END IF;
  IF (NEW.rubric_id, NEW.rubric_version, NEW.rubric_hash, NEW.rubric_snapshot, NEW.created_at,
      NEW.created_by)
     IS DISTINCT FROM
     (OLD.rubric_id, OLD.rubric_version, OLD.rubric_hash, OLD.rubric_snapshot, OLD.created_at,
      OLD.created_by) THEN
    PERFORM audit_tui_refuse('an audit''s rubric and creation are fixed');
  END IF;
  IF (NEW.locked_at, NEW.locked_by) IS DISTINCT FROM (OLD.locked_at, OLD.locked_by) THEN
    PERFORM audit_tui_need_lead(OLD.id, 'lock or unlock the audit', true);
    IF NEW.locked_at IS NOT NULL THEN
      NEW.locked_by := session_user;
    END IF;
  END IF;
  IF (NEW.name, NEW.pdu, NEW.region) IS DISTINCT FROM (OLD.name, OLD.pdu, OLD.region) THEN
    PERFORM audit_tui_need_lead(OLD.id, 'rename the audit', false);
  END IF;
  RETURN NEW;  -- a revision count alone may move for anyone: it only says "look again"
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_member() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM audit WHERE id = OLD.audit_id) THEN
      PERFORM audit_tui_need_lead(OLD.audit_id, 'manage members', true);
    END IF;
    RETURN OLD;
  END IF;
  PERFORM audit_tui_need_lead(NEW.audit_id, 'manage members', true);
  IF TG_OP = 'INSERT' THEN
    NEW.added_by := session_user;
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_judgement() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM audit_tui_need_lead(OLD.audit_id, 'delete judgements', false);
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'judgement_history' THEN
    PERFORM audit_tui_refuse('history is append-only');
  END IF;
  PERFORM audit_tui_need_lead(NEW.audit_id, 'change judgements', false);
  IF TG_TABLE_NAME = 'judgement' THEN
    NEW.updated_by := session_user;
  ELSE
    NEW.changed_by := session_user;
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW."by" := session_user;
    NEW.at := now();
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.audit_id IS NULL
     AND (NEW.audit_name, NEW.at, NEW."by", NEW.event, NEW.detail)
         IS NOT DISTINCT FROM (OLD.audit_name, OLD.at, OLD."by", OLD.event, OLD.detail) THEN
    IF OLD.audit_id IS NOT NULL THEN  -- the audit is being deleted: its log outlives it
      PERFORM audit_tui_need_lead(OLD.audit_id, 'delete the audit', false);
    END IF;
    RETURN NEW;
  END IF;
  PERFORM audit_tui_refuse('the event log is append-only');
  RETURN NULL;
END $$;
"""

TRIGGERS = (
    ("answer", "audit_tui_guard_answer", "INSERT OR UPDATE OR DELETE"),
    ("answer_history", "audit_tui_guard_answer_history", "INSERT OR UPDATE OR DELETE"),
    ("audit_case", "audit_tui_guard_case", "INSERT OR UPDATE OR DELETE"),
    ("audit", "audit_tui_guard_audit", "INSERT OR UPDATE OR DELETE"),
    ("audit_member", "audit_tui_guard_member", "INSERT OR UPDATE OR DELETE"),
    ("judgement", "audit_tui_guard_judgement", "INSERT OR UPDATE OR DELETE"),
    ("judgement_history", "audit_tui_guard_judgement", "INSERT OR UPDATE OR DELETE"),
    ("audit_event", "audit_tui_guard_event", "INSERT OR UPDATE OR DELETE"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: one file, one person's permissions; the repository keeps the rules
    op.execute(FUNCTIONS)
    for table, function, events in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {function}_{table} BEFORE {events} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {function}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, function, _ in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {function}_{table} ON {table}")
    for function in {f for _, f, _ in TRIGGERS}:
        op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    for signature in (
        "audit_tui_need_case(integer)",
        "audit_tui_need_lead(integer, text, boolean)",
        "audit_tui_refuse(text)",
        "audit_tui_role(integer)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
