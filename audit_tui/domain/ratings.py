"""A rating's place on its framework's scale, apart from the rubric model: the audit list's first
read (`store/kept_list.py`) shows ratings before pydantic is imported."""

from __future__ import annotations

from dataclasses import dataclass


def rank_of(ratings: tuple[str, ...], rating: str | None) -> int | None:
    """A rating's place counted from the lowest (0) up, so the lowest rating looks the same in
    every framework; None for no rating, or a name not on the scale (`ratings`, best first)."""
    if rating is None or rating not in ratings:
        return None
    return len(ratings) - 1 - ratings.index(rating)


@dataclass(frozen=True)
class Ratings:
    """A framework's ratings, best first: what showing a rating needs of its `Scale`."""

    ratings: tuple[str, ...] = ()

    def rank(self, rating: str | None) -> int | None:
        return rank_of(self.ratings, rating)
