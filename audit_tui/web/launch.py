"""What each browser tab's app is started with: its database target, identity and password, if
any, all for the pipe (`pipe.py`): never on the command line, which textual-serve and `ps` show,
nor in the environment.

One person: the starter's target and `--as`; a password in their URL moves to the pipe. A team:
the signed-in login's URL, which holds no password, and that login's password for the pipe; the
starter's own PostgreSQL identity and credentials are not passed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import URL

from audit_tui.store.engine import parse_url
from audit_tui.store.urls import is_url

CHILD = ("-m", "audit_tui")
"""The app, run by the server's own Python with no arguments: `audit-tui` opening the audit list."""
TEAM_DROPS = ("AUDIT_TUI_USER", "PGUSER", "PGPASSWORD", "PGPASSFILE")
"""The starter's identity and credentials, which a signed-in person's app must not inherit."""


@dataclass(frozen=True)
class Launch:
    db: str
    """The child's database target (with no password in it)."""
    user: str | None = None
    """Who the child is on SQLite (`--as`), if the starter said."""
    password: str | None = field(default=None, repr=False)
    """Kept out of repr so no log or traceback can show it."""
    drops: tuple[str, ...] = ()
    """Removed from the environment the child would otherwise inherit from the server."""

    def settings(self) -> dict[str, str]:
        """What goes down the pipe."""
        given = {"db": self.db, "user": self.user, "password": self.password}
        return {k: v for k, v in given.items() if v is not None}


def for_starter(target: str, user: str | None) -> Launch:
    """The person who started the server, as `audit-tui --db TARGET [--as USER]` would be."""
    password = None
    if is_url(target) and not target.startswith("sqlite"):
        url = parse_url(target)
        keys = [k for k in url.query if k.lower() == "password"]
        given = url.password or next((str(url.query[k]) for k in keys), None)
        if given:
            password = str(given)
            # URL.set(password=None) leaves the password as it is: replace the field itself
            target = _text(url._replace(password=None).difference_update_query(keys))
    return Launch(target, user or None, password)


def for_login(server: URL, login: str, password: str) -> Launch:
    """A signed-in login on the team's server (`server`: host, port, database; no user)."""
    url = server._replace(username=login, password=None)
    return Launch(_text(url), None, password, TEAM_DROPS)


def _text(url: URL) -> str:
    return url.render_as_string(hide_password=False)  # it holds none by now
