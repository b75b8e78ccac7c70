"""A browser tab's settings (its database target, who it is, a password) handed to its app over
an inherited pipe: never in its arguments, which every user on the machine can read in `ps`, nor
in its environment, which tools print and other processes of the same user read in /proc.

The parent writes the settings (JSON) and closes its end before the child starts; the child
finds the pipe's file descriptor number in $AUDIT_TUI_SETTINGS_FD, reads to the end once, and
closes it. Nothing touches the disk. Standard input and output are the web driver's channel, so
they are never used for this.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from audit_tui.domain.errors import UsageError

SETTINGS_FD = "AUDIT_TUI_SETTINGS_FD"
LONGEST = 4096
"""Bytes: more than any URL and password, no more than a pipe's buffer (POSIX's least), so the
write never blocks."""
KEYS = frozenset({"db", "user", "password"})


class Secret(str):
    """A password that shows as *** wherever it is printed with repr (a crash's traceback lists
    local variables); it is still the text itself for the database driver."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


@dataclass(frozen=True)
class Given:
    """What the server handed a tab's app: it overrides the settings as the command line does."""

    db: str | None = None
    user: str | None = None
    password: Secret | None = field(default=None, repr=False)


def send(settings: Mapping[str, str]) -> int:
    """A readable pipe holding `settings` (db, user, password), ready to pass to a child
    (`pass_fds`); the caller closes it once the child has started."""
    data = json.dumps(dict(settings)).encode("utf-8")
    if len(data) > LONGEST:
        raise ValueError("settings too long for the pipe")
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


def receive() -> Given:
    """The settings on the pipe named by $AUDIT_TUI_SETTINGS_FD (then unset), or none."""
    raw = os.environ.pop(SETTINGS_FD, None)
    if raw is None:
        return Given()
    if not raw.isdigit() or int(raw) < 3:
        raise UsageError(f"${SETTINGS_FD} must name an inherited pipe (a number from 3)")
    fd = int(raw)
    chunks: list[bytes] = []
    try:
        while chunk := os.read(fd, LONGEST + 1):
            chunks.append(chunk)
            if sum(map(len, chunks)) > LONGEST:
                raise UsageError(f"${SETTINGS_FD}: more than {LONGEST} bytes are not settings")
    except OSError as exc:
        raise UsageError(f"${SETTINGS_FD}: cannot read the settings ({exc.strerror})") from None
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        data = json.loads(b"".join(chunks).decode("utf-8"))
    except ValueError:  # not UTF-8, or not JSON
        raise UsageError(f"${SETTINGS_FD}: the settings are not JSON") from None
    if not isinstance(data, dict) or not all(
        k in KEYS and isinstance(v, str) for k, v in data.items()
    ):
        raise UsageError(f"${SETTINGS_FD}: the settings are not {sorted(KEYS)} as text")
    password = data.get("password")
    return Given(data.get("db"), data.get("user"), Secret(password) if password else None)
