"""The framework decides its words: the shipped rubric's rating names and thresholds are typed in
`rubric/*.toml` and read by the rubric loader, never again in the app's code, so another
framework's words (or a corrected threshold) reach every screen and report from its file alone.

The scan reads every string the code holds (docstrings and f-string parts too), the numbers it
gives a name or an argument about percentages, edges, bands or scores, and the stylesheets as
text. The loader (`domain/loader.py`, `domain/rubric.py`) is the one place exempt. The help text
(`tui/help.md`) is prose about the shipped rubric and is not scanned.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from audit_tui.domain.loader import load_rubric_file
from audit_tui.paths import shipped_rubric_dir
from tests.support.paths import ROOT

LOADER = ("domain/loader.py", "domain/rubric.py")
"""The rubric loader, relative to the package: where the file's words become data."""
NUMBER_NAMES = re.compile(r"percent|edge|band|threshold|score", re.IGNORECASE)
"""A number bound to a name like these is a threshold if it is one of the rubric's."""


@dataclass(frozen=True)
class Words:
    """What the shipped rubrics say that the code must not say again."""

    names: tuple[str, ...]
    percents: frozenset[float]
    """Band edges and the planning figure."""
    numbers: frozenset[float]
    """The percentages and the overall ratings' least scores."""

    def name_patterns(self, *, stylesheet: bool) -> list[re.Pattern[str]]:
        """Each name as written (`Requires improvement`, whole words), as a class or variable
        (`-requires-improvement`, `-good`), and a name of two words or more by its initials in
        capitals (`RI`). In a stylesheet any letter case counts."""
        out = []
        for name in self.names:
            words = name.split()
            slug = "-".join(w.lower() for w in words)
            flags = re.IGNORECASE if stylesheet or len(words) > 1 else 0
            out.append(re.compile(rf"\b{re.escape(name)}\b", flags))
            out.append(re.compile(rf"-{re.escape(slug)}\b", re.IGNORECASE))
            if len(words) > 1:
                out.append(re.compile(rf"\b{''.join(w[0].upper() for w in words)}\b"))
        return out

    def percent_patterns(self) -> list[re.Pattern[str]]:
        """`65%`, `65.0 %`, not `165%` or `6.5%`."""
        return [re.compile(rf"(?<![\d.]){p:g}(\.0+)?\s?%") for p in sorted(self.percents)]


def shipped_words() -> Words:
    names: list[str] = []
    percents: set[float] = set()
    scores: set[float] = set()
    for path in sorted(shipped_rubric_dir().glob("*.toml")):
        rubric = load_rubric_file(path)
        names += [r for r in rubric.scale.ratings if r not in names]
        percents |= set(rubric.scoring.edges) | {rubric.scale.plan_percent}
        scores |= {o.min_score for o in rubric.scoring.overall if o.min_score > 0}
    return Words(tuple(names), frozenset(percents), frozenset(percents | scores))


def _strings(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """(text, line) of each string constant."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value, node.lineno


def _named_numbers(tree: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    """(name, value) for each assignment, keyword argument and parameter default."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                yield ast.unparse(target), node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            yield ast.unparse(node.target), node.value
        elif isinstance(node, ast.keyword) and node.arg is not None:
            yield node.arg, node.value
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            for arg, default in zip(positional[::-1], args.defaults[::-1], strict=False):
                yield arg.arg, default
            for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
                if kw_default is not None:
                    yield arg.arg, kw_default


def _is_number(node: ast.expr, numbers: frozenset[float]) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return False
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
        and node.value in numbers
    )


def _text_findings(where: str, text: str, line: int, patterns: list[re.Pattern[str]]) -> list[str]:
    out = []
    for pattern in patterns:
        for found in pattern.finditer(text):
            at = line + text.count("\n", 0, found.start())
            out.append(f"{where}:{at}: {found.group(0)!r}")
    return out


def findings(package: Path, words: Words) -> list[str]:
    """Every place in `package` (outside the loader) that names a rating or a threshold."""
    exempt = {package / p for p in LOADER}
    in_code = words.name_patterns(stylesheet=False) + words.percent_patterns()
    in_styles = words.name_patterns(stylesheet=True) + words.percent_patterns()
    out: list[str] = []
    for path in sorted(package.rglob("*")):
        where = str(path.relative_to(package.parent))
        if path in exempt or "__pycache__" in path.parts:
            continue
        if path.suffix == ".py":
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for text, line in _strings(tree):
                out += _text_findings(where, text, line, in_code)
            for name, value in _named_numbers(tree):
                if NUMBER_NAMES.search(name) and _is_number(value, words.numbers):
                    out.append(f"{where}:{value.lineno}: {name} = {ast.unparse(value)}")
        elif path.suffix == ".tcss":
            out += _text_findings(where, path.read_text(encoding="utf-8"), 1, in_styles)
    return sorted(set(out))


@pytest.fixture(scope="module")
def words() -> Words:
    return shipped_words()


def test_the_words_come_from_the_shipped_rubric(words: Words) -> None:
    assert words.names == ("Outstanding", "Good", "Requires improvement", "Inadequate")
    assert words.percents == {50, 65, 80, 70}  # band edges, and the planning figure


def test_no_module_outside_the_loader_names_a_rating_or_threshold(words: Words) -> None:
    assert findings(ROOT / "audit_tui", words) == []


def test_the_scan_finds_each_kind_of_naming(words: Words, tmp_path: Path) -> None:
    package = tmp_path / "audit_tui"
    (package / "domain").mkdir(parents=True)
    (package / "domain" / "loader.py").write_text('BEST = "Outstanding"  # the loader may\n')
    (package / "ui.py").write_text(
        '"""Shows `★★☆ Good`."""\n'
        "MARKS = {'Requires improvement': 1}\n"
        "EXPECTED_PERCENT = 70.0\n"
        "WIDTH = 80  # not a threshold: not a name about percentages\n"
        "def plan(edge=65): return f'near {edge}% (the RI edge at 65 %)'\n"
        "CLASSES = ('-inadequate',)\n"
        "fine = 'good enough, for good'\n"
    )
    (package / "app.tcss").write_text(".-outstanding { color: $success; }\n.x { width: 80; }\n")
    found = findings(package, words)
    assert found == sorted(
        [
            "audit_tui/app.tcss:1: '-outstanding'",
            "audit_tui/app.tcss:1: 'outstanding'",
            "audit_tui/ui.py:1: 'Good'",
            "audit_tui/ui.py:2: 'Requires improvement'",
            "audit_tui/ui.py:3: EXPECTED_PERCENT = 70.0",
            "audit_tui/ui.py:5: 'RI'",
            "audit_tui/ui.py:5: '65 %'",
            "audit_tui/ui.py:5: edge = 65",
            "audit_tui/ui.py:6: '-inadequate'",
        ]
    ), found
