"""Errors that carry where the problem is, so the CLI can print one line per problem."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict, Unpack

from audit_tui.domain.safe_text import printable as printable  # re-exported: its old home

LINE_WIDTH = 4000
"""Longest error line printed: far beyond any real message, short enough to keep output bounded."""


def problem_lines(
    problems: Sequence[object], limit: int = 20, width: int = LINE_WIDTH
) -> list[str]:
    """At most `limit` printable lines, one per problem, then one line counting the rest.

    A file with a hundred thousand bad columns must not print a hundred thousand lines; the first
    problems are the ones a user fixes first. Lines longer than `width` are cut, saying so.
    """
    lines = []
    for problem in problems[:limit]:
        line = printable(str(problem))
        if len(line) > width:
            line = f"{line[:width]}… ({len(line) - width:,} more characters)"
        lines.append(line)
    rest = len(problems) - limit
    if rest > 0:
        noun = "problem" if rest == 1 else "problems"
        lines.append(f"… and {rest:,} more {noun} (showing the first {limit:,})")
    return lines


@dataclass(frozen=True)
class Problem:
    """One problem in one place: a file, then a row and column (CSV) or a path inside it (TOML).

    `line` is the line of a text file the problem is found on (`my.toml:14: ...`, as compilers
    and editors write it, so an editor can jump there); None where no line can be named."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        parts = [f"row {self.row}"] if self.row is not None else []
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.path:
            parts.append(self.path)
        file = self.file if self.line is None else f"{self.file}:{self.line}"
        where = f"{file}: {', '.join(parts)}" if parts else file
        return f"{where}: {self.message}"


class Where(TypedDict, total=False):
    """Where a problem is, beyond its file: the optional fields of `Problem`, by name."""

    row: int | None
    column: str | None
    path: str | None
    line: int | None


class AuditError(Exception):
    """A data error the user can fix: printed as one line per problem, exit code 1."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def at(cls, file: str, message: str, **where: Unpack[Where]) -> AuditError:
        return cls([Problem(file, message, **where)])


class RubricError(AuditError):
    """A rubric file that cannot be used: names the file and the path of the bad item."""


class UsageError(Exception):
    """The command line was wrong (unknown audit name is data; a bad flag combination is usage): exit 2."""
