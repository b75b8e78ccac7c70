"""Leaving a case while an answer is still being saved (a slow server, a quick Escape, a
browser tab closed at once): the save ends as it would have, and the app carries on. The save
is held until the case has been left, so the order is certain."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from audit_tui.domain.errors import AuditError
from audit_tui.store import answers
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from tests.tui.helpers import settle, steps
from tests.tui.test_journeys import SIZE, stored


@pytest.mark.parametrize("refused", [False, True], ids=["saved", "refused"])
async def test_an_answer_whose_save_ends_after_its_case_was_left(
    two_case_db: str, monkeypatch: pytest.MonkeyPatch, refused: bool
) -> None:
    held = threading.Event()
    save = answers.save_answer

    def slow_save(*args: Any, **kwargs: Any) -> Any:
        assert held.wait(30), "the test never let the save finish"
        if refused:
            raise AuditError.at("answer", "refused for the test")
        return save(*args, **kwargs)

    monkeypatch.setattr(answers, "save_answer", slow_save)
    app = build_app(two_case_db)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter", "enter")
        assert isinstance(app.screen, CaseWalkScreen)
        await pilot.press("y", "escape")
        assert not isinstance(app.screen, CaseWalkScreen)
        held.set()
        await settle(pilot, app)
        assert app.is_running and not isinstance(app.screen, CaseWalkScreen)
        said = [n.message for n in app._notifications]
        assert any("NOT saved" in m for m in said) == refused
    assert stored(two_case_db)["QA-001"] == ({} if refused else {"2.2.1.a": "yes"})
