"""What a command prints, guarded: whatever reaches stdout or stderr as text passes through
`guard`, so a control character that some output path forgot to escape is shown, never obeyed.

The renderers escape and cut stored text cell by cell (`domain/safe_text.py`); this is the line
behind them for every command, including ones written later. Bytes (an xlsx report to a pipe)
go to the stream's buffer untouched.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, TextIO, cast

from audit_tui.domain.safe_text import guard


class GuardedStream:
    """A text stream that passes everything written to `stream` through `guard`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(guard(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    @property
    def buffer(self) -> IO[bytes]:
        return self._stream.buffer

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, errors ...: the stream's own
        return getattr(self._stream, name)


@contextmanager
def guarded_output() -> Iterator[None]:
    """stdout and stderr guarded while the block runs, then as they were."""
    saved = sys.stdout, sys.stderr
    if saved[0] is not None:
        sys.stdout = cast(TextIO, GuardedStream(saved[0]))
    if saved[1] is not None:
        sys.stderr = cast(TextIO, GuardedStream(saved[1]))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
