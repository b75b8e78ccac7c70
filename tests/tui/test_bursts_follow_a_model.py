"""Random bursts of the navigation keys (Down, Up, Enter, Esc), each typed at once as a practised
auditor types, from the audit list through dashboards to cases and back: after each burst the app
stands exactly where a model of the keys says, typed one at a time. Keys typed while a screen
opens, or leaves, must act in order there or on the screen that follows; one lost or acted on
twice shows here as the wrong audit, case or row."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from audit_tui.store import cases as case_ops
from audit_tui.store.audits import open_audit
from audit_tui.store.database import open_repository
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.screens.audit_list import AuditListScreen
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.helpers import burst, settle

SIZE = (120, 40)
BURSTS = 10


@dataclass
class Model:
    """Where the keys, typed one at a time, leave the app."""

    audits: list[str]
    cases: dict[str, list[str]]
    audit_row: int = 0
    audit: str | None = None
    case_row: int = 0
    case: str | None = None
    typed: list[str] = field(default_factory=list)

    def keys(self, rng: random.Random) -> list[str]:
        """A burst of keys each acting where the one before left the app (no Enter in a case:
        there it answers)."""
        out: list[str] = []
        for _ in range(rng.randint(2, 7)):
            if self.case is not None:
                key = "escape"
            else:
                key = rng.choice(["down", "down", "up", "enter", "enter", "escape"])
            self.press(key)
            out.append(key)
        return out

    def press(self, key: str) -> None:
        self.typed.append(key)
        if self.case is not None:  # only Esc is typed in a case
            self.case = None
        elif self.audit is not None:
            rows = self.cases[self.audit]
            if key in ("down", "up"):
                self.case_row = max(0, min(len(rows) - 1, self.case_row + (key == "down") * 2 - 1))
            elif key == "enter":
                self.case = rows[self.case_row]
            else:
                self.audit = None
        elif key in ("down", "up"):
            step = 1 if key == "down" else -1
            self.audit_row = max(0, min(len(self.audits) - 1, self.audit_row + step))
        elif key == "enter":
            self.audit, self.case_row = self.audits[self.audit_row], 0


def where(app: AuditApp) -> tuple[int, str | None, int | None, str | None]:
    """(the list's row, the audit open, the dashboard's row, the case open) as the app stands."""
    stack = app.screen_stack
    listing = next(s for s in stack if isinstance(s, AuditListScreen))
    board = next((s for s in stack if isinstance(s, DashboardScreen)), None)
    walk = next((s for s in stack if isinstance(s, CaseWalkScreen)), None)
    row = board.query_one("#cases", VirtualTable).cursor if board is not None else None
    return (
        listing.query_one("#audits", VirtualTable).cursor,
        board.audit_name if board is not None else None,
        row,
        walk.case.case_ref if walk is not None else None,
    )


@pytest.mark.parametrize("seed", range(6))
async def test_bursts_leave_the_app_where_the_keys_say(demo_db: str, seed: int) -> None:
    repo = open_repository(demo_db)
    app = build_app(demo_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        names = list(app.audit_names)
        model = Model(
            names,
            {
                n: [c.case_ref for c in case_ops.list_cases(repo, open_audit(repo, n))]
                for n in names
            },
        )
        rng = random.Random(seed)
        for _ in range(BURSTS):
            before = where(app)
            keys = model.keys(rng)
            burst(app, *keys)
            await settle(pilot, app)
            expected = (
                model.audit_row,
                model.audit,
                model.case_row if model.audit is not None else None,
                model.case,
            )
            assert where(app) == expected, f"from {before}, {keys}"
    repo.engine.dispose()
