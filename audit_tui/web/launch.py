"""What each browser tab's app is started with: its database target and identity in the
environment (never the command line, which textual-serve and `ps` show), and its password, if
any, apart from both, for the pipe.

One person: the starter's target and `--as`; a password in their URL moves to the pipe. A team:
the signed-in login's URL, which holds no password, and that login's password for the pipe; the
starter's own PostgreSQL identity and credentials are not passed on.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    env: Mapping[str, str]
    """Set in the child's environment."""
    password: str | None = field(default=None, repr=False)
    """For the pipe; kept out of repr so no log or traceback can show it."""
    drops: tuple[str, ...] = ()
    """Removed from the environment the child would otherwise inherit from the server."""


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
    env = {"AUDIT_TUI_DB": target}
    if user:
        env["AUDIT_TUI_USER"] = user
    return Launch(env, password)


def for_login(server: URL, login: str, password: str) -> Launch:
    """A signed-in login on the team's server (`server`: host, port, database; no user)."""
    url = server._replace(username=login, password=None)
    return Launch({"AUDIT_TUI_DB": _text(url)}, password, TEAM_DROPS)


def _text(url: URL) -> str:
    return url.render_as_string(hide_password=False)  # it holds none by now
