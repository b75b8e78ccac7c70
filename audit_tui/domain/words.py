"""How things are named to people: one place, so every screen and report says it the same way.

Machine formats (CSV, JSON, the command line's arguments) keep ids and stored values; screens and
reports read by quality teams use these words.
"""

from __future__ import annotations


def plural(n: int, noun: str, many: str | None = None) -> str:
    """`1 case`, `2 cases`, `1,204 cases` (`many` for irregular nouns: plural(2, "person", "people"))."""
    return f"{n:,} {noun if n == 1 else many or noun + 's'}"


def value_label(value: str) -> str:
    """A case attribute's stored value as a person reads it: `white` -> `White`, `very high` ->
    `Very high`; values that already start with a capital (PO, PQiP) stay as they are."""
    return value[:1].upper() + value[1:]


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def whole_percent(value: float | None, missing: str = "n/a") -> str:
    """Whole percentages with halves rounded up, as the inspectorate prints them (58%, 29%)."""
    return missing if value is None else f"{int(value + 0.5)}%"


def percent_range(low: float, high: float) -> str:
    """Limits or an interval given as shares, printed as whole percentages: `12–34%`."""
    return f"{whole_percent(low * 100)[:-1]}–{whole_percent(high * 100)}"


def capitalised(word: str) -> str:
    """`stage` as a heading: `Stage` (only the first letter: `PDU area` stays as it is)."""
    return word[:1].upper() + word[1:]
