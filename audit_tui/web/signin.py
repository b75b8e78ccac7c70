"""A team on PostgreSQL: each person signs in with their own login and password, and each tab's
app runs as that login.

The server keeps no list of people: a sign-in is a connection to PostgreSQL as that login,
which must succeed with the password asked for (a server that lets the login in without asking,
under `trust` or `peer`, proves nothing: refused, and said on the server's terminal). A session
is a random cookie naming an entry in this process's memory, which holds the password for the
apps the session starts; nothing is written anywhere, and it ends with the server or after
SESSION_HOURS.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass, field
from html import escape

import psycopg
from aiohttp import web
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL

from audit_tui.web.guard import HEADERS, set_cookie
from audit_tui.web.launch import Launch, for_login

log = logging.getLogger("audit-tui.serve")
SESSION_HOURS = 12
FAILED_PAUSE = 1.0
"""Seconds a failed sign-in waits before it answers; checks run CHECKS at a time, so guessing
passwords through the form is slow."""
CHECKS = 2
LONGEST_LOGIN = 63  # PostgreSQL's identifiers, in bytes
LONGEST_PASSWORD = 1024
FORM = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>audit-tui: sign in</title>
<meta name="viewport" content="width=device-width">
<style>
body {{ background: #0c181f; color: #eee; font: 16px system-ui, sans-serif; display: grid;
  place-items: center; min-height: 90vh; margin: 0; }}
form {{ background: #12232d; padding: 2em 2.5em; display: grid; gap: .6em; min-width: 18em; }}
input {{ font: inherit; padding: .4em; }}
button {{ font: inherit; padding: .5em; background: #5e0ba7; color: #fff; border: 0; }}
p.failed {{ color: #ffb4a9; margin: 0; }}
</style></head>
<body><form method="post" action="/sign-in">
<h1>audit-tui</h1>{message}
<label for="login">Login name</label>
<input id="login" name="login" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
<small>Your PostgreSQL login: the app runs as you.</small>
</form></body></html>
"""
FORM_HEADERS = {
    **HEADERS,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline';"
    " form-action 'self'; frame-ancestors 'none'",
}


@dataclass
class Session:
    login: str
    launch: Launch = field(repr=False)
    ends: float


class SignInGate:
    open_paths = frozenset({"/sign-in", "/sign-out"})

    def __init__(self, server: URL, port: int) -> None:
        """`server`: the team's database (host, port, database, options) with no user."""
        self.server = server
        self.cookie = f"audit-tui-session-{port}"
        self.sessions: dict[str, Session] = {}
        self._checks = asyncio.Semaphore(CHECKS)
        self._warned = False

    def admit(self, request: web.Request) -> Launch | None:
        session = self.sessions.get(request.cookies.get(self.cookie, ""))
        if session is None or session.ends < time.monotonic():
            return None
        return session.launch

    def welcome(self, request: web.Request) -> web.StreamResponse | None:
        return None

    async def door(self, request: web.Request) -> web.StreamResponse:
        return form()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/sign-in", self.sign_in),
            web.get("/sign-in", self.to_form),  # a reload or bookmark of the form's target
            web.get("/sign-out", self.sign_out),
            web.post("/sign-out", self.sign_out),
        ]

    def address(self, base: str) -> str:
        return f"{base}/"

    async def sign_in(self, request: web.Request) -> web.StreamResponse:
        posted = await request.post()
        login, password = posted.get("login"), posted.get("password")
        if not (
            isinstance(login, str) and isinstance(password, str) and _plausible(login, password)
        ):
            return await _failed()
        async with self._checks:
            if not await self._check(login, password):
                return await _failed()
        self._forget_ended()
        key = secrets.token_urlsafe(32)  # a new one at each sign-in: none can be planted
        ends = time.monotonic() + SESSION_HOURS * 3600
        self.sessions[key] = Session(login, for_login(self.server, login, password), ends)
        log.info("%s signed in", login)
        response = web.Response(status=303, headers={"Location": "/"})
        set_cookie(response, request, self.cookie, key)
        return response

    async def to_form(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=303, headers={"Location": "/"})

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        self.sessions.pop(request.cookies.get(self.cookie, ""), None)
        response = web.Response(status=303, headers={"Location": "/"})
        response.del_cookie(self.cookie, path="/")
        return response

    async def _check(self, login: str, password: str) -> bool:
        """A connection as `login` with `password`, which the server must have asked for."""
        where = self.server
        params = {k: v for k, v in where.query.items() if isinstance(v, str)}
        params.update(
            {
                k: str(v)
                for k, v in (("host", where.host), ("port", where.port), ("dbname", where.database))
                if v is not None
            }
        )
        try:
            conn = await psycopg.AsyncConnection.connect(
                make_conninfo("", **params), user=login, password=password, connect_timeout=10
            )
        except psycopg.Error as exc:
            log.info("a sign-in failed: %s", " ".join(str(exc).split()))
            return False
        try:
            asked = conn.pgconn.used_password
        finally:
            await conn.close()
        if not asked and not self._warned:
            self._warned = True
            log.warning(
                "the database server let a login in without asking for its password, so no"
                " sign-in can be checked: refused. Make pg_hba.conf ask these logins for a"
                " password (scram-sha-256)"
            )
        return asked

    def _forget_ended(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self.sessions.items() if s.ends < now]:
            del self.sessions[key]


def _plausible(login: str, password: str) -> bool:
    """Shapes PostgreSQL could accept; an empty password would let libpq fall back to the
    server user's ~/.pgpass or $PGPASSWORD, so it is never tried."""
    return (
        0 < len(login.encode()) <= LONGEST_LOGIN
        and 0 < len(password) <= LONGEST_PASSWORD
        and login.isprintable()
        and "\x00" not in password
    )


def form(message: str = "", status: int = 200) -> web.Response:
    text = FORM.format(message=f'<p class="failed">{escape(message)}</p>' if message else "")
    return web.Response(status=status, text=text, content_type="text/html", headers=FORM_HEADERS)


async def _failed() -> web.Response:
    await asyncio.sleep(FAILED_PAUSE)
    return form("Sign-in failed.", status=401)
