"""The server's side of the login-name rule (`domain/identity.py`): on PostgreSQL a name means
the login the server knows, exactly, else the login its lower-case form names (as PostgreSQL
folds `CREATE ROLE Ann` to `ann`); on SQLite a name is as typed."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from audit_tui.domain.errors import AuditError
from audit_tui.domain.identity import folded, login_name

LOGINS = text("SELECT rolname FROM pg_roles WHERE rolcanlogin AND rolname IN (:exact, :folded)")


def person(
    db: Engine | Connection, typed: str, what: str = "user", *, must_log_in: bool = False
) -> str:
    """The name `typed` stands for (see the module). With `must_log_in`, a name that is no login
    on a PostgreSQL server is refused in one line: a member who cannot connect could never act.
    A name that is no login is otherwise kept as typed (`history --by` a dropped login)."""
    name = login_name(typed, what)
    if db.dialect.name != "postgresql":
        return name
    params = {"exact": name, "folded": folded(name)}
    if isinstance(db, Connection):
        found = set(db.execute(LOGINS, params).scalars())
    else:
        with db.connect() as conn:
            found = set(conn.execute(LOGINS, params).scalars())
    for candidate in (name, folded(name)):
        if candidate in found:
            return candidate
    if must_log_in:
        raise AuditError.at(
            what,
            f"no login {name!r} on this server: create it (CREATE ROLE {folded(name)} LOGIN)"
            f" and run `audit-tui grant {folded(name)}` first",
        )
    return name
