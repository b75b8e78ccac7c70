"""`audit-tui serve`: the app in a browser, through textual-serve, for whoever proves who they are.

One person (the default): a random token, printed in the address on the starter's terminal and
kept nowhere else, opens the page and its WebSocket; each tab's app runs as the starter. A team
(`--team`, PostgreSQL): a sign-in form; each tab's app runs as the login that signed in. Either
way a WebSocket or form post from another origin is refused, and the server listens on this
machine only unless `--public` says otherwise. The gate is in `audit_tui.web`.

The database target, identity and password travel to each app on a pipe (`audit_tui.web.pipe`),
never on its command line or in its environment. The page is served without its
web-font link, so a browser showing case data makes no request outside the server.
"""

from __future__ import annotations

import re
import socket
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from audit_tui.domain.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
EXTERNAL_LINK = re.compile(r"<link[^>]*https?://[^>]*>\s*", re.IGNORECASE)


def check_host(host: str, public: bool, team: bool = False) -> None:
    if host not in LOOPBACK and not public:
        raise UsageError(
            f"serve: --host {host} is reachable from other machines: give --public to serve it"
            f" there anyway ({exposure(team)})"
        )


def exposure(team: bool) -> str:
    """What protects a page other machines can reach, and what crosses the network."""
    if team:
        guard, secret = "the sign-in", "passwords cross"
    else:
        guard, secret = "the token in the printed address", "the token crosses"
    return (
        f"only {guard} protects the page; without TLS in front (your organisation's proxy),"
        f" {secret} the network in clear"
    )


def team_server(target: str) -> URL:
    """The team's database (host, port, database, options) from `--db`, with no user in it.

    The server connects only to check each sign-in, as the person signing in, so `--db` needs
    no password: one given there is refused rather than kept in the server's command line."""
    from audit_tui.store.engine import parse_url
    from audit_tui.store.urls import SECRET_QUERY_KEYS, is_url

    if not is_url(target) or target.startswith("sqlite"):
        raise UsageError("serve --team is for PostgreSQL: on SQLite there are no logins to sign in")
    url = parse_url(target)
    if url.get_backend_name() != "postgresql":
        raise UsageError(f"serve --team is for PostgreSQL, not {url.get_backend_name()}")
    if url.password or any(k.lower() in SECRET_QUERY_KEYS for k in url.query):
        raise UsageError(
            "serve --team: leave the password out of --db: the server connects only to check"
            " each sign-in, with the password typed there"
        )
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url._replace(username=None).difference_update_query(
        [k for k in url.query if k.lower() == "user"]
    )


def _templates(folder: Path) -> Path:
    """textual-serve's page, without links to other servers (its web font)."""
    import textual_serve

    source = Path(textual_serve.__file__).parent / "templates"
    for page in source.iterdir():
        if page.is_file():
            text = page.read_text(encoding="utf-8")
            (folder / page.name).write_text(EXTERNAL_LINK.sub("", text), encoding="utf-8")
    return folder


def _base(host: str, port: int) -> str:
    """scheme://host:port to print: this machine's name for a wildcard host."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def serve(
    target: str, user: str | None, host: str, port: int, public: bool, team: bool = False
) -> None:
    """Serve until interrupted."""
    check_host(host, public, team)
    if not 0 < port < 65536:
        raise UsageError(f"serve: --port {port} is not a port (1 to 65535)")
    from audit_tui.web.guard import Gate, TokenGate
    from audit_tui.web.launch import for_starter
    from audit_tui.web.server import GuardedServer
    from audit_tui.web.signin import SignInGate

    gate: Gate = (
        SignInGate(team_server(target), port)
        if team
        else TokenGate(for_starter(target, user), port)
    )
    if host not in LOOPBACK:
        print(
            f"audit-tui: warning: {host}:{port} is open to other machines: {exposure(team)}",
            file=sys.stderr,
        )
    with tempfile.TemporaryDirectory(prefix="audit-tui-serve-") as tmp:
        GuardedServer(
            gate,
            host=host,
            port=port,
            address=gate.address(_base(host, port)),
            templates_path=_templates(Path(tmp)),
        ).serve()
