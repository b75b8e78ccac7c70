"""textual-serve's aiohttp server with a gate in front and the app launched per person.

Kept from textual-serve: its routes (the page, `/ws`, `/download/{key}`, `/static`), its page
template and script, the WebSocket protocol. Changed, by overriding:
- every request passes the gate's middleware (guard.py), which adds the sign-in routes if any;
- the page's addresses are the ones the browser used (its `Host`, https behind a TLS proxy),
  not the address the server listens on, so the WebSocket goes back to the page's own origin;
- each tab's app starts from the admitted `Launch`: no shell, its target, identity and
  password on a pipe (never its command line or environment);
- logging has no access log (a first visit's address holds the token) and no local variables
  in tracebacks (a launch holds a password).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from asyncio.subprocess import PIPE, Process
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from audit_tui.web import pipe
from audit_tui.web.guard import LAUNCH, LOOPBACK, Gate, is_https, middleware
from audit_tui.web.launch import CHILD, Launch

log = logging.getLogger("audit-tui.serve")


CARRIED = ("AUDIT_TUI_DB",)
"""The server's own, which the pipe carries instead (a URL there could hold a password)."""
QUIT_SECONDS = 10
"""How long an app has to end once its tab has gone (queued writes commit in milliseconds)."""


class LaunchedApp(AppService):
    """One tab's app, started as its `Launch` says, and ended when its tab goes."""

    def __init__(self, launch: Launch, **kwargs: Any) -> None:
        super().__init__(" ".join((sys.executable, *CHILD)), **kwargs)
        self.launch = launch

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        env = self._build_environment(width=width, height=height)
        for name in (*self.launch.drops, *CARRIED, pipe.SETTINGS_FD):
            env.pop(name, None)
        passed = (pipe.send(self.launch.settings()),)
        env[pipe.SETTINGS_FD] = str(passed[0])
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *CHILD,
                stdin=PIPE,
                stdout=PIPE,
                stderr=PIPE,
                env=env,
                pass_fds=passed,
            )
        finally:
            for fd in passed:
                os.close(fd)
        self._process = process
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def on_data(self, payload: bytes) -> None:
        """Sent on to the tab; once the tab has gone, dropped, and the app is still read to the
        end (textual-serve stops reading, and an app blocked writing could not end)."""
        with contextlib.suppress(ConnectionError):
            await super().on_data(payload)

    async def on_meta(self, data: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            await super().on_meta(data)

    async def stop(self) -> None:
        """textual-serve's stop (tell the app to quit, read it to the end), with a deadline: an
        app that has not ended by then is killed, so none outlives its tab or holds the server."""
        process = self._process
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(super().stop(), QUIT_SECONDS)
        self._task = None
        if process is None:
            return
        try:
            await asyncio.wait_for(process.wait(), QUIT_SECONDS)
        except TimeoutError:
            log.warning("an app did not end when its tab closed: killed")
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


class GuardedServer(Server):
    def __init__(
        self, gate: Gate, *, host: str, port: int, address: str, templates_path: Path
    ) -> None:
        super().__init__(
            "audit-tui", host=host, port=port, title="audit-tui", templates_path=templates_path
        )
        self.gate = gate
        self.address = address
        """What to print: where to open the app (with the token, for one person)."""
        self.this_machine_only = host in LOOPBACK
        self.tabs: set[web.WebSocketResponse] = set()

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(middleware(self.gate, this_machine_only=self.this_machine_only))
        app.add_routes(self.gate.routes())
        return app

    def initialize_logging(self) -> None:
        logging.basicConfig(
            level=logging.INFO, format="audit-tui serve: %(message)s", stream=sys.stderr
        )
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every tab, so each app is told to quit (its writes commit) before the end."""
        for websocket in list(self.tabs):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    async def on_startup(self, app: web.Application) -> None:
        print(f"audit-tui serve: open {self.address}", flush=True)
        print("audit-tui serve: Ctrl+C stops the server", flush=True)

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        origin = f"{'https' if is_https(request) else 'http'}://{request.host}"
        websocket = ("wss" if origin.startswith("https") else "ws") + origin[origin.index(":") :]
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": websocket + str(request.app.router["websocket"].url_for()),
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, starting a `LaunchedApp` for whoever the gate admitted."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        app_service: LaunchedApp | None = None
        self.tabs.add(websocket)
        try:
            await websocket.prepare(request)
            app_service = LaunchedApp(
                request[LAUNCH],
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            log.exception("the app's connection failed")
        finally:
            if app_service is not None:
                await app_service.stop()
            self.tabs.discard(websocket)
        return websocket
