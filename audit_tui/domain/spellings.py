"""The spellings people type for a value from a closed set (a case attribute, a rating).

A value is accepted as declared whatever its letter case, spacing or hyphens (`Very-High`,
` very  high `), or by its initials where they name one value of the set alone: `y` and `n`
for yes and no, `vh` for very high, a rating of two words by its two letters. Initials two values
share (`p` for PO, PSO and PQiP) name neither. One rule for every set, so an error can list
exactly what would have been accepted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def _plain(text: str) -> str:
    """Letter case, hyphens, underscores and runs of spaces set aside."""
    return " ".join(text.replace("-", " ").replace("_", " ").split()).casefold()


def _initials(value: str) -> str:
    return "".join(word[0] for word in _plain(value).split())


def shorthands(values: Sequence[str]) -> dict[str, str]:
    """Each value's initials, where no other value of the set has the same (and they are not
    another value's whole name): initials -> value."""
    taken = Counter(_initials(v) for v in values)
    names = {_plain(v) for v in values}
    return {
        _initials(v): v
        for v in values
        if taken[_initials(v)] == 1 and _initials(v) not in names and _initials(v) != _plain(v)
    }


def match(values: Sequence[str], text: str) -> str | None:
    """The declared spelling of what was typed, or None when it names no value of the set."""
    typed = _plain(text)
    exact = next((v for v in values if v.casefold() == text.strip().casefold()), None)
    if exact is not None:
        return exact
    return next((v for v in values if _plain(v) == typed), None) or shorthands(values).get(typed)


def accepted(values: Sequence[str], *, upper: bool = False) -> str:
    """What `match` accepts, for an error: `community or c, licence or l` (`upper`: initials in
    capitals, as ratings are abbreviated: `Very high or VH`)."""
    short = {value: initials for initials, value in shorthands(values).items()}
    return ", ".join(
        f"{v} or {short[v].upper() if upper else short[v]}" if v in short else v for v in values
    )
