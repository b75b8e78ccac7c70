"""What a database fault means to a user, in one line, without SQL, parameters or passwords.

SQLAlchemy's own messages carry the statement and its parameters (case references among them);
they are for developers, never for the screen or stderr.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from audit_tui.domain.errors import printable
from audit_tui.store.engine import WAIT_SECONDS

NOT_WRITTEN = "nothing was written"
GUARD = "audit-tui: "
"""How the database's own refusals begin (PostgreSQL triggers keyed on the login)."""

BUSY = (
    "the database is busy: another writer held it for more than {wait} s; "
    + NOT_WRITTEN
    + " (try again)"
)
# (fragment of the driver's message, what it means); the first match wins
KNOWN = (
    ("database is locked", BUSY),
    ("lock timeout", BUSY),
    ("readonly database", f"the database is read-only here (check the file's and folder's permissions); {NOT_WRITTEN}"),
    ("read-only", f"the database is read-only here; {NOT_WRITTEN}"),
    ("disk is full", f"the disk is full; {NOT_WRITTEN} (free some space and try again)"),
    ("no space left", f"the disk is full; {NOT_WRITTEN} (free some space and try again)"),
    ("disk image is malformed", "the database file is damaged; restore it from a backup (audit-tui keeps *.bak copies beside it when it upgrades one)"),
    ("file is not a database", "the file is not a database (or it is damaged)"),
    ("disk i/o error", f"the disk reported an error (full, or failing) while using the database; {NOT_WRITTEN}"),
    ("server closed the connection", "lost the connection to the database server; the change in progress was not confirmed: check, then run it again"),
    ("terminating connection", "the database server ended the connection; the change in progress was not confirmed: check, then run it again"),
    ("connection is lost", "lost the connection to the database server; the change in progress was not confirmed: check, then run it again"),
    ("connection is closed", "lost the connection to the database server; the change in progress was not confirmed: check, then run it again"),
    ("consuming input failed", "lost the connection to the database server; the change in progress was not confirmed: check, then run it again"),
    ("connection failed", "cannot reach the database server"),
    ("could not connect", "cannot reach the database server"),
    ("deadlock detected", f"another writer changed the same data at the same moment; {NOT_WRITTEN} (try again)"),
)  # fmt: skip


def driver_message(exc: BaseException) -> str:
    """The first line of the driver's own message, without SQLAlchemy's statement dump."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    text = str(orig if orig is not None else exc)
    return (text.splitlines() or [type(exc).__name__])[0].strip()


def refusal(exc: BaseException) -> str | None:
    """What a rule the database keeps itself said, in words (None: not such a refusal)."""
    message = driver_message(exc)
    return printable(message.removeprefix(GUARD)) if message.startswith(GUARD) else None


def is_fault(exc: BaseException) -> bool:
    return isinstance(exc, SQLAlchemyError)


def fault_message(exc: BaseException, wait: int = WAIT_SECONDS) -> str:
    """One line for a database fault; `wait`: the seconds a write waited (the settings')."""
    message = driver_message(exc)
    if message.startswith(GUARD):  # a rule the database itself keeps (store/pg)
        return printable(f"{message.removeprefix(GUARD)}; {NOT_WRITTEN}")
    lowered = message.lower()
    if "permission denied for" in lowered:
        return (
            "this login may not use this database: its owner can allow it with"
            f" `audit-tui grant USER`; {NOT_WRITTEN}"
        )
    for fragment, meaning in KNOWN:
        if fragment in lowered:
            return meaning.format(wait=wait)
    if isinstance(exc, IntegrityError):
        return (
            "the database refused the change (another user may have changed the same data);"
            f" {NOT_WRITTEN}"
        )
    return printable(f"database error: {message}")
