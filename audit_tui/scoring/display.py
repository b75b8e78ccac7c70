"""How a percentage is printed, the same in every report and on every screen."""

from __future__ import annotations


def whole_percent(value: float | None, missing: str = "n/a") -> str:
    """Whole percentages with halves rounded up, as the inspectorate prints them (58%, 29%)."""
    return missing if value is None else f"{int(value + 0.5)}%"


def percent_range(low: float, high: float) -> str:
    """Limits or an interval given as shares, printed as whole percentages: `12–34%`."""
    return f"{whole_percent(low * 100)[:-1]}–{whole_percent(high * 100)}"
