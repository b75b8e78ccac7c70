"""PostgreSQL's own security for audit-tui: the database refuses what no rule allows.

The app's tables live in the schema `audit_tui`, owned by whoever runs the migrations (the
database's owner). Every table has row-level security keyed on the login (`session_user`) and
the row's audit: a login that is no member reads nothing, a viewer reads, an auditor writes their
own allocated cases, the lead the rest; a blind second marker reads no first mark. What no policy
allows is refused. History, events and kept counts are written by the server's triggers, with the
server's time, the real login and the old value as the server read it; no login may write them.
Logins hold no other privilege (`roles.grant`) and no TEMP; every function pins its search path.

Each function has one source file, `sql/functions/NAME.vN.sql`, and each table's policies and
triggers one, `sql/tables/TABLE.vN.sql`. A migration installs the versions it names; one that
changes an object ships its next version and installs the previous one again on downgrade.
The hand-written guards 0006-0010 installed before (0011 retires them) are kept the same way,
`sql/guards/NAME.vN.sql` (`guards.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files
from typing import Protocol

SCHEMA = "audit_tui"

FUNCTIONS_V1 = (
    # decisions the policies take (created first: SQL functions are checked when created)
    "is_admin",
    "has_members",
    "my_audits",
    "my_role",
    "blind_cases",
    "blind_audits",
    "readable_markings",
    "open_markings",
    "settleable_markings",
    "context",
    "refuse",
    "change_via",
    # what the trail's triggers and the logins call
    "write_event",
    "log_event",
    "begin_write",
    "recount",
    # triggers
    "keep_keys",
    "append_only",
    "guard_event",
    "stamp",
    "audit_guard",
    "audit_created",
    "audit_changed",
    "member_guard",
    "case_guard",
    "case_changed",
    "answer_stamp",
    "answers_moved",
    "answer_changed",
    "judgement_changed",
    "second_answer_changed",
    "moderation_case_guard",
    "moderation_completed",
    "settlement_guard",
    "settlement_applied",
    "action_guard",
    "action_changed",
    "follow_up_guard",
)
TABLES_V1 = (
    "audit",
    "audit_member",
    "audit_case",
    "answer",
    "answer_history",
    "judgement",
    "judgement_history",
    "audit_event",
    "item_tally",
    "moderation_round",
    "moderation_case",
    "moderation_first_mark",
    "second_answer",
    "second_answer_history",
    "settlement",
    "caseload_case",
    "sample_draw",
    "sample_replacement",
    "case_feedback",
    "case_action",
    "case_action_history",
    "alembic_version",
)

TABLES_0012 = ("scope_grant",)
"""Tables whose security 0012 installs (version 1), beside 0011's."""
FUNCTIONS_0012 = ("my_audits", "my_role")
"""Functions 0012 moves to version 2 (scopes count as viewing); its downgrade restores version 1."""

FUNCTIONS_0013_NEW = ("begin_answer",)
"""Functions 0013 adds (version 1): a write to some cases' answers locks them, not the audit."""
FUNCTIONS_0013 = ("begin_write", "answers_moved", "answer_changed")
"""Functions 0013 moves to version 2 (audit-wide writes take the audit FOR UPDATE; the counts are
taken in one order; the revision is counted where answers are written); its downgrade restores
version 1."""

FUNCTIONS_0014 = (("begin_write", 3), ("begin_answer", 2))
"""Functions 0014 moves on (name, new version): the audit's write lock becomes an advisory lock,
exclusive for an audit-wide write and shared by saves; its downgrade restores the one before."""

TABLES_0015 = ("audit_write_lock",)
"""Tables 0015 adds, with their security (version 1): each audit's write lock, a row no login
may lock."""
FUNCTIONS_0015 = (("audit_created", 2), ("begin_write", 4), ("begin_answer", 3), ("recount", 2))
"""Functions 0015 moves on (name, new version): the audit's write lock becomes its rows of
`audit_write_lock` (made with the audit), no longer an advisory lock any login could hold, and
a repair of the counts takes it too; its downgrade restores the one before."""

DELETED_BY_0015 = (
    "remove_audit(integer)",
    "remove_member(integer, text)",
    "clear_caseload(integer)",
)
"""Functions 0015 adds (version 1), as granted: the lead's three deletes, which logins make
through them, holding no DELETE on any table."""
FUNCTIONS_0015_NEW = tuple(signature.partition("(")[0] for signature in DELETED_BY_0015)
"""Their names, as their files are named."""

CALLABLE = (
    "my_audits(text[], boolean)",
    "has_members(integer)",
    "blind_cases()",
    "blind_audits()",
    "readable_markings()",
    "open_markings()",
    "settleable_markings()",
    "begin_write(integer)",
    "begin_answer(integer, integer[])",
    "log_event(integer, text, text)",
    "recount(integer, text)",
    *DELETED_BY_0015,
)
"""The functions a login may call: those its policies call on its behalf, and those it calls
itself (begin a write, begin a write to some cases' answers, log what it did, repair counts,
and the lead's deletes). Every other function is the server's."""


class Executes(Protocol):
    def execute(self, sql: str) -> object: ...


def source(kind: str, name: str, version: int) -> str:
    """The SQL of one function (`kind` "functions") or one table's security ("tables")."""
    return (files(__package__) / "sql" / kind / f"{name}.v{version}.sql").read_text("utf-8")


def install(run: Executes, kind: str, names: Iterable[str], version: int) -> None:
    """Create (or replace) the named objects at `version`, in order."""
    for name in names:
        run.execute(source(kind, name, version))


def drop_table_security(run: Executes, table: str) -> None:
    """A table's policies and triggers (not its foreign keys' internal ones), gone: what a
    downgrade does before installing the previous version."""
    run.execute(
        f"""DO $$
        DECLARE p record;
        BEGIN
          FOR p IN SELECT policyname FROM pg_policies
                   WHERE schemaname = '{SCHEMA}' AND tablename = '{table}' LOOP
            EXECUTE format('DROP POLICY %I ON {SCHEMA}.{table}', p.policyname);
          END LOOP;
          FOR p IN SELECT tgname FROM pg_trigger
                   WHERE tgrelid = '{SCHEMA}.{table}'::regclass AND NOT tgisinternal LOOP
            EXECUTE format('DROP TRIGGER %I ON {SCHEMA}.{table}', p.tgname);
          END LOOP;
        END $$"""
    )


def drop_functions(run: Executes, schemas: Iterable[str], like: str = "%") -> None:
    """Every function of `schemas` whose name is LIKE `like` gone, and with it (CASCADE) every
    trigger that calls it."""
    names = ", ".join(f"'{schema}'" for schema in schemas)
    run.execute(
        f"""DO $$
        DECLARE f regprocedure;
        BEGIN
          FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
                   JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname IN ({names}) AND p.proname LIKE '{like}' LOOP
            EXECUTE format('DROP FUNCTION %s CASCADE', f);
          END LOOP;
        END $$"""
    )
