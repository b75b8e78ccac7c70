"""PostgreSQL only: the moderation rules kept by the database itself, keyed on `session_user`, as
migration 0006 keeps the team rules, so a person who connects with `psql` meets them too.

The rules are those of `audit_tui/store/moderation.py`, `second_marks.py` and `settlement.py`:
the lead chooses the cases for a round (a marker entering their own sheet starts a round of
their own, as `import_second` does); second marks change only while their case is unfinished,
by the round's marker (or the lead, who enters a marker's sheet for them), and so does marking
it complete; a finished case is settled by the lead or either of its markers, until it is signed
off; a locked audit changes no more. Whoever writes is stamped as the login. The history of second
marks takes inserts (checked like the change they record) and loses rows only with the moderated
case they belong to (the lead deleting it, its round, its case or the audit).

A settlement becomes the audit's answer, in a case that may be allocated to someone else (the
second marker settles the first marker's case): 0006's answer guards take such a change from
someone who recorded, in the same transaction, the settlement of that item to that value.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 10:30:00
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FUNCTIONS = r"""
-- Whoever may change the second marks of this moderated case, or refuse: its round's marker
-- (or the lead, who enters a marker's sheet), until the case is marked complete.
CREATE OR REPLACE FUNCTION audit_tui_need_marking(mid integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  m record;
  r text;
BEGIN
  SELECT mr.audit_id, mr.marker, mc.completed_at, ac.case_ref, au.locked_at
    INTO m FROM moderation_case mc JOIN moderation_round mr ON mr.id = mc.round_id
    JOIN audit_case ac ON ac.id = mc.case_id JOIN audit au ON au.id = mr.audit_id
    WHERE mc.id = mid;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF m.locked_at IS NOT NULL THEN
    PERFORM audit_tui_refuse('the audit is locked: nothing in it can change');
  END IF;
  IF m.completed_at IS NOT NULL THEN
    PERFORM audit_tui_refuse(format('the second marking of case %s was completed: its marks'
                                    ' can no longer change', m.case_ref));
  END IF;
  r := audit_tui_role(m.audit_id);
  IF r = 'lead' THEN
    RETURN;
  END IF;
  IF r IS NULL OR m.marker IS DISTINCT FROM session_user THEN
    PERFORM audit_tui_refuse(format('%s may not second-mark case %s (it is %s''s to mark)',
                                    session_user, m.case_ref, m.marker));
  END IF;
END $$;

-- Whoever may settle the disagreements of this moderated case, or refuse: the lead or either
-- of its markers, once its second marking is complete and until the case is signed off.
CREATE OR REPLACE FUNCTION audit_tui_need_settler(mid integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  m record;
  r text;
BEGIN
  SELECT mr.audit_id, mr.marker, mc.first_marker, mc.completed_at, ac.case_ref,
         ac.signed_off_at, au.locked_at
    INTO m FROM moderation_case mc JOIN moderation_round mr ON mr.id = mc.round_id
    JOIN audit_case ac ON ac.id = mc.case_id JOIN audit au ON au.id = mr.audit_id
    WHERE mc.id = mid;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF m.locked_at IS NOT NULL THEN
    PERFORM audit_tui_refuse('the audit is locked: nothing in it can change');
  END IF;
  IF m.signed_off_at IS NOT NULL THEN
    PERFORM audit_tui_refuse(format('case %s was signed off: its answers can no longer change',
                                    m.case_ref));
  END IF;
  IF m.completed_at IS NULL THEN
    PERFORM audit_tui_refuse(format('case %s is still being second-marked: it is settled once'
                                    ' %s marks it complete', m.case_ref, m.marker));
  END IF;
  r := audit_tui_role(m.audit_id);
  IF r = 'lead' THEN
    RETURN;
  END IF;
  IF r IS NULL OR session_user NOT IN (m.marker, m.first_marker) THEN
    PERFORM audit_tui_refuse(format('%s may not settle case %s: its lead or its markers do',
                                    session_user, m.case_ref));
  END IF;
END $$;

-- Whoever may change this case's answers (audit_tui_need_case); or a settler making `item` of
-- it `val`, the agreed answer of the settlement they recorded in this same transaction (settle()
-- records it first; the settlement guard stamps settled_at with now(), the transaction's start);
-- with item NULL, any settlement of the case of theirs in this transaction (the count of its
-- answers moves with a settled answer). Either way, not in a locked audit or a signed-off case.
CREATE OR REPLACE FUNCTION audit_tui_need_answer(cid integer, item text, val text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c record;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM settlement s JOIN moderation_case mc ON mc.id = s.moderation_case_id
    WHERE mc.case_id = cid AND s.settled_by = session_user AND s.settled_at = now()
      AND (item IS NULL OR (s.item_id = item AND s.agreed_value IS NOT DISTINCT FROM val))
  ) THEN
    PERFORM audit_tui_need_case(cid);
    RETURN;
  END IF;
  SELECT ac.case_ref, ac.signed_off_at, au.locked_at
    INTO c FROM audit_case ac JOIN audit au ON au.id = ac.audit_id WHERE ac.id = cid;
  IF c.locked_at IS NOT NULL THEN
    PERFORM audit_tui_refuse('the audit is locked: nothing in it can change');
  END IF;
  IF c.signed_off_at IS NOT NULL THEN
    PERFORM audit_tui_refuse(format('case %s was signed off: its answers can no longer change',
                                    c.case_ref));
  END IF;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_answer() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  value_alone boolean;  -- all a settlement moves (a new answer: with no note)
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM audit_tui_need_lead((SELECT audit_id FROM audit_case WHERE id = OLD.case_id),
                                'delete answers', false);
    RETURN OLD;
  END IF;
  IF TG_OP = 'INSERT' THEN
    value_alone := NEW.note = '';
  ELSE
    value_alone := (NEW.case_id, NEW.item_id, NEW.note)
                   IS NOT DISTINCT FROM (OLD.case_id, OLD.item_id, OLD.note);
  END IF;
  IF value_alone THEN
    PERFORM audit_tui_need_answer(NEW.case_id, NEW.item_id, NEW.value);
  ELSE
    PERFORM audit_tui_need_case(NEW.case_id);
  END IF;
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
  IF NEW.via = 'moderation' THEN
    PERFORM audit_tui_need_answer(NEW.case_id, NEW.item_id, NEW.new_value);
  ELSE
    PERFORM audit_tui_need_case(NEW.case_id);
  END IF;
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
    -- only its progress moved: the count of answers (a settler's too), or its auditor marking
    -- it complete
    IF (NEW.completed_at, NEW.completed_by) IS NOT DISTINCT FROM
       (OLD.completed_at, OLD.completed_by) THEN
      PERFORM audit_tui_need_answer(NEW.id, NULL, NULL);
    ELSE
      PERFORM audit_tui_need_case(NEW.id);
    END IF;
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

CREATE OR REPLACE FUNCTION audit_tui_guard_round() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM audit WHERE id = OLD.audit_id) THEN
      PERFORM audit_tui_need_lead(OLD.audit_id, 'delete a round of moderation', false);
    END IF;
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF (NEW.audit_id, NEW.number, NEW.marker, NEW.created_at, NEW.created_by)
       IS DISTINCT FROM
       (OLD.audit_id, OLD.number, OLD.marker, OLD.created_at, OLD.created_by) THEN
      PERFORM audit_tui_refuse('a round''s audit, number, marker and creation are fixed');
    END IF;
    PERFORM audit_tui_need_lead(NEW.audit_id, 'change a round of moderation', false);
    RETURN NEW;
  END IF;
  PERFORM audit_tui_need_lead(NEW.audit_id, 'choose cases for moderation', false);
  NEW.created_by := session_user;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_moderation_case() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  rd record;
  c record;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT audit_id INTO rd FROM moderation_round WHERE id = OLD.round_id;
    IF FOUND AND EXISTS (SELECT 1 FROM audit_case WHERE id = OLD.case_id) THEN
      PERFORM audit_tui_need_lead(rd.audit_id, 'take a case out of moderation', false);
    END IF;
    RETURN OLD;  -- else its round or its case is being deleted, and was checked there
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.round_id, NEW.case_id, NEW.first_marker)
                          IS DISTINCT FROM (OLD.round_id, OLD.case_id, OLD.first_marker) THEN
    PERFORM audit_tui_refuse('a moderated case keeps its round, its case and its first marker');
  END IF;
  SELECT audit_id, marker INTO rd FROM moderation_round WHERE id = NEW.round_id;
  IF TG_OP = 'INSERT' THEN
    SELECT audit_id, case_ref, allocated_to INTO c FROM audit_case WHERE id = NEW.case_id;
    IF c.audit_id IS DISTINCT FROM rd.audit_id THEN
      PERFORM audit_tui_refuse('a round moderates cases of its own audit only');
    END IF;
    PERFORM audit_tui_need_lead(rd.audit_id, 'choose cases for moderation', false);
    IF rd.marker = NEW.first_marker OR rd.marker = c.allocated_to THEN
      PERFORM audit_tui_refuse(format('%s marked case %s first: a second marker marks someone'
                                      ' else''s case', rd.marker, c.case_ref));
    END IF;
    NEW.completed_at := NULL;  -- it is second-marked, then marked complete
    NEW.completed_by := NULL;
    RETURN NEW;
  END IF;
  IF OLD.completed_at IS NULL THEN
    PERFORM audit_tui_need_marking(OLD.id);  -- marking it complete
  ELSE
    PERFORM audit_tui_need_lead(rd.audit_id, 'reopen a completed second marking', false);
  END IF;
  NEW.completed_by := CASE
    WHEN NEW.completed_at IS NULL THEN NULL
    WHEN NEW.completed_at IS NOT DISTINCT FROM OLD.completed_at THEN OLD.completed_by
    ELSE session_user
  END;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_second_answer() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  a integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT mr.audit_id INTO a FROM moderation_case mc
      JOIN moderation_round mr ON mr.id = mc.round_id WHERE mc.id = OLD.moderation_case_id;
    IF FOUND THEN
      PERFORM audit_tui_need_lead(a, 'delete second marks', false);
    END IF;
    RETURN OLD;
  END IF;
  PERFORM audit_tui_need_marking(NEW.moderation_case_id);
  IF TG_OP = 'UPDATE' AND NEW.moderation_case_id IS DISTINCT FROM OLD.moderation_case_id THEN
    PERFORM audit_tui_refuse('a second mark cannot move to another case');
  END IF;
  NEW.updated_by := session_user;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_second_answer_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM moderation_case WHERE id = OLD.moderation_case_id) THEN
      PERFORM audit_tui_refuse('history is append-only');
    END IF;
    RETURN OLD;  -- its moderated case is being deleted (by the lead: checked there)
  END IF;
  IF TG_OP = 'UPDATE' THEN
    PERFORM audit_tui_refuse('history is append-only');
  END IF;
  PERFORM audit_tui_need_marking(NEW.moderation_case_id);
  NEW.changed_by := session_user;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_tui_guard_settlement() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  a integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT mr.audit_id INTO a FROM moderation_case mc
      JOIN moderation_round mr ON mr.id = mc.round_id WHERE mc.id = OLD.moderation_case_id;
    IF FOUND THEN
      PERFORM audit_tui_need_lead(a, 'delete settlements', false);
    END IF;
    RETURN OLD;
  END IF;
  PERFORM audit_tui_need_settler(NEW.moderation_case_id);
  IF TG_OP = 'UPDATE' AND (NEW.moderation_case_id, NEW.item_id)
                          IS DISTINCT FROM (OLD.moderation_case_id, OLD.item_id) THEN
    PERFORM audit_tui_refuse('a settlement cannot move to another case or item');
  END IF;
  NEW.settled_by := session_user;
  NEW.settled_at := now();  -- so the answer guards know a settlement of this transaction
  RETURN NEW;
END $$;
"""

TRIGGERS = (
    ("moderation_round", "audit_tui_guard_round", "INSERT OR UPDATE OR DELETE"),
    ("moderation_case", "audit_tui_guard_moderation_case", "INSERT OR UPDATE OR DELETE"),
    ("second_answer", "audit_tui_guard_second_answer", "INSERT OR UPDATE OR DELETE"),
    (
        "second_answer_history",
        "audit_tui_guard_second_answer_history",
        "INSERT OR UPDATE OR DELETE",
    ),
    ("settlement", "audit_tui_guard_settlement", "INSERT OR UPDATE OR DELETE"),
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
    op.execute(_revision_0006().FUNCTIONS)  # 0006's answer and case guards again
    for signature in (
        "audit_tui_need_answer(integer, text, text)",
        "audit_tui_need_settler(integer)",
        "audit_tui_need_marking(integer)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")


def _revision_0006() -> ModuleType:
    path = Path(__file__).with_name("0006_pg_guards.py")
    spec = importlib.util.spec_from_file_location("audit_tui_migration_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
