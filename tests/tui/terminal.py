"""`audit-tui` in a real pseudo-terminal, read through a terminal emulator (pyte) so tests and
benchmarks see the screen a user sees, not the stream of partial redraws that builds it."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Mapping, Sequence

import pyte


class Terminal:
    """The app in a pty; its output is read as it arrives (select, no sleeping)."""

    def __init__(
        self,
        *args: str,
        size: tuple[int, int] = (120, 40),
        env: Mapping[str, str] | None = None,
        python_args: Sequence[str] = ("-m", "audit_tui"),
    ) -> None:
        """`audit-tui ARGS` (or `python PYTHON_ARGS ARGS`) in a terminal of `size` (columns, lines)."""
        columns, lines = size
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: size its terminal before the app reads it, then become it
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
            # an explicit environment: test runners put COLUMNS and LINES in the process's own
            # (behind os.environ's back), and the pty's size must be the truth
            child_env = {**os.environ, **(env or {}), "TERM": "xterm-256color"}
            for fixed in ("COLUMNS", "LINES"):
                child_env.pop(fixed, None)
            os.execve(sys.executable, [sys.executable, *python_args, *args], child_env)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def pump(self, timeout: float) -> bool:
        """Feed the emulator whatever the app has drawn, waiting up to `timeout` for some."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # the app has gone
            return False
        self.stream.feed(data)
        return bool(data)

    def wait_for(self, text: str, timeout: float = 20) -> float:
        """Read what the app draws until `text` is on screen; returns when it appeared."""
        deadline = time.monotonic() + timeout
        while text not in self.text():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.pump(remaining):
                raise AssertionError(f"{text!r} never appeared on screen:\n{self.text()}")
        return time.monotonic()

    def keys(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
