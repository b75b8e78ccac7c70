"""What the migrations leave in a PostgreSQL database, as normalized text: functions (their whole
definition), policies, triggers, tables, columns, constraints, indexes, sequences, schemas and
grants, in a fixed order and with the owner's login written `<owner>`, so two databases built
the same way print the same text whatever the server or login.

The golden files under tests/golden/pg-schema/ were recorded with this module from the
migrations as they stood before their SQL moved into versioned files (store/pg/sql): the test
that compares with them proves the move changed nothing in the database. To record them again
(only for a migration that is meant to change the database):

    python -m tests.support.pg_catalogue postgresql://...   # a server where it may create a db
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.support.paths import GOLDEN

GOLDEN_DIR = GOLDEN / "pg-schema"
OURS = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_%'"

QUERIES = {
    "schema": f"""
        SELECT n.nspname, pg_get_userbyid(n.nspowner), n.nspacl::text
        FROM pg_namespace n WHERE {OURS}""",
    "function": f"""
        SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid)
               || ')', pg_get_userbyid(p.proowner), p.proacl::text, pg_get_functiondef(p.oid)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {OURS}""",
    "relation": f"""
        SELECT n.nspname || '.' || c.relname, c.relkind, pg_get_userbyid(c.relowner),
               c.relrowsecurity, c.relforcerowsecurity, c.relacl::text
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {OURS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')""",
    "column": f"""
        SELECT n.nspname || '.' || c.relname || '.' || a.attname, format_type(a.atttypid,
               a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attacl::text
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE {OURS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0
          AND NOT a.attisdropped""",
    "constraint": f"""
        SELECT n.nspname || '.' || c.relname || '.' || k.conname, pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {OURS}""",
    "index": f"""
        SELECT n.nspname || '.' || i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = i.relnamespace WHERE {OURS}""",
    "view": f"""
        SELECT n.nspname || '.' || c.relname, pg_get_viewdef(c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {OURS} AND c.relkind IN ('v', 'm')""",
    "policy": """
        SELECT schemaname || '.' || tablename || '.' || policyname, permissive, roles::text, cmd,
               qual, with_check
        FROM pg_policies""",
    "trigger": f"""
        SELECT n.nspname || '.' || c.relname || '.' || t.tgname, t.tgenabled::text,
               pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {OURS} AND NOT t.tgisinternal""",
    "type": f"""
        SELECT n.nspname || '.' || t.typname, t.typtype::text, format_type(t.oid, NULL)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE {OURS} AND t.typtype IN ('e', 'd', 'r', 'm')""",
    "database": """
        SELECT 'database', pg_get_userbyid(datdba), datacl::text FROM pg_database
        WHERE datname = current_database()""",
    "default acl": """
        SELECT defaclrole::regrole::text || ' ' || defaclobjtype::text, defaclacl::text
        FROM pg_default_acl""",
    "role setting": """
        SELECT 'setting', setconfig::text FROM pg_db_role_setting
        WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())""",
}


def catalogue(conn: Connection) -> str:
    """The database as text; every name qualified (the search path is pg_catalog's alone while it
    reads, so expressions print the same whatever the connection's path)."""
    owner = conn.scalar(text("SELECT current_user"))
    assert isinstance(owner, str)
    conn.execute(text("SET LOCAL search_path = pg_catalog"))
    lines: list[str] = []
    for kind, query in QUERIES.items():
        rows = sorted(
            "\t".join("" if value is None else str(value) for value in row)
            for row in conn.execute(text(query)).all()
        )
        lines.append(f"## {kind} ({len(rows)})")
        lines.extend(_owned(row, owner) for row in rows)
    version = conn.execute(
        text(
            "SELECT string_agg(n.nspname, ',') FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE c.relname = 'alembic_version' AND c.relkind = 'r'"
        )
    ).scalar()
    lines.append("## alembic_version")
    if version:
        found = conn.scalars(text(f"SELECT version_num FROM {version}.alembic_version")).all()
        lines.append(", ".join(found) or "(empty)")
    else:
        lines.append("(no table)")
    conn.execute(text("RESET search_path"))
    return "\n".join(lines) + "\n"


def _owned(row: str, owner: str) -> str:
    """The owner's login as `<owner>`: in an ACL item (`name=rights/grantor`) and as a column."""
    out = row.replace(f"\t{owner}\t", "\t<owner>\t").replace(f"{{{owner}=", "{<owner>=")
    return out.replace(f",{owner}=", ",<owner>=").replace(f"/{owner}", "/<owner>")


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards: its URL."""
    server = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"audit_tui_cat_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def step(engine: Engine, command: str, revision: str) -> str:
    """Upgrade or downgrade to `revision` on one transaction as the app does (schema audit_tui
    made first, first on the search path); the catalogue after it."""
    from alembic import command as alembic

    from audit_tui.store import migrate

    with engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA IF NOT EXISTS audit_tui"))
        cfg = migrate._config()
        cfg.attributes["connection"] = conn
        getattr(alembic, command)(cfg, revision)
    with engine.begin() as conn:
        return catalogue(conn)


def walk(engine: Engine) -> Iterator[tuple[str, str]]:
    """Every state on the way: up one revision at a time to head, down one at a time to base,
    and up to head at once again; each as (name, catalogue)."""
    from audit_tui.store import migrate

    for revision in migrate.REVISIONS:
        yield f"up-{revision}", step(engine, "upgrade", revision)
    for revision in (*reversed(migrate.REVISIONS[:-1]), "base"):
        yield f"down-{revision}", step(engine, "downgrade", revision)
    yield f"again-{migrate.HEAD}", step(engine, "upgrade", "head")


def app_engine(url: str) -> Engine:
    from audit_tui.store.engine import make_engine

    return make_engine(url)


def record(server_url: str) -> None:
    """Write every state's catalogue under tests/golden/pg-schema/; a state equal to an earlier
    one is written once, and `index.txt` says which file each state must equal."""
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN_DIR.glob("*.txt"):
        old.unlink()
    seen: dict[str, str] = {}
    index: list[str] = []
    with fresh_database(server_url) as url:
        engine = app_engine(url)
        try:
            for state, dump in walk(engine):
                if dump not in seen:
                    seen[dump] = f"{state}.txt"
                    (GOLDEN_DIR / seen[dump]).write_text(dump, encoding="utf-8")
                index.append(f"{state}\t{seen[dump]}")
        finally:
            engine.dispose()
    (GOLDEN_DIR / "index.txt").write_text("\n".join(index) + "\n", encoding="utf-8")


if __name__ == "__main__":
    record(sys.argv[1])
    print(f"recorded {len(list(GOLDEN_DIR.glob('*.txt')))} files in {GOLDEN_DIR}")
