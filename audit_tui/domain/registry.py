"""Which rubrics are installed: the shipped ones, a user's rubric folder, and files named on the command line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from audit_tui.domain.errors import AuditError, Problem, RubricError
from audit_tui.domain.files import TomlTooDeep, load_toml
from audit_tui.domain.loader import parse_rubric, read_rubric_text
from audit_tui.domain.rubric import Rubric
from audit_tui.domain.rubric_lines import with_lines


@dataclass(frozen=True)
class InstalledRubric:
    rubric: Rubric
    path: Path
    text: str


@dataclass(frozen=True)
class BrokenRubric:
    """A rubric file that did not load: its problems, whether it was named on the command line,
    and the ids it may have been meant as (its `id`, if that much could be read, and its name)."""

    path: Path
    problems: tuple[Problem, ...]
    given: bool
    meant_as: frozenset[str]


@dataclass
class RubricCatalogue:
    """Rubrics by id. Broken files are kept as problems so `rubrics` can name them, not crash."""

    rubrics: dict[str, InstalledRubric]
    problems: list[Problem]
    broken: list[BrokenRubric] = field(default_factory=list)

    @property
    def given_problems(self) -> list[Problem]:
        """The problems of files named with `--rubric-file`: the user asked for those files, so
        a command that reads rubrics must stop on them rather than go on without them."""
        return [p for b in self.broken if b.given for p in b.problems]

    @property
    def folder_problems(self) -> list[Problem]:
        """The problems of broken files in the rubric folders: a warning unless one is asked for."""
        return [p for b in self.broken if not b.given for p in b.problems]

    def get(self, rubric_id: str) -> InstalledRubric:
        """The rubric with this id. Refused, with every problem, when a `--rubric-file` is broken,
        or when a broken file looks meant as this id (even if another file holds it, as a user's
        broken edit of a shipped rubric: taking the shipped one would quietly use the wrong one)."""
        if given := self.given_problems:
            raise RubricError(given)
        meant = [p for b in self.broken if rubric_id in b.meant_as for p in b.problems]
        if meant:
            raise RubricError(meant)
        if rubric_id in self.rubrics:
            return self.rubrics[rubric_id]
        known = ", ".join(sorted(self.rubrics)) or "none"
        raise AuditError.at("--rubric", f'unknown rubric "{rubric_id}" (installed: {known})')


def discover(folders: Iterable[Path], files: Iterable[Path] = ()) -> RubricCatalogue:
    """Load every `*.toml` in `folders` (in order), then `files`; a later one with the same id wins,
    so a user's edited copy overrides the shipped one."""
    catalogue = RubricCatalogue(rubrics={}, problems=[])
    paths = [p for folder in folders if folder.is_dir() for p in sorted(folder.glob("*.toml"))]
    given = list(files)
    for n, path in enumerate([*paths, *given]):
        text = None
        try:
            text = read_rubric_text(path)
            rubric = parse_rubric(text, str(path))
        except RubricError as exc:
            catalogue.problems.extend(exc.problems)
            catalogue.broken.append(
                BrokenRubric(
                    path=path,
                    problems=tuple(exc.problems),
                    given=n >= len(paths),
                    meant_as=frozenset({path.stem, *claimed_id(text)}),
                )
            )
            continue
        catalogue.rubrics[rubric.id] = InstalledRubric(rubric=rubric, path=path, text=text)
    return catalogue


def mapping_cycle(rubric: Rubric, others: Iterable[Rubric]) -> list[str]:
    """A cycle of `[[maps_from]]` through `rubric` among `others` (its ids in order, ending where
    it began; [] when there is none). `maps_from` names an earlier framework: a rubric mapped,
    through others, from itself has no earlier one, and two audits of a two-rubric cycle would
    be matched by whichever mapping the order they are given in picks. (A rubric naming itself
    is refused by the loader.)"""
    edges = {r.id: [m.rubric for m in r.maps_from] for r in others}
    edges[rubric.id] = [m.rubric for m in rubric.maps_from if m.rubric != rubric.id]
    stack, seen = [[rubric.id]], {rubric.id}
    while stack:
        path = stack.pop()
        for step in edges.get(path[-1], []):
            if step == rubric.id:
                return [*path, step]
            if step not in seen:
                seen.add(step)
                stack.append([*path, step])
    return []


def cycle_problems(
    rubric: Rubric, text: str, origin: str, catalogue: RubricCatalogue
) -> list[Problem]:
    """The line a rubric about to be used or installed gives a `[[maps_from]]` cycle with the
    installed ones (its own id's installed copy set aside: this file would replace it)."""
    installed = [i.rubric for rid, i in catalogue.rubrics.items() if rid != rubric.id]
    cycle = mapping_cycle(rubric, installed)
    if not cycle:
        return []
    where = catalogue.rubrics[cycle[1]].path
    problem = Problem(
        origin,
        f"a cycle of maps_from: {' -> '.join(cycle)} ({cycle[1]} is {where}); maps_from names"
        " an earlier framework, so map one way only",
        path=f'maps_from["{cycle[1]}"].rubric',
    )
    return with_lines(text, [problem])


def claimed_id(text: str | None) -> list[str]:
    """The `id` a rubric's text gives, if it is TOML with a string id (else none)."""
    if text is None:
        return []
    try:
        ident = load_toml(text).get("id")
    except (ValueError, TomlTooDeep):
        return []
    return [ident.strip()] if isinstance(ident, str) else []
