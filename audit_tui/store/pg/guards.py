"""The hand-written guards of migrations 0006-0010, retired by 0011's row-level security: each
function's text is in one file per version, `sql/guards/NAME.vN.sql`; a migration names the
versions it installs, and its downgrade goes back one version (or drops what it added).

This is Alembic's "replaceable objects" recipe with the text in files: the recipe finds a
previous version by loading the migration that defined it, and `alembic_utils` writes each
version's whole definition into the migration autogenerate makes; either way the text is said
again, where here a `git diff` of two files shows what changed in a rule.

The functions are created unqualified, in the first schema of the search path (`audit_tui` on a
database made since 0011 moved the tables; `public` before), as their migrations always did.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit_tui.store.pg import SCHEMA, Executes, drop_functions, source

EVENTS = "INSERT OR UPDATE OR DELETE"


@dataclass(frozen=True)
class Guards:
    """What one migration installs: functions at a version each, created in this order, and the
    tables each guarded by one of them (a row trigger named `FUNCTION_TABLE`)."""

    functions: tuple[tuple[str, int], ...]
    triggers: tuple[tuple[str, str], ...] = ()


def install(run: Executes, guards: Guards) -> None:
    for name, version in guards.functions:
        run.execute(source("guards", name, version))
    for table, function in guards.triggers:
        run.execute(
            f"CREATE TRIGGER {function}_{table} BEFORE {EVENTS} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {function}()"
        )


def remove(run: Executes, guards: Guards) -> None:
    """Undo `install`: its triggers dropped, each function back to its previous version, or
    dropped if this was its first."""
    for table, function in guards.triggers:
        run.execute(f"DROP TRIGGER IF EXISTS {function}_{table} ON {table}")
    for name, version in reversed(guards.functions):
        if version > 1:
            run.execute(source("guards", name, version - 1))
        else:
            run.execute(f"DROP FUNCTION IF EXISTS {name}")


def drop_all(run: Executes) -> None:
    """Every guard 0006-0010 made (its functions are named audit_tui_*), in `public` or in
    `audit_tui`, whichever the search path put first, and with them their triggers."""
    drop_functions(run, ("public", SCHEMA), r"audit\_tui\_%")
