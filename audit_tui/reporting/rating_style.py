"""How ratings look in an HTML report: coloured by their place on the rubric's scale, never by
name, so a framework's words are its own and its lowest rating looks the same as any other's.

Each rating gets a class (`r-` and its name in lower case, hyphenated) and a colour variable (its
name if one word, else its initials, as ratings are abbreviated) holding the colour of its rank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from audit_tui.domain.rubric import Scale

TEXT_COLOURS = ("#b3261e", "#b26b00", "#4c9a2a", "#1a7f37")
"""A rating's text colour by rank, the lowest first (red, amber, green, darker green); a longer
scale's higher ranks share the last."""
BAND_FILLS = ("#f6d5d2", "#fbe8c8", "#e6f3d8", "#d8f0dd")
"""A band's fill behind a bar, by the same ranks."""
OTHER_VARIABLES = frozenset({"ink", "muted", "rule", "accent"})
"""The stylesheet's own colour variables, which no rating's may replace."""
CAUTION_RANK = 1
"""The amber of the rank above the lowest edges the notes that a report is a draft or provisional."""


def _words(rating: str) -> list[str]:
    """The name's letters and digits, in lower case, a word at a time (safe in CSS and HTML)."""
    return re.findall(r"[a-z0-9]+", rating.lower())


def _slug(rating: str) -> str:
    return "-".join(_words(rating))


def _short(rating: str) -> str:
    words = _words(rating)
    return words[0] if len(words) == 1 else "".join(w[0] for w in words)


@dataclass(frozen=True)
class RatingStyle:
    """Each rating's class, colour variable and colours, for one scale."""

    scale: Scale
    classes: dict[str, str]
    variables: dict[str, str]

    def css_class(self, rating: str | None) -> str:
        """`r-` and the name (`r-unrated` for none): what the stylesheet colours."""
        return self.classes.get(rating or "", "r-unrated")

    def fill(self, rating: str) -> str:
        rank = self.scale.rank(rating)
        return "#eee" if rank is None else BAND_FILLS[min(rank, len(BAND_FILLS) - 1)]

    def variables_css(self) -> str:
        """`--name:#colour;` for each rating, best first."""
        return " ".join(
            f"--{self.variables[r]}:{_colour(self.scale, r)};" for r in self.scale.ratings
        )

    def rules_css(self) -> str:
        """`.r-name { color: var(--name); }` for each rating, best first, two a line."""
        rules = [
            f".{self.classes[r]} {{ color: var(--{self.variables[r]}); }}"
            for r in self.scale.ratings
        ]
        return "\n".join(" ".join(rules[i : i + 2]) for i in range(0, len(rules), 2))

    def caution(self) -> str:
        """The variable of the rating at `CAUTION_RANK` (the lowest, on a scale of one); on a
        scale with no ratings, the lowest colour itself."""
        if not self.scale.ratings:
            return "--accent"
        rank = min(CAUTION_RANK, len(self.scale.ratings) - 1)
        return f"--{self.variables[self.scale.lowest_first[rank]]}"


def _colour(scale: Scale, rating: str) -> str:
    rank = scale.rank(rating) or 0
    return TEXT_COLOURS[min(rank, len(TEXT_COLOURS) - 1)]


@cache
def rating_style(scale: Scale) -> RatingStyle:
    """The style of `scale`'s ratings. Names that would share a class or variable (or have no
    letter to make one from) are told apart by rank instead (`r-rating-0`, `--rating-0`)."""
    ratings = scale.ratings
    classes = {r: "r-" + _slug(r) for r in ratings}
    variables = {r: _short(r) for r in ratings}
    by_rank = {r: f"rating-{scale.rank(r)}" for r in ratings}
    if len(set(classes.values())) < len(ratings) or "r-" in classes.values():
        classes = {r: "r-" + by_rank[r] for r in ratings}
    shared = {"", *OTHER_VARIABLES} & set(variables.values())
    if len(set(variables.values())) < len(ratings) or shared:
        variables = by_rank
    return RatingStyle(scale=scale, classes=classes, variables=variables)
