"""A password handed to a child process over an inherited pipe, never in its arguments or
environment (which other processes of the same user can read in /proc, and tools print).

The parent writes the password and closes its end before the child starts; the child finds the
pipe's file descriptor number in $AUDIT_TUI_PASSWORD_FD, reads to the end once, and closes it.
Standard input and output are the web driver's channel, so they are never used for this.
"""

from __future__ import annotations

import contextlib
import os

from audit_tui.domain.errors import UsageError

PASSWORD_FD = "AUDIT_TUI_PASSWORD_FD"
LONGEST = 4096
"""Bytes: more than any password, less than a pipe's buffer, so the write never blocks."""


class Secret(str):
    """A password that shows as *** wherever it is printed with repr (a crash's traceback lists
    local variables); it is still the text itself for the database driver."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


def send(password: str) -> int:
    """A readable pipe holding `password`, ready to pass to a child (`pass_fds`); the caller
    closes it once the child has started."""
    data = password.encode("utf-8")
    if len(data) > LONGEST:
        raise ValueError("password too long for the pipe")
    read_end, write_end = os.pipe()
    try:
        while data:
            data = data[os.write(write_end, data) :]
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return read_end


def receive() -> Secret | None:
    """The password on the pipe named by $AUDIT_TUI_PASSWORD_FD (then unset), or None."""
    raw = os.environ.pop(PASSWORD_FD, None)
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 3:
        raise UsageError(f"${PASSWORD_FD} must name an inherited pipe (a number from 3)")
    fd = int(raw)
    chunks: list[bytes] = []
    try:
        while chunk := os.read(fd, LONGEST + 1):
            chunks.append(chunk)
            if sum(map(len, chunks)) > LONGEST:
                raise UsageError(f"${PASSWORD_FD}: more than {LONGEST} bytes is not a password")
    except OSError as exc:
        raise UsageError(f"${PASSWORD_FD}: cannot read the password ({exc.strerror})") from None
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        return Secret(b"".join(chunks).decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"${PASSWORD_FD}: the password is not UTF-8") from None
