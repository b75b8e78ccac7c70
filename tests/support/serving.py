"""`audit-tui serve` as a process, for the tests that open it: start it on a free port, read the
address it prints, find the apps it starts, and drive one of them over its WebSocket as the
browser's script would (keys in, the screen's bytes out, which must be read or the app stalls).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
OPEN = "audit-tui serve: open "
KEYS = {"Escape": "\x1b", "Enter": "\r"}
REACH_AN_ITEM = ("Escape", "Escape", "Enter", "Enter")
"""From any screen: back to the audit list, open the (only) audit, its first case; the next key
answers its first item."""


def screen_words(data: bytes) -> str:
    """The text in what an app wrote to its terminal, escape sequences taken out: roughly what
    the screen says."""
    text = re.sub(rb"\x1b\[[0-9;?<>=$]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b.", b" ", data)
    return " ".join(text.decode(errors="replace").split())


class PageScreen:
    """What the app in a browser page draws, read from the page's WebSocket (the canvas cannot
    be read): a test presses a key and waits for the words the next screen shows, never for
    the clock."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.data = b""
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            self.data += payload

    def press(self, key: str, *, then: str, seconds: float = 60) -> None:
        """Press `key` and wait until what the app draws next says `then`."""
        self.data = b""
        self.page.keyboard.press(key)
        self.wait_for(then, seconds)

    def wait_for(self, words: str, seconds: float = 60) -> None:
        """Until the app has drawn `words`; `seconds` only bounds a failure."""
        end = time.monotonic() + seconds
        while words not in screen_words(self.data):
            if time.monotonic() > end:
                shown = screen_words(self.data)[-3000:]
                raise AssertionError(f"{words!r} not on the screen after {seconds} s: {shown}")
            self.page.wait_for_timeout(50)  # Playwright delivers the frames while it waits


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], object], seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"{what}: not after {seconds} s")
        time.sleep(0.2)


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Server:
    proc: subprocess.Popen[str]
    port: int
    printed: str
    """The address the server printed (with the token, for one person)."""
    output: list[str] = field(default_factory=list)
    """Every line it has printed so far, stdout and stderr (read all along: a server whose
    output nobody reads blocks on its next print)."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def apps(self) -> list[int]:
        """The app processes it started (its children)."""
        return children(self.proc.pid)


@contextlib.contextmanager
def serving(db: str, *extra: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """`audit-tui --db DB serve --port P EXTRA…`, stopped afterwards."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "audit_tui", "--db", db, "serve", "--port", str(port), *extra],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    output: list[str] = []
    readers = [
        threading.Thread(target=output.extend, args=(stream,), daemon=True)
        for stream in (proc.stdout, proc.stderr)
    ]
    for reader in readers:
        reader.start()
    try:
        wait_until(
            lambda: any(line.startswith(OPEN) for line in output) or proc.poll() is not None,
            60,
            "the server prints its address",
        )
        assert proc.poll() is None, output
        wait_until(lambda: listening(port), 30, "the server listens")
        printed = next(line for line in output if line.startswith(OPEN))
        yield Server(proc, port, printed.removeprefix(OPEN).strip(), output)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        for reader in readers:
            reader.join(timeout=10)
        print("--- what the server printed ---\n" + "".join(output))  # shown on a failure


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def process_text(pid: int) -> tuple[str, dict[str, str]]:
    """What another local user's tools could show of a process: its command line and
    (for its own user) its environment."""
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    env = dict(v.decode(errors="replace").split("=", 1) for v in raw if b"=" in v)
    return cmdline, env


class Tab:
    """One browser tab's WebSocket: keys in, and the screen's bytes drained as they come."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.received = 0
        self.tail = b""
        """The last of what the app wrote, for a failure to show."""
        self._reader = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.received += len(message.data)
                self.tail = (self.tail + message.data)[-20_000:]

    def words(self) -> str:
        """The text in the tail: roughly what the screen says."""
        return screen_words(self.tail)[-3000:]

    async def drawn(self, seconds: float = 60) -> None:
        """Wait until the app has drawn something: it started, and it is this tab's."""
        end = time.monotonic() + seconds
        while self.received == 0:
            assert time.monotonic() < end, "the app drew nothing"
            assert not self._reader.done(), "the WebSocket closed"
            await asyncio.sleep(0.1)

    async def press(self, *keys: str, pause: float = 0.5) -> None:
        """Keys as the browser sends them; the pause paces them as a person would (Textual
        reads a lone Escape once nothing follows it), it decides nothing."""
        for key in keys:
            await self.ws.send_json(["stdin", KEYS.get(key, key)])
            await asyncio.sleep(pause)

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@contextlib.asynccontextmanager
async def tab(
    base: str, *, query: str = "", cookie: str | None = None
) -> AsyncIterator[tuple[aiohttp.ClientSession, Tab]]:
    """A WebSocket to BASE/ws from the page's own origin, as the page's script opens it."""
    headers = {"Cookie": cookie} if cookie else {}
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(
            f"{base}/ws?width=120&height=40{query}", origin=base, headers=headers
        )
        opened = Tab(ws)
        try:
            yield session, opened
        finally:
            await opened.close()


async def answer_until(
    opened: Tab, key: str, stored: Callable[[], bool], seconds: float = 90
) -> None:
    """Reach the first item and press `key`, again from the top, until `stored()` says the
    answer is in the database (keys sent before the app is ready are lost)."""
    end = time.monotonic() + seconds
    while not await asyncio.to_thread(stored):
        assert time.monotonic() < end, f"no answer {key!r} reached the database: {opened.words()}"
        await opened.press(*REACH_AN_ITEM, key)
