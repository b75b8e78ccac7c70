"""Who may reach the app: every request passes `middleware` before textual-serve sees it.

- Served on this machine only, a request must name this machine (`Host`): a web page whose
  name was pointed at 127.0.0.1 (DNS rebinding) is refused.
- A WebSocket, and any request that is not a GET, must come from the page's own origin
  (`Origin` matching `Host`): another site open in the same browser cannot drive the app.
- Everything but textual-serve's static files (its script and style, no data) needs the gate's
  admission: the token (one person) or a signed-in session (a team). What is admitted is a
  `Launch`, the app that request's tab will start.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Protocol
from urllib.parse import urlsplit

from aiohttp import web

from audit_tui.web.launch import Launch

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
LAUNCH = "audit_tui.launch"
"""The request key under which the middleware leaves the admitted `Launch` for the handler."""
OPEN_PREFIX = "/static/"
HEADERS = {
    "X-Frame-Options": "DENY",  # no other site may frame the page and steer clicks into it
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",  # no-referrer would make a form post's Origin "null"
    "Cache-Control": "no-store",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Gate(Protocol):
    """How a mode admits a browser: the token, or the sign-in."""

    open_paths: frozenset[str]
    """Paths anyone may reach (the sign-in form's target), still under the Origin check."""

    def admit(self, request: web.Request) -> Launch | None: ...

    def welcome(self, request: web.Request) -> web.StreamResponse | None:
        """A response that admits the browser from now on (a cookie), or None."""

    async def door(self, request: web.Request) -> web.StreamResponse:
        """What the page is for someone not admitted."""

    def routes(self) -> list[web.RouteDef]: ...

    def address(self, base: str) -> str:
        """The URL to print for `base` (scheme://host:port)."""


def hostname(netloc: str) -> str:
    return (urlsplit("//" + netloc).hostname or "").lower()


def names_this_machine(request: web.Request) -> bool:
    return hostname(request.host) in LOOPBACK


def same_origin(request: web.Request) -> bool:
    """`Origin` is the address this request was sent to (http or https, through a proxy that
    keeps `Host`); a missing or `null` Origin is not."""
    origin = urlsplit(request.headers.get("Origin", ""))
    return (
        origin.scheme in ("http", "https")
        and not origin.path
        and origin.netloc.lower() == request.host.lower()
    )


def is_https(request: web.Request) -> bool:
    """Whether the browser sees https (directly, or through the proxy that says so)."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so response times say nothing about how much was right."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str) -> None:
    """HttpOnly (no script reads it) and SameSite=Strict (no other site's request carries it)."""
    response.set_cookie(
        name, value, path="/", httponly=True, samesite="Strict", secure=is_https(request)
    )


def refuse(text: str, status: int = 403) -> web.Response:
    return web.Response(status=status, text=text + "\n", headers=HEADERS)


def middleware(
    gate: Gate, *, this_machine_only: bool
) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if this_machine_only and not names_this_machine(request):
            return refuse("this server answers to 127.0.0.1 or localhost only")
        if request.path.startswith(OPEN_PREFIX) and request.method in ("GET", "HEAD"):
            return await handler(request)
        if (request.method not in ("GET", "HEAD") or request.path == "/ws") and not same_origin(
            request
        ):
            return refuse("refused: this request does not come from the app's own page")
        if request.path in gate.open_paths:
            return _protected(await handler(request))
        if (welcome := gate.welcome(request)) is not None:
            return _protected(welcome)
        launch = gate.admit(request)
        if launch is None:
            if request.path == "/" and request.method in ("GET", "HEAD"):
                return _protected(await gate.door(request))
            return refuse("refused: open the app's page first")
        request[LAUNCH] = launch
        return _protected(await handler(request))

    return guard


def _protected(response: web.StreamResponse) -> web.StreamResponse:
    if not response.prepared:  # a WebSocket has answered already
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
    return response


class TokenGate:
    """One person: a random token, printed in the URL on the starter's terminal only.

    The first visit with `?token=` gets a cookie and is sent on to `/` without it, so the token
    leaves the address bar and the history; the WebSocket carries the cookie (or `?token=`,
    for clients that are not browsers). The cookie's name holds the port: another server on
    this machine keeps its own.
    """

    open_paths: frozenset[str] = frozenset()

    def __init__(self, launch: Launch, port: int) -> None:
        self.launch = launch
        self.token = secrets.token_urlsafe(32)
        self.cookie = f"audit-tui-token-{port}"

    def admit(self, request: web.Request) -> Launch | None:
        given = (request.cookies.get(self.cookie), request.query.get("token"))
        return self.launch if any(matches(t, self.token) for t in given) else None

    def welcome(self, request: web.Request) -> web.StreamResponse | None:
        if request.path != "/" or not matches(request.query.get("token"), self.token):
            return None
        rest = {k: v for k, v in request.query.items() if k != "token"}
        response = web.Response(
            status=303, headers={"Location": str(request.rel_url.with_query(rest))}
        )
        set_cookie(response, request, self.cookie, self.token)
        return response

    async def door(self, request: web.Request) -> web.StreamResponse:
        return refuse(
            "audit-tui: open the address printed when the server started (it holds the token)"
        )

    def routes(self) -> list[web.RouteDef]:
        return []

    def address(self, base: str) -> str:
        return f"{base}/?token={self.token}"
