"""Case references and attributes: checked against the rubric before anything is stored."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from audit_tui.domain.spellings import accepted

if TYPE_CHECKING:  # the command line canonicalises its arguments without loading pydantic
    from audit_tui.domain.rubric import Rubric

CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
# what a breakdown calls a case whose attribute was left empty
NOT_RECORDED = "not recorded"
CASE_REF_RULE = "1-40 letters, digits, '.', '_', '/' or '-', starting with a letter or digit"


def canonical_ref(text: str) -> str:
    """The one spelling of a case reference, and of a practitioner or team code: stripped, then
    upper-case, as probation case numbers are written. `cl-1 ` and `CL-1` name one case in
    every file, command and dialog; this is what is stored, shown and looked up. Only ASCII is
    upper-cased (no "ß" becoming "SS"): anything else is refused by `check_case_ref` as typed."""
    stripped = text.strip()
    return stripped.upper() if stripped.isascii() else stripped


def canonical_refs(texts: Iterable[str]) -> list[str]:
    """Each reference canonical, in order, repeats dropped: a list typed on a command line."""
    return list(dict.fromkeys(canonical_ref(t) for t in texts if t.strip()))


def check_case_ref(case_ref: str) -> str | None:
    """A problem with a case reference as typed (surrounding spaces aside), or None: a problem
    names it as the user wrote it, not as `canonical_ref` would store it. References are
    pseudonymous codes, never names: spaces are refused, which keeps "Jane Smith" out."""
    case_ref = case_ref.strip()
    if not case_ref:
        return f"case reference is empty (use {CASE_REF_RULE})"
    if not CASE_REF.match(case_ref):
        return (
            f"case reference {case_ref!r} looks like a name or holds characters a pseudonymous"
            f" code cannot (use {CASE_REF_RULE})"
        )
    return None


CODES = ("practitioner", "team")
"""A case's pseudonymous codes for the people and team whose work it is."""


def check_code(code: str, what: str) -> str | None:
    """A problem with a practitioner or team code, or None: codes, like case references, are
    pseudonymous, so a name ("Jo Bloggs") is refused. Checked as typed, like references."""
    code = code.strip()
    if code and not CASE_REF.match(code):
        return f"{code!r} is not a pseudonymous {what} code ({CASE_REF_RULE})"
    return None


def clean_attributes(
    rubric: Rubric, raw: Mapping[str, str]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Canonical attribute values (declared spelling), and (attribute, problem) pairs.

    Empty values are left out; a required attribute that is empty is a problem.
    """
    clean: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for name, value in raw.items():
        attr = rubric.attributes_by_id.get(name)
        if attr is None:
            allowed = ", ".join(a.id for a in rubric.attributes)
            problems.append((name, f"unknown case attribute (allowed: case_ref, {allowed})"))
            continue
        if not value.strip():
            continue
        canonical = attr.canonical(value)
        if canonical is None:
            problems.append(
                (name, f"{value.strip()!r} is not allowed (accepted: {accepted(attr.values)})")
            )
        else:
            clean[name] = canonical
    for attr in rubric.attributes:
        if attr.required and attr.id not in clean and not any(n == attr.id for n, _ in problems):
            problems.append((attr.id, f"{attr.id} is required (one of: {', '.join(attr.values)})"))
    return clean, problems
