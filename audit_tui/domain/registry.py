"""Which rubrics are installed: the shipped ones, a user's rubric folder, and files named on the command line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from audit_tui.domain.errors import AuditError, Problem, RubricError
from audit_tui.domain.loader import parse_rubric, read_rubric_text
from audit_tui.domain.rubric import Rubric


@dataclass(frozen=True)
class InstalledRubric:
    rubric: Rubric
    path: Path
    text: str


@dataclass
class RubricCatalogue:
    """Rubrics by id. Broken files are kept as problems so `rubrics` can name them, not crash."""

    rubrics: dict[str, InstalledRubric]
    problems: list[Problem]

    def get(self, rubric_id: str) -> InstalledRubric:
        if rubric_id in self.rubrics:
            return self.rubrics[rubric_id]
        known = ", ".join(sorted(self.rubrics)) or "none"
        raise AuditError.at("--rubric", f'unknown rubric "{rubric_id}" (installed: {known})')


def discover(folders: Iterable[Path], files: Iterable[Path] = ()) -> RubricCatalogue:
    """Load every `*.toml` in `folders` (in order), then `files`; a later one with the same id wins,
    so a user's edited copy overrides the shipped one."""
    catalogue = RubricCatalogue(rubrics={}, problems=[])
    paths = [p for folder in folders if folder.is_dir() for p in sorted(folder.glob("*.toml"))]
    for path in [*paths, *files]:
        try:
            text = read_rubric_text(path)
            rubric = parse_rubric(text, str(path))
        except RubricError as exc:
            catalogue.problems.extend(exc.problems)
            continue
        catalogue.rubrics[rubric.id] = InstalledRubric(rubric=rubric, path=path, text=text)
    return catalogue
