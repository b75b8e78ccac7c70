"""Load and validate rubric files: every problem is reported with the file and the item's path."""

from __future__ import annotations

import hashlib
import itertools
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from audit_tui.domain.errors import Problem, RubricError
from audit_tui.domain.files import FileRefused, TomlTooDeep, load_toml, read_regular_file
from audit_tui.domain.rubric import WORD, WORD_OR_NONE, Rubric
from audit_tui.domain.rubric_lines import with_lines
from audit_tui.domain.safe_text import printable
from audit_tui.paths import shipped_rubric_dir

MAX_RUBRIC_BYTES = 4 * 1024 * 1024
"""Largest rubric file read (4 MiB; the shipped one is a few dozen KiB)."""


def load_rubric_file(path: Path) -> Rubric:
    """Read and validate a rubric TOML file; raises RubricError listing every problem."""
    return parse_rubric(read_rubric_text(path), str(path))


def read_rubric_text(path: Path) -> str:
    """The text of a rubric file; a pipe, device, folder or oversized file is refused unread."""
    try:
        data = read_regular_file(path, MAX_RUBRIC_BYTES)
    except FileRefused as exc:
        message = {
            "missing": "cannot read rubric file (no such file)",
            "unreadable": exc.reason.replace("cannot read file", "cannot read rubric file", 1),
        }.get(exc.kind, exc.reason)
        raise RubricError.at(str(path), message) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RubricError.at(str(path), f"not UTF-8 text (byte {exc.start})") from None


def parse_rubric(text: str, origin: str = "<rubric>") -> Rubric:
    """Parse rubric TOML text; `origin` names it in errors (a file path, or an audit's snapshot).

    Parsed once per distinct text, whatever names it: a database of 1,000 audits holds a few
    rubric snapshots, each shared by hundreds of audits."""
    try:
        return _parse_cached(text)
    except RubricError as exc:  # not cached: named for this origin
        named = [replace(p, file=origin) if p.file == _ORIGIN else p for p in exc.problems]
        raise RubricError(with_lines(text, named)) from None


_ORIGIN = "<rubric>"
"""Where a problem is found until `parse_rubric` names it."""


@lru_cache(maxsize=32)
def _parse_cached(text: str) -> Rubric:
    origin = _ORIGIN
    try:
        raw = load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError.at(origin, f"not valid TOML: {exc}") from None
    except TomlTooDeep as exc:
        raise RubricError.at(origin, str(exc)) from None
    try:
        rubric = Rubric.model_validate(raw)
    except ValidationError as exc:
        raise RubricError(
            [Problem(origin, _message(err), path=_path(raw, err["loc"])) for err in exc.errors()]
        ) from None
    problems = [Problem(origin, msg, path=where) for where, msg in check_rubric(rubric)]
    if problems:
        raise RubricError(problems)
    stated: dict[str, Any] = {}
    if rubric.declared_scale is None and (scale := _shipped_scale(rubric)) is not None:
        stated["scale"] = scale
    if nouns := _shipped_nouns(rubric, raw):
        stated["scoring"] = {**raw["scoring"], **nouns}
    return Rubric.model_validate({**raw, **stated}) if stated else rubric


def _shipped_scale(rubric: Rubric) -> dict[str, Any] | None:
    """The `[scale]` of the shipped rubric of the same id and version, over the same ratings: an
    audit's rubric stored before scales were declared reads the words and planning figure its
    framework now states, with no stored snapshot rewritten."""
    found = _shipped(rubric).get("scale")
    if not isinstance(found, dict) or tuple(found.get("ratings", ())) != rubric.scale.ratings:
        return None
    return found


NOUNS = ("standard_noun", "standard_noun_plural")


def _shipped_nouns(rubric: Rubric, raw: dict[str, Any]) -> dict[str, Any]:
    """The word for a standard the shipped rubric of the same id and version states, where the
    rubric states none: an audit's DIPP rubric stored before the word was declared still says
    "stage", with no stored snapshot rewritten."""
    if any(noun in raw["scoring"] for noun in NOUNS):
        return {}
    scoring = _shipped(rubric).get("scoring")
    return {n: scoring[n] for n in NOUNS if n in scoring} if isinstance(scoring, dict) else {}


def _shipped(rubric: Rubric) -> dict[str, Any]:
    """The shipped rubric of the same id and version, as read (empty: none)."""
    return _shipped_rubrics().get((rubric.id, rubric.version), {})


@lru_cache(maxsize=1)
def _shipped_rubrics() -> dict[tuple[str, str], dict[str, Any]]:
    """(id, version) -> each shipped rubric's tables (read, not parsed: the shipped files are
    parsed where they are used)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(shipped_rubric_dir().glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # said where that file is used
        out[(str(raw.get("id")), str(raw.get("version")))] = raw
    return out


def rubric_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _message(err: ErrorDetails) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "string_type":  # `version = 0.1`: TOML read a number
        return "should be text in double quotes"
    if err["type"] == "string_pattern_mismatch":  # an id, in words
        return ID_WORDS.get(str((err.get("ctx") or {}).get("pattern")), err["msg"])
    return err["msg"]


ID_WORDS = {
    r"^[a-z0-9][a-z0-9._-]*$": "use lower-case letters, digits, '.', '_' and '-', starting with"
    " a letter or digit",
    r"^[a-z][a-z0-9_]*$": "use lower-case letters, digits and '_', starting with a letter",
    r"^[a-z][a-z0-9_-]*$": "use lower-case letters, digits, '_' and '-', starting with a letter",
    WORD: "give a word (or a few) on one line, with no control characters",
    WORD_OR_NONE: "give a word (or a few) on one line, with no control characters",
}
"""What each id or word pattern of the rubric model allows, as a person reads it."""


def _path(raw: Any, loc: tuple[int | str, ...]) -> str:
    """`standards["2.2"].key_questions["2.2.3"].text`: ids where the raw data has them, else indexes."""
    out, node = "", raw
    for part in loc:
        if isinstance(part, int):
            child = node[part] if isinstance(node, list) and part < len(node) else None
            ident = child.get("id") if isinstance(child, dict) else None
            out += f'["{ident}"]' if isinstance(ident, str) else f"[{part}]"
            node = child
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def check_rubric(r: Rubric) -> list[tuple[str, str]]:
    """Checks that span items. Returns (path, message) pairs; empty means the rubric is usable."""
    problems: list[tuple[str, str]] = []

    def add(where: str, msg: str) -> None:
        problems.append((where, msg))

    seen: dict[str, str] = {}

    def claim(ident: str, where: str) -> None:
        if ident in seen:
            add(where + ".id", f'id "{ident}" is already used at {seen[ident]}')
        else:
            seen[ident] = where

    attr_ids = set()
    for a in r.attributes:
        where = f'attributes["{a.id}"]'
        if a.id in attr_ids or a.id == "case_ref":
            add(where + ".id", f'attribute id "{a.id}" is used twice or reserved')
        attr_ids.add(a.id)
        if len({v.casefold() for v in a.values}) != len(a.values):
            add(where + ".values", "values repeat (they are matched case-insensitively)")

    def check_rule(rule: dict[str, tuple[str, ...]], where: str) -> None:
        for name, allowed in rule.items():
            attr = r.attributes_by_id.get(name)
            if attr is None:
                add(
                    f"{where}.applies_when.{name}",
                    f"unknown case attribute (declared: {', '.join(sorted(attr_ids)) or 'none'})",
                )
                continue
            for v in allowed:
                if v not in attr.values:
                    add(
                        f"{where}.applies_when.{name}",
                        f'"{v}" is not a value of {name} ({", ".join(attr.values)})',
                    )

    for st in r.standards:
        sw = f'standards["{st.id}"]'
        claim(st.id, sw)
        check_rule(st.applies_when, sw)
        if st.method == "judgement" and st.key_questions:
            add(sw + ".key_questions", "a judgement-rated standard has no key questions")
        if st.method == "cases" and not st.key_questions:
            add(
                sw + ".key_questions", "a standard rated from cases needs at least one key question"
            )
        for kq in st.key_questions:
            kw = f'{sw}.key_questions["{kq.id}"]'
            claim(kq.id, kw)
            check_rule(kq.applies_when, kw)
            if r.nested_ids and not kq.id.startswith(st.id + "."):
                add(kw + ".id", f'key question id must start with "{st.id}."')
            for pr in kq.prompts:
                pw = f'{kw}.prompts["{pr.id}"]'
                claim(pr.id, pw)
                check_rule(pr.applies_when, pw)
                if not pr.id.startswith(kq.id + "."):
                    add(pw + ".id", f'prompt id must start with "{kq.id}."')

    for ind in r.indicators:
        iw = f'indicators["{ind.id}"]'
        claim(ind.id, iw)
        check_rule(ind.applies_when, iw)
        if ind.standard is not None and ind.standard not in r.standards_by_id:
            add(iw + ".standard", f'no standard "{ind.standard}" in this rubric')

    for ref in r.items.values():
        if ref.item.reconstructed_from and ref.item.source != "R":
            add(
                f'items["{ref.item.id}"].source',
                'a reconstructed question is not the framework\'s own words: give it source "R"',
            )
    for ident in seen:
        if ident in attr_ids or "," in ident:
            add(seen[ident] + ".id", f'id "{ident}" clashes with a case attribute or holds a comma')

    problems += check_mappings(r)

    problems += check_question_sets(r, check_rule)
    problems += check_scoring(r)
    return problems


def check_scoring(r: Rubric) -> list[tuple[str, str]]:
    """The scale at each level: bands in order and covering 0-100, a standard rule the bands can
    serve, overall bands within the score; `none` at a level leaves its table empty."""
    problems: list[tuple[str, str]] = []

    def add(where: str, msg: str) -> None:
        problems.append((where, msg))

    scoring = r.scoring
    bands, overall = scoring.bands, scoring.overall
    if not r.has_ratings:
        if overall:
            add("scoring.overall", 'a score needs rated standards: standard_rule is "none"')
        for st in r.standards:
            if st.method == "judgement":
                add(
                    f'standards["{st.id}"].method',
                    'a judgement is a rating: standard_rule is "none", so rate from cases',
                )
    elif not bands:
        add(
            "scoring.bands",
            'at least one band is needed to rate standards (standard_rule = "none" reports'
            " percentages only)",
        )
    if bands or r.declared_scale:
        problems += check_scale(r)
    if len({b.rating for b in bands}) != len(bands):
        add("scoring.bands", "each rating may appear once")
    if any(a.min_percent <= b.min_percent for a, b in itertools.pairwise(bands)):
        add("scoring.bands", "list bands highest first, each min_percent lower than the one before")
    if any(a.points < b.points for a, b in itertools.pairwise(bands)):
        add("scoring.bands", "points must not rise as bands fall")
    if bands and bands[-1].min_percent != 0:
        add("scoring.bands", "the lowest band must start at 0 so every percentage has a band")
    if len({o.rating for o in overall}) != len(overall):
        add("scoring.overall", "each rating may appear once")
    if any(a.min_score <= b.min_score for a, b in itertools.pairwise(overall)):
        add(
            "scoring.overall",
            "list overall bands highest first, each min_score lower than the one before",
        )
    if overall and overall[-1].min_score != 0:
        add("scoring.overall", "the lowest overall band must start at 0")
    if bands and overall and overall[0].min_score > r.score_max:
        add(
            "scoring.overall",
            f"min_score {overall[0].min_score} is above the maximum score {r.score_max}",
        )
    if r.has_ratings and not any(True for _ in r.rated_standards):
        add("standards", "at least one standard must be rated")
    if scoring.shares and not r.rates_by_cases:
        problems += _check_one_question_per_case(r)
    return problems


def check_question_sets(
    r: Rubric, check_rule: Callable[[dict[str, tuple[str, ...]], str], None]
) -> list[tuple[str, str]]:
    """Each set's rule names declared attributes and values; each key question names a set the
    rubric declares; sets are declared once."""
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for qs in r.question_sets:
        where = f'question_sets["{qs.id}"]'
        if qs.id in seen:
            problems.append((where + ".id", f'question set "{qs.id}" is declared twice'))
        seen.add(qs.id)
        check_rule(dict(qs.applies_when), where)
    declared = ", ".join(sorted(seen)) or "none"
    for st in r.standards:
        for kq in st.key_questions:
            if kq.set is not None and kq.set not in seen:
                problems.append(
                    (
                        f'standards["{st.id}"].key_questions["{kq.id}"].set',
                        f'unknown question set "{kq.set}" (declared: {declared})',
                    )
                )
    return problems


def _exclusive(a: Mapping[str, tuple[str, ...]], b: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether no case can satisfy both rules: some attribute allows disjoint values in each."""
    return any(name in b and not set(a[name]) & set(b[name]) for name in a)


def _check_one_question_per_case(r: Rubric) -> list[tuple[str, str]]:
    """A share of cases meeting a standard counts each case once: a case may be asked at most
    one of the standard's key questions (a core or an adjusted one, as its set decides)."""
    problems: list[tuple[str, str]] = []
    for st in r.standards:
        kqs = [r.items[kq.id] for kq in st.key_questions]
        for a, b in itertools.combinations(kqs, 2):
            if not _exclusive(a.applies_when, b.applies_when):
                problems.append(
                    (
                        f'standards["{st.id}"].key_questions',
                        f"shares count each case once, but a case can be asked both "
                        f"{a.item.id} and {b.item.id}: give them question sets that exclude "
                        "each other",
                    )
                )
    return problems


def check_scale(r: Rubric) -> list[tuple[str, str]]:
    """Every band and overall rating is a rating of the scale, in the scale's order: the scale
    is what screens and reports list, colour and mark ratings by."""
    problems: list[tuple[str, str]] = []
    scale = r.scale
    if len(set(scale.ratings)) != len(scale.ratings):
        if r.declared_scale:  # else the bands' own check says it
            problems.append(("scale.ratings", "each rating may appear once"))
        return problems
    where = "scale.ratings[{}]" if r.declared_scale else "scoring.bands[{}].rating"
    for i, name in enumerate(scale.ratings):
        if any(printable(ch) != ch for ch in name):
            problems.append((where.format(i), f"{printable(name)} holds a control character"))
    named = printable(", ".join(scale.ratings))
    listed = {
        "bands": [b.rating for b in r.scoring.bands],
        "overall": [o.rating for o in r.scoring.overall],
    }
    for table, ratings in listed.items():
        ranks = []
        for i, rating in enumerate(ratings):
            rank = scale.rank(rating)
            if rank is None:
                where = f"scoring.{table}[{i}].rating"
                problems.append(
                    (where, f'"{printable(rating)}" is not a rating of the scale ({named})')
                )
            else:
                ranks.append(rank)
        if any(a < b for a, b in itertools.pairwise(ranks)):
            problems.append((f"scoring.{table}", "list ratings in the scale's order, best first"))
    return problems


def check_mappings(r: Rubric) -> list[tuple[str, str]]:
    """Each `[[maps_from]]` must lead to this rubric's own key questions and standards, one
    earlier id to each: the earlier rubric's ids are checked when two audits are compared."""
    problems: list[tuple[str, str]] = []
    own = {kq.id for st in r.standards for kq in st.key_questions} | set(r.standards_by_id)
    seen: set[str] = set()
    for m in r.maps_from:
        where = f'maps_from["{m.rubric}"]'
        if m.rubric == r.id:
            problems.append((where + ".rubric", "a rubric cannot map from itself"))
        if m.rubric in seen:
            problems.append((where + ".rubric", "this rubric is mapped from twice"))
        seen.add(m.rubric)
        targets: dict[str, str] = {}
        for old, new in m.items.items():
            at = f'{where}.items."{old}"'
            if new not in own:
                kind = "a prompt or indicator" if new in r.items else "not an id"
                problems.append(
                    (at, f'"{new}" is {kind} of this rubric: map to a key question or standard')
                )
            elif new in targets:
                problems.append((at, f'"{new}" is already mapped from "{targets[new]}"'))
            else:
                targets[new] = old
            if old in m.not_comparable:
                problems.append((at, "also listed in not_comparable"))
    return problems
