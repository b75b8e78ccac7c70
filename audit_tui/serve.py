"""`audit-tui serve`: the app in a browser, through textual-serve.

Each browser tab runs its own copy of the app on this machine, as the person who started the
server (the same database, the same identity). The page has no login of its own, so it listens
on this machine only unless `--public` says otherwise.

The database target travels to the app in the environment, never on its command line: the
server prints its command, and a PostgreSQL URL may hold a password. The page is served without
its web-font link, so a browser showing case data makes no request outside the server.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from pathlib import Path

from audit_tui.domain.errors import UsageError

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
EXTERNAL_LINK = re.compile(r"<link[^>]*https?://[^>]*>\s*", re.IGNORECASE)
NO_LOGIN = (
    "the page has no login of its own: anyone who can reach {where} can use the app as {who}."
    " Put it behind your organisation's proxy, or reach it through an SSH tunnel"
)


def check_host(host: str, public: bool) -> None:
    if host not in LOOPBACK and not public:
        raise UsageError(
            f"serve: --host {host} is reachable from other machines, and "
            + NO_LOGIN.format(where="it", who="you")
            + "; give --public to serve it there anyway"
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


def serve(target: str, user: str | None, host: str, port: int, public: bool) -> None:
    """Serve until interrupted. `target` and `user` reach each app through the environment."""
    check_host(host, public)
    if not 0 < port < 65536:
        raise UsageError(f"serve: --port {port} is not a port (1 to 65535)")
    from textual_serve.server import Server

    os.environ["AUDIT_TUI_DB"] = target
    if user:
        os.environ["AUDIT_TUI_USER"] = user
    if host not in LOOPBACK:
        print(
            "audit-tui: warning: " + NO_LOGIN.format(where=f"{host}:{port}", who="you"),
            file=sys.stderr,
        )
    with tempfile.TemporaryDirectory(prefix="audit-tui-serve-") as tmp:
        server = Server(
            shlex.join([sys.executable, "-m", "audit_tui"]),
            host=host,
            port=port,
            title="audit-tui",
            templates_path=_templates(Path(tmp)),
        )
        server.serve()
