"""Random bursts of the navigation keys (Down, Up, Enter, Esc, and `e` to edit a case), each typed
at once as a practised auditor types, from the audit list through dashboards to cases and back:
after each burst the app stands exactly where a model of the keys says, typed one at a time.
Keys typed while a screen opens, or leaves (a dialog closed by Esc included), must act in order
there or on the screen that follows; one lost or acted on twice shows here as the wrong audit,
case or row."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from audit_tui.store import audits
from audit_tui.store import cases as case_ops
from audit_tui.store.audits import open_audit
from audit_tui.store.database import open_repository
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.screens.audit_list import AuditListScreen
from audit_tui.tui.screens.case_dialog import CaseDialog
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
    editing: str | None = None
    """The case whose edit dialog is open (`e` on a dashboard; Esc closes it)."""
    typed: list[str] = field(default_factory=list)

    def keys(self, rng: random.Random) -> list[str]:
        """A burst of keys each acting where the one before left the app (no Enter in a case:
        there it answers; the keys after an Esc that closes the edit dialog act below it)."""
        out: list[str] = []
        for _ in range(rng.randint(2, 7)):
            if self.case is not None or self.editing is not None:
                key = "escape"
            elif self.audit is not None:
                key = rng.choice(["down", "down", "up", "enter", "enter", "escape", "e"])
            else:
                key = rng.choice(["down", "down", "up", "enter", "enter", "escape"])
            self.press(key)
            out.append(key)
        return out

    def press(self, key: str) -> None:
        self.typed.append(key)
        if self.case is not None:  # only Esc is typed in a case, and in a dialog
            self.case = None
        elif self.editing is not None:
            self.editing = None
        elif self.audit is not None:
            rows = self.cases[self.audit]
            if key in ("down", "up"):
                self.case_row = max(0, min(len(rows) - 1, self.case_row + (key == "down") * 2 - 1))
            elif key == "enter":
                self.case = rows[self.case_row]
            elif key == "e":
                self.editing = rows[self.case_row]
            else:
                self.audit = None
        elif key in ("down", "up"):
            step = 1 if key == "down" else -1
            self.audit_row = max(0, min(len(self.audits) - 1, self.audit_row + step))
        elif key == "enter":
            self.audit, self.case_row = self.audits[self.audit_row], 0


def where(app: AuditApp) -> tuple[int, str | None, int | None, str | None, str | None]:
    """(the list's row, the audit open, the dashboard's row, the case open, the case being
    edited) as the app stands."""
    stack = app.screen_stack
    listing = next(s for s in stack if isinstance(s, AuditListScreen))
    board = next((s for s in stack if isinstance(s, DashboardScreen)), None)
    walk = next((s for s in stack if isinstance(s, CaseWalkScreen)), None)
    dialog = next((s for s in stack if isinstance(s, CaseDialog)), None)
    row = board.query_one("#cases", VirtualTable).cursor if board is not None else None
    return (
        listing.query_one("#audits", VirtualTable).cursor,
        board.audit_name if board is not None else None,
        row,
        walk.case.case_ref if walk is not None else None,
        dialog.case.case_ref if dialog is not None and dialog.case is not None else None,
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
                model.editing,
            )
            assert where(app) == expected, f"from {before}, {keys}"
    repo.engine.dispose()


CASE_ATTRIBUTES = [
    {"sentence_type": "community", "has_psr": "no", "gender": "male", "rosh": "medium"},
    {"sentence_type": "licence", "has_psr": "yes", "gender": "female", "rosh": "high"},
]


@dataclass
class WalkModel:
    """One audit's dashboard and its cases, with answers: where the keys, typed one at a time,
    leave the app, and how many items of each case they answer."""

    refs: list[str]
    applicable: list[int]
    answered: list[int]
    row: int = 0
    case: int | None = None
    on_list: bool = False

    def keys(self, rng: random.Random) -> list[str]:
        """A burst of keys each typed where the one before left the app."""
        out: list[str] = []
        for _ in range(rng.randint(2, 9)):
            if self.on_list:
                key = "enter"
            elif self.case is not None:
                key = rng.choice(["y", "n", "y", ">", "<", "escape", "escape"])
            else:
                key = rng.choice(["down", "up", "enter", "enter", "escape"])
            self.press(key)
            out.append(key)
        return out

    def press(self, key: str) -> None:
        if self.on_list:  # the only audit: Enter opens its dashboard on its first row
            self.on_list, self.row = False, 0
        elif self.case is None:
            if key in ("down", "up"):
                self.row = max(0, min(len(self.refs) - 1, self.row + (1 if key == "down" else -1)))
            elif key == "enter":
                self.case = self.row
            else:
                self.on_list = True
        elif key in ("y", "n"):  # answers the first unanswered item, then moves to the next
            self.answered[self.case] = min(self.applicable[self.case], self.answered[self.case] + 1)
        elif key in (">", "<"):
            self.case = max(0, min(len(self.refs) - 1, self.case + (1 if key == ">" else -1)))
        else:  # the dashboard's cursor comes back on the case left
            self.row, self.case = self.case, None


def stands(app: AuditApp) -> tuple[bool, int | None, str | None]:
    """(on the audit list, the dashboard's row, the case open) as the app stands."""
    stack = app.screen_stack
    board = next((s for s in stack if isinstance(s, DashboardScreen)), None)
    walk = next((s for s in stack if isinstance(s, CaseWalkScreen)), None)
    return (
        board is None,
        board.query_one("#cases", VirtualTable).cursor if board is not None else None,
        walk.case.case_ref if walk is not None else None,
    )


@pytest.mark.parametrize("seed", range(6))
async def test_bursts_in_cases_answer_and_move_where_the_keys_say(
    tmp_path: Path, rubric_text: str, seed: int
) -> None:
    """Answers (y, n), the next and previous case (>, <) and Esc, in bursts from the dashboard:
    each case ends with as many answers as the keys gave it, none lost to a case being left or
    replaced while it read its answers, none given to the wrong case."""
    target = str(tmp_path / "walk.db")
    repo = open_repository(target)
    audit = audits.create_audit(repo, "walk-model", rubric_text, pdu="Tameside")
    case_ops.add_cases(repo, audit, [(f"WM-{i:03}", CASE_ATTRIBUTES[i % 2]) for i in range(1, 6)])
    listed = case_ops.list_cases(repo, audit)
    model = WalkModel(
        [c.case_ref for c in listed], [c.applicable for c in listed], [0] * len(listed)
    )
    app = build_app(target, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "enter")
        await settle(pilot, app)
        rng = random.Random(seed)
        for _ in range(BURSTS):
            before = stands(app)
            keys = model.keys(rng)
            burst(app, *keys)
            await settle(pilot, app)
            case = model.refs[model.case] if model.case is not None else None
            expected = (model.on_list, None if model.on_list else model.row, case)
            assert stands(app) == expected, f"from {before}, {keys}"
            now = [c.answered for c in case_ops.list_cases(repo, audit)]
            assert now == model.answered, f"from {before}, {keys}"
    repo.engine.dispose()
