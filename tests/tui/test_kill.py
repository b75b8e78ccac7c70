"""Killing the app (SIGKILL, no chance to clean up) loses nothing it showed as saved.

The real command runs in a pseudo-terminal, driven by keystrokes as a user would; the database is
then read by another connection.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import sqlite3
import struct
import sys
import termios
import time

import pytest


class Terminal:
    """`audit-tui` in a pty; its output is read as it arrives (select, no sleeping)."""

    def __init__(self, *args: str) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the app
            os.environ["TERM"] = "xterm-256color"
            os.execv(sys.executable, [sys.executable, "-m", "audit_tui", *args])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.output = bytearray()

    def wait_for(self, text: str, timeout: float = 20) -> None:
        """Read what the app draws until `text` appears (waiting on the pty, not sleeping)."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(0.0, remaining))
            if not ready:
                raise AssertionError(f"{text!r} never appeared on screen")
            self.output.extend(os.read(self.fd, 65536))

    def keys(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def answers(db: str) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return conn.execute(
            "SELECT c.case_ref, a.item_id, a.value FROM answer a JOIN audit_case c ON c.id = a.case_id"
            " ORDER BY a.id"
        ).fetchall()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_sigkill_after_saving_loses_nothing(two_case_db: str) -> None:
    term = Terminal("--db", two_case_db)
    try:
        term.wait_for("spo-check")
        term.keys("\r")
        term.wait_for("QA-002")
        term.keys("\r")
        term.wait_for("0/65 answered")
        term.keys("y")
        term.wait_for("1/65 answered")  # the header counts only what is committed
        term.keys("n")
        term.wait_for("2/65 answered")
        term.keys("a")
        term.wait_for("3/65 answered")
    finally:
        term.kill()
    assert answers(two_case_db) == [
        ("QA-001", "2.2.1.a", "yes"),
        ("QA-001", "2.2.1.b", "no"),
        ("QA-001", "2.2.1.c", "na"),
    ]
