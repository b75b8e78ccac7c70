"""Scopes: a login that reads every audit of a region (a region lead) or of a PDU (a PDU viewer)
without being made a member of each, as quarterly audits come and go.

PostgreSQL only, granted and revoked by the database's owner. A scope makes its holder a viewer
of the audits it covers, wherever the server's row policies let a viewer read (`my_audits`,
`my_role`, version 2): they read, their reads are logged like any viewer's, and they change
nothing unless also a member. Blind second marking holds as for any viewer. A SQLite file has
no logins: whoever can open it reads it all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from audit_tui.domain.errors import AuditError, UsageError
from audit_tui.domain.labels import clean_label
from audit_tui.store import roles
from audit_tui.store.logins import person
from audit_tui.store.models import ScopeGrantRow, table_of, utcnow

SCOPE = table_of(ScopeGrantRow)
KINDS = ("region", "pdu")
TITLES = {"region": "region lead", "pdu": "PDU viewer"}


@dataclass(frozen=True)
class Scope:
    user: str
    kind: str
    """`region` or `pdu`."""
    name: str
    granted_at: datetime
    granted_by: str

    def describe(self) -> str:
        return f"{self.user}: {TITLES[self.kind]} of {self.name} (granted by {self.granted_by})"


def _server(engine: Engine, what: str) -> None:
    if engine.dialect.name != "postgresql":
        raise UsageError(
            f"scope {what} is for PostgreSQL: a SQLite file is read by whoever can open it"
        )


_ADMIN = text(
    "SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = session_user AND (r.rolsuper"
    " OR r.oid = (SELECT n.nspowner FROM pg_namespace n WHERE n.nspname = 'audit_tui')))"
)
"""The login owns the schema (or is a superuser): `audit_tui.is_admin()`, which logins may
not call."""


def _owner_only(engine: Engine, what: str) -> None:
    with engine.connect() as conn:
        admin = conn.scalar(_ADMIN)
    if not admin:
        raise AuditError.at(f"scope {what}", "only the database's owner grants and revokes scopes")


def grant_scope(engine: Engine, user: str, kind: str, name: str) -> Scope:
    """Make `user` (an existing login) a region lead or PDU viewer of `name`; the login is
    granted the use of audit-tui too (as `grant` does), so the one command is enough."""
    _server(engine, "grant")
    if kind not in KINDS:
        raise UsageError(f"a scope is a region or a PDU, not {kind!r}")
    name = clean_label(name, "region" if kind == "region" else "PDU", required=True)
    user = person(engine, user, "scope grant", must_log_in=False)
    _owner_only(engine, "grant")
    roles.grant(engine, user)
    with engine.begin() as conn:
        granter = str(conn.scalar(text("SELECT session_user")))
        row = {"user_name": user, "kind": kind, "name": name, "granted_by": granter}
        try:
            with conn.begin_nested():
                conn.execute(insert(SCOPE).values(**row, granted_at=utcnow()))
        except IntegrityError:
            pass  # held already: granting again changes nothing
        found = conn.execute(
            select(SCOPE).where(
                SCOPE.c.user_name == user, SCOPE.c.kind == kind, SCOPE.c.name == name
            )
        ).one()
    return Scope(found.user_name, found.kind, found.name, found.granted_at, found.granted_by)


def revoke_scope(engine: Engine, user: str, kind: str, name: str) -> bool:
    """Take the scope away (False: it was not held); memberships stay as they are."""
    _server(engine, "revoke")
    user = person(engine, user, "scope revoke")
    _owner_only(engine, "revoke")
    with engine.begin() as conn:
        gone = conn.execute(
            delete(SCOPE).where(
                SCOPE.c.user_name == user, SCOPE.c.kind == kind, SCOPE.c.name == name.strip()
            )
        ).rowcount
    return bool(gone)


def scopes(engine: Engine) -> list[Scope]:
    """Every scope the current login may see: all of them for the owner, else its own."""
    _server(engine, "list")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(SCOPE).order_by(SCOPE.c.user_name, SCOPE.c.kind, SCOPE.c.name)
            ).all()
    except DBAPIError as exc:
        raise AuditError.at("scope list", "this login may not read scopes") from exc
    return [Scope(r.user_name, r.kind, r.name, r.granted_at, r.granted_by) for r in rows]
