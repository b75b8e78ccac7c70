"""`audit-tui rubric new|check|show|install`: a quality team's own framework, from a commented
starting file to an installed rubric `new` can use, without reading the code.

Every problem with a file is one line naming the file, its line and the field (the loader's
problems, placed by `domain/rubric_lines.py`), so `check` says what `new` and the app would.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit_tui.cli_support import RepoOf, settings_of
from audit_tui.cli_support import catalogue as _catalogue
from audit_tui.domain.errors import AuditError, Problem, UsageError
from audit_tui.domain.safe_text import one_line

if TYPE_CHECKING:
    from audit_tui.domain.rubric import Item, Rubric

TEMPLATE_ID = "new-rubric"
"""The id the starting file holds, replaced by the name given to `rubric new`."""
RULE_WORDS = {
    "lowest_key_question": "the band of their lowest key question",
    "all_key_questions": "the band of the share of their cases meeting every key question",
}
"""How `show` words a standard rule; a rule not here is shown by its name."""
SHORT = 100
"""Longest question text `rubric show` prints: one screen line with its id, the rest cut."""


def add_parsers(sub: Any) -> None:
    rubric = sub.add_parser(
        "rubric",
        help="a framework of your own: write a starting file, check it, show it, install it",
        description="Write, check, show and install a rubric (an audit framework as a TOML file).",
    )
    actions = rubric.add_subparsers(dest="rubric_command", metavar="ACTION", required=True)
    new = actions.add_parser("new", help="write a commented starting rubric, NAME.toml")
    new.add_argument("name", metavar="NAME", help="the rubric's id (lower-case, digits, . _ -)")
    new.add_argument("--out", metavar="PATH", type=Path, help="where to write it (not over a file)")
    check = actions.add_parser(
        "check", help="check a rubric file: one line per problem, naming its line and field"
    )
    check.add_argument("file", metavar="FILE", type=Path)
    show = actions.add_parser("show", help="print a rubric's scale, standards and questions")
    show.add_argument("rubric", metavar="ID|FILE", help="an installed rubric's id, or a file")
    install = actions.add_parser(
        "install", help="check a rubric file, then add it to your rubric folder"
    )
    install.add_argument("file", metavar="FILE", type=Path)
    install.add_argument(
        "--replace",
        action="store_true",
        help="replace an installed rubric with the same id (or override a shipped one)",
    )


def bound(repo_of: RepoOf) -> dict[str, Callable[[argparse.Namespace], int]]:
    """`rubric` needs no database: `repo_of` is never called."""
    return {"rubric": lambda args: ACTIONS[args.rubric_command](args)}


# --- new ---------------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    """The template with NAME as its id, written where nothing is yet: a file is never replaced,
    so a half-finished framework cannot be lost to a second `rubric new`."""
    from audit_tui.domain.loader import parse_rubric
    from audit_tui.paths import rubric_template

    name: str = args.name
    pattern = id_pattern()
    if not re.fullmatch(pattern, name):
        raise UsageError(
            f'rubric new: "{one_line(name)}" cannot be a rubric id: lower-case letters, digits,'
            ' ".", "_" and "-", starting with a letter or digit'
        )
    text = rubric_template().read_text(encoding="utf-8")
    text = text.replace(f'id = "{TEMPLATE_ID}"', f'id = "{name}"', 1)
    parse_rubric(text, f"the starting rubric for {name}")  # a template that fails is a bug
    path: Path = args.out if args.out is not None else Path(f"{name}.toml")
    _write_new(path, text)
    print(f"wrote {one_line(path)}: edit it, then `audit-tui rubric check {one_line(path)}`")
    return 0


def id_pattern() -> str:
    """The pattern a rubric id must match, as the rubric model declares it (one rule, one place)."""
    from audit_tui.domain.rubric import Rubric

    for meta in Rubric.model_fields["id"].metadata:
        found = getattr(meta, "pattern", None)
        if isinstance(found, str):
            return found
    raise AssertionError("the rubric model gives its id no pattern")


def _write_new(path: Path, text: str) -> None:
    """Create `path` holding `text`, or refuse if anything is there (O_EXCL: no race, and a
    symbolic link is not followed); a failed write leaves no partial file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:
        raise AuditError.at(str(path), "already exists: not replaced (give --out PATH)") from None
    except OSError as exc:
        raise AuditError.at(str(path), f"cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        raise AuditError.at(str(path), f"cannot write ({exc.strerror or exc})") from None


# --- check -------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from audit_tui.domain.loader import parse_rubric, read_rubric_text

    text = read_rubric_text(args.file)
    rubric = parse_rubric(text, str(args.file))  # RubricError: a line per problem, exit 1
    _refuse_cycles(args, rubric, text)
    print(f"{one_line(args.file)}: ok ({summary(rubric)})")
    return 0


def _refuse_cycles(args: argparse.Namespace, rubric: Rubric, text: str) -> None:
    """A `[[maps_from]]` cycle with the installed rubrics, said on the line that closes it."""
    from audit_tui.domain.errors import RubricError
    from audit_tui.domain.registry import cycle_problems, discover
    from audit_tui.paths import shipped_rubric_dir

    installed = discover([shipped_rubric_dir(), settings_of(args).rubric_dir])
    if problems := cycle_problems(rubric, text, str(args.file), installed):
        raise RubricError(problems)


def summary(r: Rubric) -> str:
    """`id version, N standards, M key questions`: what `check` and `install` confirm."""
    from audit_tui.domain.words import plural

    kqs = sum(len(st.key_questions) for st in r.standards)
    return (
        f"{one_line(r.id)} {one_line(r.version)}, {plural(len(r.standards), 'standard')},"
        f" {plural(kqs, 'key question')}"
    )


# --- show --------------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    from audit_tui.domain.loader import load_rubric_file

    given: str = args.rubric
    path = Path(given)
    if path.suffix == ".toml" or os.sep in given or path.exists():
        rubric, where = load_rubric_file(path), path
    else:
        installed = _catalogue(args).get(given)
        rubric, where = installed.rubric, installed.path
    for line in describe(rubric, where):
        print(line)
    return 0


def describe(r: Rubric, where: Path) -> list[str]:
    """A rubric's structure as plain lines: every text from the file escaped and cut (a title
    may hold an escape sequence or markup; it is shown, never obeyed)."""
    t = one_line
    out = [f"{t(r.id)} {t(r.version)}: {t(r.title)}"]
    if r.publisher:
        out.append(f"publisher: {t(r.publisher)}")
    out.append(f"file: {t(where)}")
    out += _scale_lines(r)
    out.append("attributes:" if r.attributes else "attributes: none")
    for a in r.attributes:
        label = t(a.label) + (f", {t(a.short_label)}" if a.short_label else "")
        need = "; required" if a.required else ""
        out.append(f"  {t(a.id)} ({label}): {', '.join(t(v) for v in a.values)}{need}")
    if r.question_sets:
        out.append("question sets:")
        out += [f"  {t(qs.id)} ({t(qs.label)}){_when(qs.applies_when)}" for qs in r.question_sets]
    out.append("standards:")
    for st in r.standards:
        how = "from cases" if st.method == "cases" else "by judgement"
        rated = "" if st.rated else ", not rated"
        out.append(f"  {t(st.id)} {t(st.title)} ({how}{rated}){_when(st.applies_when)}")
        for kq in st.key_questions:
            in_set = f" [set {t(kq.set)}]" if kq.set else ""
            out.append(f"    {_item(kq)}{in_set}")
            out += [f"      {_item(pr)}" for pr in kq.prompts]
    out.append("indicators:" if r.indicators else "indicators: none")
    for ind in r.indicators:
        beside = f" [beside {t(ind.standard)}]" if ind.standard else ""
        out.append(f"  {_item(ind)}{beside}")
    out.append("maps_from:" if r.maps_from else "maps_from: none")
    for m in r.maps_from:
        moved = ", ".join(f"{t(old)} -> {t(new)}" for old, new in m.items.items()) or "none"
        out.append(f"  {t(m.rubric)}: moved {moved}")
        if m.not_comparable:
            out.append(f"    not comparable: {', '.join(t(i) for i in m.not_comparable)}")
    return out


def _scale_lines(r: Rubric) -> list[str]:
    t = one_line
    s = r.scoring
    ratings = ", ".join(t(x) for x in r.scale.ratings) or "none"
    out = [f"scale, best first: {ratings}"]
    if s.bands:
        bands = ", ".join(f"{t(b.rating)} from {b.min_percent:g}%" for b in s.bands)
        edges = ", ".join(f"{e:g}%" for e in s.edges) or "none"
        out.append(f"  key questions (Yes / (Yes + No), {s.rounding}): {bands}; edges {edges}")
    else:
        out.append("  key questions: percentages only (no bands)")
    rule = RULE_WORDS.get(s.standard_rule, s.standard_rule)
    out.append(f"  standards: {rule}" if r.has_ratings else "  standards: none (not rated)")
    if r.has_score:
        points = ", ".join(f"{t(b.rating)} {b.points}" for b in s.bands)
        overall = ", ".join(f"{t(o.rating)} from {o.min_score}" for o in s.overall)
        out.append(f"  points: {points} (score out of {r.score_max})")
        out.append(f"  overall: {overall}")
    else:
        out.append("  overall: none")
    if s.shares:
        out.append(
            "  shares: of cases, and of assignments (case x standard), meeting each standard"
        )
    return out


def _item(item: Item) -> str:
    label = getattr(item, "label", "")
    named = f"{one_line(label)}: " if label else ""
    return (
        f"{one_line(item.id)} {named}{one_line(item.shown_text, SHORT)}{_when(item.applies_when)}"
    )


def _when(rule: dict[str, tuple[str, ...]]) -> str:
    """` [when has_psr: yes]`: the attribute rule that limits an item, or nothing."""
    if not rule:
        return ""
    parts = "; ".join(
        f"{one_line(k)}: {' or '.join(one_line(v) for v in vs)}" for k, vs in rule.items()
    )
    return f" [when {parts}]"


# --- install -----------------------------------------------------------------------------------


def cmd_install(args: argparse.Namespace) -> int:
    """Check the file, then copy it into the user's rubric folder as ID.toml, whole or not at all.
    Another rubric with the same id is replaced only with --replace, since `new` would then
    quietly take this one; a second file in the folder with the id is never left beside it."""
    from audit_tui.domain.loader import parse_rubric, read_rubric_text
    from audit_tui.paths import shipped_rubric_dir

    source: Path = args.file
    text = read_rubric_text(source)
    rubric = parse_rubric(text, str(source))
    _refuse_cycles(args, rubric, text)
    folder = settings_of(args).rubric_dir
    target = folder / f"{rubric.id}.toml"
    others = [p for p in _holding(folder, rubric.id) if p.name != target.name]
    if others:
        held = f'also holds rubric "{one_line(rubric.id)}": remove it, then install again'
        raise AuditError([Problem(str(p), held) for p in others])
    existing = _text_of(target)
    if existing == text:
        print(f"{one_line(rubric.id)} is already installed as {one_line(target)}: unchanged")
        return 0
    shipped = _holding(shipped_rubric_dir(), rubric.id)
    if not args.replace and (existing is not None or target.exists() or shipped):
        what = (
            f"a different {one_line(target)} is installed"
            if existing is not None or target.exists()
            else f"it would override the shipped {one_line(shipped[0].name)}"
        )
        raise AuditError.at(
            str(source),
            f'rubric "{one_line(rubric.id)}": {what}; give --replace to replace it',
        )
    _make_folder(folder)
    from audit_tui.reporting.render import write_atomically  # whole or not at all, owner-only

    write_atomically(target, text)
    done = "replaced" if existing is not None else "installed"
    print(f"{done} {summary(rubric)} as {one_line(target)}")
    return 0


def _holding(folder: Path, rubric_id: str) -> list[Path]:
    """The `*.toml` files in `folder` that hold (or, broken, are named as or claim) this id."""
    from audit_tui.domain.registry import claimed_id

    if not folder.is_dir():
        return []
    return [
        p
        for p in sorted(folder.glob("*.toml"))
        if p.stem == rubric_id or rubric_id in claimed_id(_text_of(p))
    ]


def _text_of(path: Path) -> str | None:
    """A rubric file's text, or None if there is none to read (missing, a folder, unreadable)."""
    from audit_tui.domain.errors import RubricError
    from audit_tui.domain.loader import read_rubric_text

    try:
        return read_rubric_text(path)
    except RubricError:
        return None


def _make_folder(folder: Path) -> None:
    """The rubric folder, and the config folder above it, created owner-only where missing."""
    missing = [p for p in (folder.parent, folder) if not p.exists()]
    try:
        folder.parent.parent.mkdir(parents=True, exist_ok=True)
        for p in missing:
            p.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise AuditError.at(str(folder), f"cannot create ({exc.strerror or exc})") from None


ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "new": cmd_new,
    "check": cmd_check,
    "show": cmd_show,
    "install": cmd_install,
}
