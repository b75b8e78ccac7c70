"""Errors that carry where the problem is, so the CLI can print one line per problem."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in one place: a file, then a row and column (CSV) or a path inside it (TOML)."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts = [f"row {self.row}"] if self.row is not None else []
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.path:
            parts.append(self.path)
        where = f"{self.file}: {', '.join(parts)}" if parts else self.file
        return f"{where}: {self.message}"


class AuditError(Exception):
    """A data error the user can fix: printed as one line per problem, exit code 1."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def at(cls, file: str, message: str, **where: object) -> AuditError:
        return cls([Problem(file, message, **where)])  # type: ignore[arg-type]


class RubricError(AuditError):
    """A rubric file that cannot be used: names the file and the path of the bad item."""


class UsageError(Exception):
    """The command line was wrong (unknown audit name is data; a bad flag combination is usage): exit 2."""
