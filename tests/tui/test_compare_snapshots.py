"""The compare screen (one audit ticked, then two: a trend) and the dashboard's sparklines, at
80x24 and 120x40, against stored SVG snapshots. Update deliberately with
`pytest tests/tui/test_compare_snapshots.py --snapshot-update` and review the SVGs."""

from __future__ import annotations

import pytest

from tests.tui.test_compare_app import SERIES, series_db  # noqa: F401 (the fixture)
from tests.tui.test_snapshots import SIZES, _app, _steps

SCREENS = [
    ("dashboard_trend", ()),
    ("compare_two", ("v", "space")),
    ("compare_trend", ("v", "space", "down", "down", "space", "tab")),
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name, keys", SCREENS, ids=[screen[0] for screen in SCREENS])
def test_compare_screen(  # type: ignore[no-untyped-def]
    snap_compare,
    request: pytest.FixtureRequest,
    name: str,
    keys: tuple[str, ...],
    size: tuple[int, int],
) -> None:
    app = _app(request.getfixturevalue("series_db"), SERIES[2])
    assert snap_compare(app, terminal_size=size, run_before=_steps(app, *keys)), name
