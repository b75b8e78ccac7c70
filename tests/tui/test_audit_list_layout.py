"""The audit list at 80 columns keeps each audit's name, progress, score and overall rating in
sight without scrolling; wider, it adds the rubric's title (not its id); a legend says what the
progress bar's parts mean."""

from __future__ import annotations

import pytest

from audit_tui.tui.app import build_app
from audit_tui.tui.screens.audit_list import LEGEND, AuditListScreen, columns_for, progress_text
from tests.tui.cut_words import screen_text
from tests.tui.helpers import settle

DEMO = (
    ("demo-oversight", "100%", "–/27", "not yet rated"),
    ("demo-tameside", "100%", "7/27", "★☆☆ Requires improvement"),
    ("demo-tameside-reaudit", "100%", "11/27", "★☆☆ Requires improvement"),
)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_name_progress_score_and_rating_fit(demo_db: str, size: tuple[int, int]) -> None:
    app = build_app(demo_db, poll_seconds=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, AuditListScreen)
        text = screen_text(app.screen)
    lines = text.splitlines()
    for name, progress, score, rating in DEMO:
        row = next(line for line in lines if line.startswith(f" {name} "))
        assert all(part in row for part in (progress, score, rating.split()[0])), row
        assert rating in text.replace("\n", " ").replace("  ", " ") or "improvement" in text
    assert LEGEND in text
    assert "hmip-probation-pdu-2021" not in text
    assert ("HMIP adult probation" in text) is (size[0] >= 120)


def test_columns_drop_before_the_essentials() -> None:
    row = ("a-long-audit-name-2026", "Somewhere", "A framework title of some length", "28",
           progress_text(3, 4), "7/27", "★☆☆ Requires improvement")  # fmt: skip
    narrow = [key for _, key in columns_for(80, [row])]
    assert narrow[:1] == ["name"] and {"progress", "score", "overall"} <= set(narrow)
    assert "pdu" not in narrow
    assert [key for _, key in columns_for(200, [row])] == [
        "name",
        "pdu",
        "rubric",
        "cases",
        "progress",
        "score",
        "overall",
    ]
    assert progress_text(3, 4) == "████░░  75%" and progress_text(0, 0) == "–"
