"""PostgreSQL logins for a team: what `audit-tui grant USER` gives an existing login.

Run by the database's owner. The login may connect and read the app's tables, where row-level
security shows it only the audits it is a member of; it may insert and update only the columns
the app writes, where the policies decide which rows; it may call the few functions a login
needs. It gets no TEMP (a temporary object could otherwise shadow a name) and nothing on the
history, the event log or the kept counts, which the server writes itself (store/pg).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, text

from audit_tui.domain.errors import AuditError, UsageError
from audit_tui.store.logins import person
from audit_tui.store.pg import CALLABLE, SCHEMA

INSERTS = ("audit", "audit_member", "audit_case", "answer", "judgement", "moderation_round",
           "moderation_case", "second_answer", "settlement", "caseload_case", "sample_draw",
           "sample_replacement", "case_feedback", "case_action")  # fmt: skip
UPDATES = {
    "audit": "name, pdu, region, locked_at, locked_by",
    "audit_member": "role",
    "audit_case": "attributes, allocated_to, removed_at, removed_by, removed_reason,"
    " completed_at, completed_by, signed_off_at, signed_off_by, practitioner, team",
    "answer": "value, note, note_tag, updated_at, updated_by",
    "judgement": "rating, strengths, improvements, updated_at, updated_by",
    "moderation_case": "completed_at, completed_by",
    "second_answer": "value, note, updated_at, updated_by",
    "settlement": "first_value, second_value, agreed_value, reason, settled_at, settled_by",
    "case_feedback": "strengths, improvements, updated_at, updated_by",
    "case_action": "status, due, updated_at, updated_by",
}
"""The columns a login may name in an UPDATE (who-and-when columns are stamped over by the
server whatever is sent); ids, audits, cases, references, counts and creation are not among them."""
DELETED_BY_FUNCTIONS = ("audit", "audit_member", "caseload_case")
"""An audit (with everything in it), a member, a caseload extract being replaced: the lead
deletes these through the server's functions (`remove_audit`, `remove_member`,
`clear_caseload`, 0015), never by DELETE, which a login does not hold on any table: with it,
`LOCK TABLE` in any mode was theirs to take, and held, it stopped every write on the server."""


def grant(engine: Engine, user: str) -> None:
    """Let an existing login use audit-tui on this database (idempotent)."""
    user = person(engine, user, "grant")  # the one rule for names: `ANN` finds login `ann`
    if engine.dialect.name != "postgresql":
        raise UsageError("grant is for PostgreSQL: a SQLite file is shared by its permissions")
    with engine.begin() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :u"), {"u": user}):
            raise AuditError.at(
                "grant",
                f"no login {user!r} on this server: create it first"
                f" (CREATE ROLE {user} LOGIN PASSWORD '...')",
            )
        give(conn, user)


def give(
    conn: Connection,
    user: str,
    functions: Sequence[str] = CALLABLE,
    deletes: Sequence[str] = (),
) -> None:
    """The privileges themselves, on `conn`'s transaction: `grant`, and a migration that changes
    what logins need gives them again to every login that had them (with the `functions` that
    exist at its revision: a later one's are not there yet; and the tables it let them DELETE
    from, `deletes`, none since 0015)."""
    quote = conn.dialect.identifier_preparer.quote
    who = quote(user)
    database = quote(str(conn.scalar(text("SELECT current_database()"))))
    statements = [
        f"GRANT CONNECT ON DATABASE {database} TO {who}",
        f"REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC",
        f"REVOKE TEMPORARY ON DATABASE {database} FROM {who}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {SCHEMA} FROM {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {SCHEMA} FROM {who}",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {SCHEMA} FROM PUBLIC",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {SCHEMA} FROM {who}",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {who}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {who}",
        f"GRANT INSERT ON {', '.join(f'{SCHEMA}.{t}' for t in INSERTS)} TO {who}",
        *(f"GRANT DELETE ON {SCHEMA}.{t} TO {who}" for t in deletes),
        *(f"GRANT UPDATE ({cols}) ON {SCHEMA}.{table} TO {who}" for table, cols in UPDATES.items()),
        *(f"GRANT EXECUTE ON FUNCTION {SCHEMA}.{f} TO {who}" for f in functions),
    ]
    sequences = conn.scalars(
        text(
            "SELECT s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid"
            " JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace"
            " WHERE s.relkind = 'S' AND n.nspname = :schema AND t.relname = ANY(:tables)"
        ),
        {"schema": SCHEMA, "tables": list(INSERTS)},
    ).all()
    statements += [f"GRANT USAGE ON SEQUENCE {SCHEMA}.{quote(s)} TO {who}" for s in sequences]
    for statement in statements:
        conn.execute(text(statement))


def granted_logins(conn: Connection) -> list[str]:
    """The logins `grant` was given to on this database (they may use its schema), but its owner."""
    return list(
        conn.scalars(
            text(
                "SELECT r.rolname FROM pg_roles r, pg_namespace n"
                " WHERE n.nspname = :schema AND r.oid <> n.nspowner AND NOT r.rolsuper"
                " AND r.rolname NOT LIKE 'pg\\_%'"  # predefined roles (pg_read_all_data)
                " AND has_schema_privilege(r.oid, n.oid, 'USAGE') ORDER BY r.rolname"
            ),
            {"schema": SCHEMA},
        )
    )
