"""PostgreSQL as the last line of defence: a colleague with an ordinary login and `psql` tries,
as someone in no audit, a viewer, an auditor, a blind second marker and the lead of another
audit, to read, change, move, forge or shadow anything of an audit, against every table the
schema holds when the test runs (found in the catalogue, not listed here). What no rule allows
is refused; and dropping any one policy or trigger makes at least one probe fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from tests.support.pg_probes import S, battery, counts
from tests.support.pg_world import AsLogins, AsOwnerSwitching, Probe, World, build, scalar

pytestmark = pytest.mark.postgres

OUTSIDERS = ("eve", "mal")
"""In no role in the victim audit: they read nothing of it."""
NO_WRITE = ("eve", "vic", "mal", "reg")
"""May change nothing of the victim audit (reg reads it all, as its region's lead)."""
KEYS = ("id", "audit_id", "case_id", "moderation_case_id", "round_id", "action_id")


@pytest.fixture(scope="module")
def world(pg_server_url: str, rubric_text: str) -> Iterator[World]:
    yield from build(pg_server_url, rubric_text)


@pytest.fixture(scope="module")
def probes(world: World) -> dict[str, Probe]:
    with world.connect("owner") as conn:
        world.ids["counts"] = counts(conn, world.ids)
    return {p.name: p for p in battery(world.ids, world.login)}


@pytest.fixture(scope="module")
def logins(world: World) -> Iterator[AsLogins]:
    runner = AsLogins(world)
    yield runner
    runner.close()


class _Any(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        return 0


NAMES = [p.name for p in battery(_Any(), _Any())]


@pytest.mark.parametrize("name", NAMES)
def test_probe(name: str, probes: dict[str, Probe], logins: AsLogins) -> None:
    probe = probes[name]
    held, happened = logins.run(probe)
    assert held, f"{probe.actor}: {probe.name}: expected {probe.expect}, got {happened}"


# ---- every table found in the schema ----------------------------------------------------------


def _tables(conn: psycopg.Connection[Any]) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (S,)
        )
    ]


def _parents(conn: psycopg.Connection[Any]) -> dict[str, list[tuple[str, str]]]:
    """table -> [(its column, the table that column refers to)], from the catalogue."""
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, parent in conn.execute(
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text"
        " FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid"
        " AND a.attnum = c.conkey[1] WHERE c.contype = 'f'"
        " AND c.connamespace = %s::regnamespace",
        (S,),
    ):
        found.setdefault(table.split(".")[-1], []).append((column, parent.split(".")[-1]))
    return found


def _of_audit(table: str, parents: dict[str, list[tuple[str, str]]], audit: int) -> str | None:
    """A condition on `table`'s rows that selects those of `audit` (None: not an audit's data),
    following the foreign keys to `audit`."""
    if table == "audit":
        return f"id = {audit}"
    links = sorted(parents.get(table, []), key=lambda link: link[1] != "audit")
    for column, parent in links:
        inner = _of_audit(parent, parents, audit)
        if inner is not None:
            return f"{column} IN (SELECT id FROM {S}.{parent} WHERE {inner})"
    return None


def _primary_key(conn: psycopg.Connection[Any], table: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary",
            (f"{S}.{table}",),
        )
    ]


def _rows(conn: psycopg.Connection[Any], table: str, where: str) -> list[dict[str, Any]]:
    cur = conn.execute(f"SELECT * FROM {S}.{table} WHERE {where}".encode())
    names = [d.name for d in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _key_match(pk: list[str], rows: list[dict[str, Any]]) -> tuple[sql.Composed, list[Any]]:
    """`(pk) IN ((...), ...)` for these rows, with its parameters."""
    tuples = sql.SQL(", ").join(
        sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() * len(pk))) for _ in rows
    )
    columns = sql.SQL(", ").join(map(sql.Identifier, pk))
    return sql.SQL("({}) IN ({})").format(columns, tuples), [r[k] for r in rows for k in pk]


def _refused(conn: psycopg.Connection[Any], statement: sql.Composed, params: list[Any]) -> str:
    """'' when refused (an error of privilege, or no row touched), else what happened."""
    try:
        cur = conn.execute(statement, params)
        return "" if cur.rowcount == 0 else f"{cur.rowcount} rows"
    except psycopg.Error as exc:
        return "" if exc.sqlstate == "42501" else f"{exc.sqlstate}: {exc}".splitlines()[0]
    finally:
        conn.rollback()


def _value(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, dict | list) else value


def test_outsiders_read_only_their_own_audits_rows_in_every_table(
    world: World, logins: AsLogins
) -> None:
    leaks = []
    with world.connect("owner") as owner:
        parents = _parents(owner)
        tables = _tables(owner)
        for who in OUTSIDERS:
            own = [r[0] for r in owner.execute(
                f"SELECT audit_id FROM {S}.audit_member WHERE user_name = %s", (world.login[who],)
            )]  # fmt: skip
            conn = logins.conns.get(who) or world.connect(who)
            logins.conns[who] = conn
            for table in tables:
                seen = scalar(conn, f"SELECT count(*) FROM {S}.{table}")
                conn.rollback()
                if table == "alembic_version":
                    assert seen == 1
                    continue
                if table == "audit_write_lock":  # the server's alone: no login reads a row
                    if seen:
                        leaks.append(f"{who} reads {seen} rows of {table}, not 0")
                    continue
                mine = [_of_audit(table, parents, a) for a in own]
                where = " OR ".join(f"({m})" for m in mine if m) or "FALSE"
                expected = scalar(owner, f"SELECT count(*) FROM {S}.{table} WHERE {where}")
                if seen != expected:
                    leaks.append(f"{who} reads {seen} rows of {table}, not {expected}")
    assert len(tables) >= 22 and not leaks, leaks


def test_no_one_without_a_role_changes_or_adds_a_row_of_the_audit_in_any_table(
    world: World, logins: AsLogins
) -> None:
    """Every column of every row of the victim audit, updated (to itself) by someone in no role,
    a viewer, the lead of another audit; every row deleted; a copy of every row inserted."""
    broken = []
    tried = 0
    with world.connect("owner") as owner:
        parents = _parents(owner)
        for table in _tables(owner):
            where = _of_audit(table, parents, world.ids["V"])
            if where is None:
                continue
            rows = _rows(owner, table, where)
            if not rows:
                continue
            pk = _primary_key(owner, table)
            match, params = _key_match(pk, rows)
            columns = list(rows[0])
            target = sql.Identifier(S, table)
            for who in NO_WRITE:
                conn = logins.conns.get(who) or world.connect(who)
                logins.conns[who] = conn
                for column in columns:
                    statement = sql.SQL("UPDATE {} SET {} = {} WHERE {}").format(
                        target, sql.Identifier(column), sql.Identifier(column), match
                    )
                    tried += 1
                    if what := _refused(conn, statement, params):
                        broken.append(f"{who} updated {table}.{column}: {what}")
                tried += 1
                if what := _refused(
                    conn, sql.SQL("DELETE FROM {} WHERE {}").format(target, match), params
                ):
                    broken.append(f"{who} deleted from {table}: {what}")
                if table == "audit":  # anyone granted may create an audit: of their own
                    continue
                copy = {k: v for k, v in rows[0].items() if k != "id"}
                statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    target,
                    sql.SQL(", ").join(map(sql.Identifier, copy)),
                    sql.SQL(", ").join(sql.Placeholder() * len(copy)),
                )
                tried += 1
                if what := _refused(conn, statement, [_value(v) for v in copy.values()]):
                    broken.append(f"{who} inserted into {table}: {what}")
    assert tried > 300 and not broken, broken


def test_rows_never_move_between_audits(world: World, logins: AsLogins) -> None:
    """The lead of one audit moves their rows into the victim's, and the victim's lead moves
    theirs into the other: every key column of every table, refused."""
    moved = []
    with world.connect("owner") as owner:
        parents = _parents(owner)
        for mover, source, dest in (("mal", "M", "V"), ("lead", "V", "M")):
            conn = logins.conns.get(mover) or world.connect(mover)
            logins.conns[mover] = conn
            for table in _tables(owner):
                where = _of_audit(table, parents, world.ids[source])
                other = {c: p for c, p in parents.get(table, [])}
                if where is None:
                    continue
                rows = _rows(owner, table, where)
                if not rows:
                    continue
                match, params = _key_match(_primary_key(owner, table), rows)
                for column in (k for k in KEYS if k in rows[0]):
                    parent = (
                        "audit" if column == "audit_id" or table == "audit" else other.get(column)
                    )
                    if parent is None:
                        continue
                    there = _of_audit(parent, parents, world.ids[dest])
                    into = scalar(owner, f"SELECT min(id) FROM {S}.{parent} WHERE {there}")
                    if into is None:
                        continue
                    statement = sql.SQL("UPDATE {} SET {} = {} WHERE {}").format(
                        sql.Identifier(S, table), sql.Identifier(column), sql.Literal(into), match
                    )
                    if what := _refused(conn, statement, params):
                        moved.append(f"{mover} moved {table}.{column}: {what}")
    assert not moved, moved


def test_temporary_objects_shadowing_every_name_change_no_decision(world: World) -> None:
    """Someone in no audit, given TEMP for the occasion, makes a temporary table of every name in
    the schema (their membership forged in it) and temporary functions of the policies' names:
    the server's functions name their tables in full, with a pinned search path, so nothing of the
    victim's opens to them."""
    with world.connect("owner") as conn:
        database = scalar(conn, "SELECT current_database()")
        conn.execute(sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(
            sql.Identifier(database), sql.Identifier(world.login["eve"])
        ))  # fmt: skip
        runner = AsOwnerSwitching(conn, world)
        tables = _tables(conn)
        shadow = "".join(f"CREATE TEMP TABLE {t} (LIKE {S}.{t}); " for t in tables) + (
            f"INSERT INTO audit_member (audit_id, user_name, role, added_at, added_by)"
            f" VALUES ({world.ids['V']}, session_user, 'lead', now(), 'x');"
            " CREATE FUNCTION pg_temp.my_audits(text[], boolean) RETURNS SETOF integer"
            f" LANGUAGE sql AS 'SELECT {world.ids['V']}';"
            " CREATE FUNCTION pg_temp.is_admin() RETURNS boolean LANGUAGE sql AS 'SELECT true';"
            " SET search_path = pg_temp, audit_tui, public;"
        )
        attempts = [
            f"UPDATE {S}.audit SET name = 'mine' WHERE id = {world.ids['V']}",
            f"UPDATE audit_tui.answer SET value = 'yes' WHERE case_id = {world.ids['b2']}",
            f"DELETE FROM {S}.audit_member WHERE audit_id = {world.ids['V']}",
            f"SELECT * FROM {S}.begin_write({world.ids['V']})",
            f"SELECT {S}.recount({world.ids['V']}, 'x')",
            f"SELECT count(*) FROM {S}.answer WHERE case_id = {world.ids['a1']}",
        ]
        for attempt in attempts:
            probe = Probe(
                f"shadowed: {attempt}",
                "eve",
                shadow + attempt,
                expect=0 if "count(*)" in attempt else "refused",
            )
            held, happened = runner.run(probe)
            assert held, f"{attempt}: {happened}"
        conn.rollback()


def test_the_schema_is_shaped_for_least_privilege(world: World) -> None:
    """Row security on every table; every function pins its search path (but the one whose names
    are all qualified), none is callable by PUBLIC; logins hold no TEMP and may create nothing;
    the schema belongs to the database's owner; history and counts have no write grant."""
    with world.connect("owner") as conn:
        tables = dict(conn.execute(
            "SELECT c.relname, c.relrowsecurity FROM pg_class c"
            " WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r'", (S,)
        ).fetchall())  # fmt: skip
        assert tables and all(tables.values()), [t for t, on in tables.items() if not on]
        unpinned = [r[0] for r in conn.execute(
            "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = %s::regnamespace"
            " AND NOT coalesce(p.proconfig::text LIKE '%%search_path=pg_catalog, audit_tui, pg_temp%%', false)",
            (S,),
        )]  # fmt: skip
        assert unpinned == ["answer_stamp"], unpinned
        public = [r[0] for r in conn.execute(
            "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = %s::regnamespace"
            " AND has_function_privilege('public', p.oid, 'EXECUTE')", (S,)
        )]  # fmt: skip
        assert public == [], public
        for who in world.login:
            role = world.login[who]
            assert not scalar(
                conn, "SELECT has_database_privilege(%s, current_database(), 'TEMP')", role
            )
            assert not scalar(conn, "SELECT has_schema_privilege(%s, %s, 'CREATE')", role, S)
            assert not scalar(conn, "SELECT has_schema_privilege(%s, 'public', 'CREATE')", role)
            for table in ("answer_history", "judgement_history", "second_answer_history",
                          "case_action_history", "audit_event", "item_tally",
                          "moderation_first_mark"):  # fmt: skip
                for what in ("INSERT", "UPDATE", "DELETE"):
                    assert not scalar(
                        conn, "SELECT has_table_privilege(%s, %s, %s)", role, f"{S}.{table}", what
                    )
        owner = scalar(
            conn, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s", S
        )
        assert owner == scalar(
            conn,
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()",
        )


# ---- mutation: every policy and every trigger is needed ---------------------------------------


def _defences(conn: psycopg.Connection[Any]) -> list[tuple[str, sql.Composed]]:
    """(name, statement dropping it) for every policy and trigger of the schema."""
    found: list[tuple[str, sql.Composed]] = []
    for table, name in conn.execute(
        "SELECT tablename, policyname FROM pg_policies WHERE schemaname = %s ORDER BY 1, 2", (S,)
    ):
        found.append((f"policy {table}.{name}", sql.SQL("DROP POLICY {} ON {}").format(
            sql.Identifier(name), sql.Identifier(S, table))))  # fmt: skip
    for table, name in conn.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE c.relnamespace = %s::regnamespace AND NOT t.tgisinternal ORDER BY 1, 2",
        (S,),
    ):
        found.append((f"trigger {table}.{name}", sql.SQL("DROP TRIGGER {} ON {}").format(
            sql.Identifier(name), sql.Identifier(S, table))))  # fmt: skip
    return found


@pytest.mark.slow
def test_dropping_any_policy_or_trigger_makes_a_probe_fail(
    world: World, probes: dict[str, Probe]
) -> None:
    survivors = []
    with world.connect("owner") as conn:
        defences = _defences(conn)
        conn.rollback()
        runner = AsOwnerSwitching(conn, world)
        for name, drop in defences:
            conn.execute(drop)
            if all(runner.run(p)[0] for p in probes.values()):
                survivors.append(name)
            conn.rollback()
    assert len(defences) > 80 and not survivors, survivors
