"""Every screen of the snapshot tests, at 80x24 and 120x40, reached by the same keys, draws no
word cut at a border: no "Requires impro" where a column ends, no "Overall ra…" (see
`tests.tui.cut_words` for how a cut is found)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from audit_tui.tui.app import AuditApp
from tests.tui import test_compare_snapshots as compare_snapshots
from tests.tui import test_snapshots as snapshots
from tests.tui.cut_words import find_cuts, screen_text
from tests.tui.test_compare_app import SERIES, series_db  # noqa: F401 (the fixture)
from tests.tui.test_snapshots import (  # noqa: F401
    SIZES,
    _app,
    _FixedDay,
    _steps,
    caseload_db,
    follow_up_db,
    region_quarter_db,
)

pytestmark = pytest.mark.slow  # every screen at every size

# (name, fixture giving the database, audit opened at start or None, keys pressed)
SCREENS = [
    *snapshots.SCREENS,
    ("export", "demo_db", "demo-tameside", ("x",)),
    *((name, "follow_up_db", audit, keys) for name, audit, keys in snapshots.FOLLOW_UP),
    *((name, "series_db", SERIES[2], keys) for name, keys in compare_snapshots.SCREENS),
]


DUMP = os.environ.get("CUT_WORDS_DUMP")
"""A folder: each screen's text is written there too, to read what the test read."""


async def _cuts(
    app: AuditApp, keys: tuple[str, ...], size: tuple[int, int], name: str
) -> list[str]:
    async with app.run_test(size=size) as pilot:
        await _steps(app, *keys)(pilot)
        cuts = find_cuts(app.screen)
        if DUMP:
            out = Path(DUMP) / f"{name}-{size[0]}x{size[1]}.txt"
            out.write_text(screen_text(app.screen) + "\n", encoding="utf-8")
        return [str(c) for c in cuts] + (["", screen_text(app.screen)] if cuts else [])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "name, database, audit, keys", SCREENS, ids=[screen[0] for screen in SCREENS]
)
async def test_no_word_cut_at_a_border(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    database: str,
    audit: str | None,
    keys: tuple[str, ...],
    size: tuple[int, int],
) -> None:
    monkeypatch.setenv("HOME", str(Path("/tmp/audit-tui-snapshot-home")))
    for module in ("actions", "feedback", "export_dialog"):
        monkeypatch.setattr(f"audit_tui.tui.screens.{module}.date", _FixedDay)
    app = _app(request.getfixturevalue(database), audit)
    found = await _cuts(app, keys, size, name)
    assert not found, f"{name}: words cut at a border:\n" + "\n".join(found)


class _Cutting(App[None]):
    """What the app drew before its tables and titles were fitted: a title cut by Textual's
    ellipsis, a table running off the screen, a rating cut at a fixed column's edge."""

    CSS = "#title { text-wrap: nowrap; text-overflow: ellipsis; width: 30; }"

    def compose(self) -> ComposeResult:
        yield Static("HMIP adult probation PDU inspection (2021 framework)", id="title")
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Standard", width=10)
        table.add_column("Overall rating", width=14)
        table.add_column("Progress of the audit")
        table.add_row("2.1", "Requires improvement", "all cases answered")


async def test_the_scan_finds_words_cut_at_a_border() -> None:
    app = _Cutting()
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        cuts = {(c.token, c.word) for c in find_cuts(app.screen)}
    tokens = {token for token, _ in cuts}
    assert "insp" in tokens  # before Textual's ellipsis: "PDU insp…"
    assert "impro" in tokens  # at the edge of a 14-cell column: "Requires impro"
    assert {"of", "a"} <= tokens  # where a table runs off the screen: "Progress of", "cases a"
    assert "Requires" not in tokens and "Standard" not in tokens
