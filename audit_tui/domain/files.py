"""Reading small user files safely: regular files only, a size cap, and TOML with a nesting cap.

A path a user gives may be a named pipe (opening it blocks until a writer appears), a device such as
`/dev/zero` (reading never ends), a folder, or a file far larger than any real input. Each of those
must end in one clear error, fast, before anything is read. Callers turn `FileRefused` and
`TomlTooDeep` into their own error types, naming the file.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MAX_TOML_DEPTH = 32
"""Deepest nesting of tables and arrays a TOML file may have (the shipped rubric uses 6)."""

_KINDS = (
    (stat.S_ISDIR, "folder"),
    (stat.S_ISFIFO, "named pipe"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
)


class FileRefused(Exception):
    """A file that was not read. `kind` lets a caller word its own message:
    "missing", "folder", "special" (pipe, device, socket), "too_large" or "unreadable"."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class TomlTooDeep(ValueError):
    """TOML nested deeper than the limit; the message names the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"nested deeper than {limit} levels (the limit for a TOML file)")
        self.limit = limit


def size_text(n: int) -> str:
    """1536 -> "1.5 KiB", 268435456 -> "256 MiB"."""
    value, unit = float(n), "bytes"
    for next_unit in ("KiB", "MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, next_unit
    text = f"{value:,.1f}".removesuffix(".0") if unit != "bytes" else f"{n:,}"
    return f"{text} {unit}"


def _refuse_kind(mode: int) -> None:
    for test, name in _KINDS:
        if test(mode):
            raise FileRefused(
                "folder" if name == "folder" else "special", f"is a {name}, not a file"
            )
    if not stat.S_ISREG(mode):
        raise FileRefused("special", "is not a regular file")


def _reason(exc: Exception) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _too_large(size: int, limit: int) -> FileRefused:
    return FileRefused(
        "too_large", f"is too large ({size_text(size)}; the limit is {size_text(limit)})"
    )


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else raises FileRefused.

    The path is stat'ed first so a device is refused without being opened at all, then opened with
    O_NONBLOCK (a FIFO swapped in meanwhile cannot block the open) and checked again with fstat on
    the open descriptor, which is what is actually read. At most `limit + 1` bytes are read, so a
    file that grows while being read is refused too.
    """
    try:
        _refuse_kind(os.stat(path).st_mode)
        fd = os.open(
            path,
            os.O_RDONLY
            | getattr(os, "O_NONBLOCK", 0)
            | getattr(os, "O_NOCTTY", 0)
            | getattr(os, "O_BINARY", 0),
        )
    except FileNotFoundError:
        raise FileRefused("missing", "no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise FileRefused("unreadable", f"cannot read file ({_reason(exc)})") from None
    try:
        info = os.fstat(fd)
        _refuse_kind(info.st_mode)
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise FileRefused("unreadable", f"cannot read file ({_reason(exc)})") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data


def nesting_depth(data: object) -> int:
    """How deeply tables and arrays nest below the top (`x = 1` is 0, `x = [[1]]` is 2).

    Iterative on purpose: a recursive walk would itself overflow on the input it is checking.
    """
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Iterable[object] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def load_toml(text: str, max_depth: int = MAX_TOML_DEPTH) -> dict[str, Any]:
    """`tomllib.loads`, refusing nesting deeper than `max_depth` with TomlTooDeep.

    tomllib recurses once per level of nesting, so very deep input ends in RecursionError there
    (caught here); input merely deeper than the limit is caught by the iterative check after.
    TOMLDecodeError passes through for the caller to word.
    """
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise TomlTooDeep(max_depth) from None
    if nesting_depth(data) > max_depth:
        raise TomlTooDeep(max_depth)
    return data
