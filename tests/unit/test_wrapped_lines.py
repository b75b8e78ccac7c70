"""A table row's height is counted, not rendered (tui/widgets/tables.py): the count must be the
lines Rich itself wraps a cell onto, or a row is cut short or padded."""

from __future__ import annotations

import random

from rich.console import Console
from rich.text import Text

from audit_tui.tui.widgets.tables import wrapped_lines

PIECES = ["a", "bb", "ccc", "  ", "x" * 12, "日本", " ", "word", "longerword", "é"]
"""No tab or other control character: `cell` escapes them before a table sees them."""


def _rich(text: str, width: int) -> int:
    shown = Text(text, overflow="fold")
    shown.no_wrap = False
    return len(shown.wrap(Console(width=200), width, overflow="fold")) if text else 1


def test_the_count_is_richs_for_every_text_and_width() -> None:
    rng = random.Random(22)
    for _ in range(5000):
        parts = rng.randint(0, 14)
        text = "".join(rng.choice(PIECES) + rng.choice(["", " "]) for _ in range(parts)).strip()
        width = rng.randint(2, 40)
        assert wrapped_lines(text, width) == _rich(text, width), (text, width)


def test_the_edges() -> None:
    for text, width in [("", 5), ("one", 3), ("one two", 7), ("one two", 6), ("x" * 25, 10),
                        ("a " + "x" * 25, 10), ("HMIP probation PDU inspection 2021", 24)]:  # fmt: skip
        assert wrapped_lines(text, width) == _rich(text, width), (text, width)
