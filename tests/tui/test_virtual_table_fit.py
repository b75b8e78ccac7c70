"""The case table at its room: columns give way whole (never cut), in a stated order, and the
reference, progress and status stay in view."""

from __future__ import annotations

from audit_tui.tui.widgets.virtual_table import columns_in_view

KEYS = ["ref", "practitioner", "team", "sentence_type", "has_psr", "rosh", "answered", "status"]
WIDTHS = [8, 12, 7, 9, 3, 9, 8, 10]  # 66 cells, 16 more for the spaces around each


def test_everything_shows_when_it_fits() -> None:
    assert columns_in_view(KEYS, WIDTHS, 82) == list(range(8))


def test_the_rubrics_attributes_give_way_first_rightmost_first() -> None:
    assert [KEYS[i] for i in columns_in_view(KEYS, WIDTHS, 81)] == [
        "ref", "practitioner", "team", "sentence_type", "has_psr", "answered", "status",
    ]  # fmt: skip
    assert [KEYS[i] for i in columns_in_view(KEYS, WIDTHS, 60)] == [
        "ref", "practitioner", "team", "answered", "status",
    ]  # fmt: skip


def test_codes_go_last_and_the_kept_columns_never() -> None:
    assert [KEYS[i] for i in columns_in_view(KEYS, WIDTHS, 46)] == [
        "ref",
        "practitioner",
        "answered",
        "status",
    ]
    assert [KEYS[i] for i in columns_in_view(KEYS, WIDTHS, 10)] == ["ref", "answered", "status"]
