"""Keys that always land, typed at a practised user's speed: each burst is queued at once (no
pause for the app between keys), as a terminal delivers it.

Filter, Down, Enter opens the case it shows, 20 times running: straight away, after a dialog
(while the cases are read again) and while another writer's saves refresh the dashboard.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, ListView, Select

from audit_tui.domain.answers import Answer
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits as audit_ops
from audit_tui.store import cases
from audit_tui.store import events as event_ops
from audit_tui.store.database import open_repository
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.screens.audit_list import AuditListScreen
from audit_tui.tui.screens.case_dialog import CaseDialog
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.widgets.item_row import ItemList
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.helpers import burst, hold_writes, settle, steps, the_moment, until

AUDIT = "demo-tameside"
SIZE = (120, 40)
ATTRIBUTES = {"sentence_type": "licence", "has_psr": "no", "gender": "male", "rosh": "low"}


def _app(db: str, poll_seconds: float = 0) -> AuditApp:
    return build_app(db, open_audit=AUDIT, poll_seconds=poll_seconds)


def opened(app: AuditApp) -> str | None:
    """The case the walk on top shows, or None."""
    screen = app.screen
    return screen.case.case_ref if isinstance(screen, CaseWalkScreen) else None


def dashboard(app: AuditApp) -> DashboardScreen:
    screen = app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


def rounds() -> Iterator[tuple[tuple[str, ...], str | None]]:
    """20 bursts over the demo's 28 cases (TS23-001 … TS23-028), each with the case it must
    open: a reference then Down, Enter; Enter straight from the filter; Down twice for the
    second match; End for the last match; Backspace over a wrong digit."""
    for n in range(1, 9):
        yield ("/", *f"TS23-{n:03d}", "down", "enter"), f"TS23-{n:03d}"
    for n in range(9, 13):
        yield ("/", *f"{n:03d}", "enter"), f"TS23-{n:03d}"
    yield ("/", *"TS23-01", "down", "down", "enter"), "TS23-011"  # 010 first, then 011
    yield ("/", *"TS23-02", "down", "down", "down", "enter"), "TS23-022"
    yield ("/", *"TS23-01", "down", "end", "enter"), "TS23-019"
    yield ("/", *"TS23-02", "down", "end", "home", "enter"), "TS23-020"
    yield ("/", *"0299", "backspace", "backspace", "7", "down", "enter"), "TS23-027"
    yield ("/", *"TS23-0", "down", "pagedown", "enter"), None  # a page on: computed below
    yield ("/", *"28", "down", "enter"), "TS23-028"
    yield ("/", *"TS23-014", "down", "up", "enter"), "TS23-014"  # Up stops at the first


async def clear_filter(pilot: Pilot[Any], app: AuditApp) -> None:
    """Back on the dashboard with an empty filter, as the user left it before the next round."""
    if isinstance(app.screen, CaseWalkScreen):
        await pilot.press("escape")
    await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
    dashboard(app).query_one("#filter", Input).value = ""
    await until(pilot, lambda: dashboard(app).query_one(VirtualTable).row_count == 28)


def page_target(app: AuditApp) -> str:
    """Where PageDown from the first of 28 rows lands: the table's own page height."""
    table = dashboard(app).query_one(VirtualTable)
    page = max(1, table.scrollable_content_region.height - 2)
    return f"TS23-{1 + min(27, page):03d}"


@pytest.mark.slow
async def test_filter_down_enter_opens_the_right_case_20_of_20(demo_db: str) -> None:
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        landed = []
        for keys, expected in rounds():
            want = expected or page_target(app)
            burst(app, *keys)
            await until(pilot, lambda: opened(app) is not None)
            landed.append((opened(app), want))
            await clear_filter(pilot, app)
        assert len(landed) == 20
        assert [got for got, _ in landed] == [want for _, want in landed]


async def test_down_down_enter_in_the_table_opens_the_third_case(demo_db: str) -> None:
    """The table reads Enter itself: once, it did so before the Downs typed ahead of it."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "down", "down", "enter")
        await until(pilot, lambda: opened(app) is not None)
        assert opened(app) == "TS23-003"


async def add_case_by_keys(pilot: Pilot[Any], app: AuditApp, ref: str) -> None:
    """c, the reference typed, the attributes chosen, ctrl+s; back when the dialog has gone."""
    burst(app, "c", *ref)
    await until(pilot, lambda: isinstance(app.screen, CaseDialog))
    await until(pilot, lambda: app.screen.query_one("#case_ref", Input).value == ref)
    for attr, value in ATTRIBUTES.items():
        app.screen.query_one(f"#attr-{attr}", Select).value = value
    burst(app, "ctrl+s")
    await the_moment(lambda: isinstance(app.screen, DashboardScreen))


@pytest.mark.slow
async def test_after_a_dialog_the_burst_opens_the_case_just_added_20_of_20(demo_db: str) -> None:
    """Straight after the add-case dialog closes (the cases still being read again): focus is
    on the table, and filter, Down, Enter opens the new case."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        landed = []
        for n in range(20):
            ref = f"QA-{700 + n}"
            await add_case_by_keys(pilot, app, ref)
            assert isinstance(app.focused, VirtualTable)  # not left in the filter box
            burst(app, "/", *ref, "down", "enter")
            await until(pilot, lambda: opened(app) is not None)
            landed.append(opened(app))
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
            dashboard(app).query_one("#filter", Input).value = ""
        assert landed == [f"QA-{700 + n}" for n in range(20)]


class SecondWriter:
    """Another auditor on the same SQLite file, saving answers until stopped: each save moves
    the audit's revision, which the app's poll sees and the dashboard reads again."""

    def __init__(self, db: str) -> None:
        self.repo = open_repository(db)
        self.audit = audit_ops.open_audit(self.repo, AUDIT)
        self.case = cases.list_cases(self.repo, self.audit)[-1]
        self.saves = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        item = next(i for i in self.audit.rubric.items if i.startswith("2.3.1."))
        while not self._stop.is_set():
            value = Answer.YES if self.saves % 2 else Answer.NO
            answer_ops.save_answer(self.repo, self.audit, self.case, item, value)
            self.saves += 1
            self._stop.wait(0.03)  # a person's pace, not the test's result

    def __enter__(self) -> SecondWriter:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.repo.engine.dispose()


@pytest.mark.slow
async def test_during_a_live_refresh_the_burst_opens_the_right_case_20_of_20(
    demo_db: str,
) -> None:
    app = _app(demo_db, poll_seconds=0.02)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        reads = 0
        screen = dashboard(app)
        shown = screen._show_live

        def counted(*args: object, **kwargs: object) -> None:
            nonlocal reads
            reads += "widths" in kwargs  # a full read of the cases, replacing every row
            shown(*args, **kwargs)  # type: ignore[arg-type]

        screen._show_live = counted  # type: ignore[method-assign]
        landed = []
        with SecondWriter(demo_db) as writer:
            await until(pilot, lambda: reads > 0)  # the refreshes have started
            for keys, expected in rounds():
                want = expected or page_target(app)
                burst(app, *keys)
                await until(pilot, lambda: opened(app) is not None)
                landed.append((opened(app), want))
                await clear_filter(pilot, app)
            assert writer.saves > 20
        assert reads > 20, "the dashboard was not refreshed while the keys were typed"
        assert [got for got, _ in landed] == [want for _, want in landed]


async def test_enter_opens_the_highlighted_case_after_a_refresh_reorders_nothing(
    demo_db: str,
) -> None:
    """The cursor stays on its case when the rows are read again; Enter opens that case."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "end", "up")
        await settle(pilot, app)
        dashboard(app).load()
        await settle(pilot, app)
        burst(app, "enter")
        await until(pilot, lambda: opened(app) is not None)
        assert opened(app) == "TS23-027"


# ---- the case walk ---------------------------------------------------------------------------


async def test_arrows_move_through_items_from_the_first_key(demo_db: str) -> None:
    """Enter then Down at once: the item after the start, not the list of standards."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "enter")
        await until(pilot, lambda: opened(app) is not None)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and isinstance(app.focused, ItemList)
        burst(app, "down", "down")  # (maybe) before its answers are read: moves all the same
        await settle(pilot, app)
        rows = [r for r in walk.rows if r.applies]
        assert walk.current is rows[2]  # complete case: the walk starts at its first item
        nav = walk.query_one("#standards", ListView)
        assert nav.index == rows[2].section


async def test_the_standards_list_has_its_own_keys(demo_db: str) -> None:
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        first = walk.current
        assert first is not None
        burst(app, "pagedown")
        await settle(pilot, app)
        assert walk.current is not None and walk.current.section > first.section
        burst(app, "pageup")
        await settle(pilot, app)
        assert walk.current is not None and walk.current.section == first.section
        burst(app, "s", "down", "down", "enter", "down")
        await settle(pilot, app)
        nav = walk.query_one("#standards", ListView)
        assert isinstance(app.focused, ItemList)  # Enter went there and gave the arrows back
        section = walk.sections[first.section + 2]
        assert walk.current is section.applicable[1]
        assert nav.index == section.index
        burst(app, "s", "escape")  # Esc leaves the list, not the case
        await settle(pilot, app)
        assert isinstance(app.screen, CaseWalkScreen) and isinstance(app.focused, ItemList)


async def test_home_and_end_go_to_the_first_and_last_item(demo_db: str) -> None:
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        rows = [r for r in walk.rows if r.applies]
        burst(app, "end")
        await settle(pilot, app)
        assert walk.current is rows[-1]
        burst(app, "home")
        await settle(pilot, app)
        assert walk.current is rows[0]


# ---- Home and End in tables; F1 everywhere ---------------------------------------------------


async def test_home_and_end_in_the_case_table_and_the_audit_list(demo_db: str) -> None:
    app = build_app(demo_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        audits = app.screen.query_one("#audits", VirtualTable)
        assert audits.row_count >= 2
        burst(app, "end")
        await settle(pilot, app)
        assert audits.cursor == audits.row_count - 1
        burst(app, "home")
        await settle(pilot, app)
        assert audits.cursor == 0
        name = audits.cursor_key
        app.open_audit(AUDIT)
        await settle(pilot, app)
        table = dashboard(app).query_one(VirtualTable)
        burst(app, "end")
        await settle(pilot, app)
        assert table.cursor_key == table.keys_shown[-1]
        burst(app, "home")
        await settle(pilot, app)
        assert table.cursor_key == table.keys_shown[0]
        assert name  # the audit list's first row was a real audit


def _screens() -> list[tuple[str, tuple[str, ...]]]:
    """(what it is, keys from the dashboard that show it)."""
    return [
        ("Dashboard", ()),
        ("Judgements", ("j",)),
        ("Report", ("r",)),
        ("History", ("h",)),
        ("Disagreements", ("d",)),
        ("Compare", ("v",)),
        ("Feedback", ("f",)),
        ("Actions", ("A",)),
        ("add-case dialog", ("c",)),
        ("rename dialog", ("f2",)),
    ]


@pytest.mark.parametrize(("name", "keys"), _screens(), ids=[n for n, _ in _screens()])
async def test_f1_opens_help_on_every_screen(demo_db: str, name: str, keys: tuple[str]) -> None:
    from audit_tui.tui.screens.help import HelpScreen

    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, *keys)
        beneath = app.screen
        await steps(pilot, app, "f1")
        assert isinstance(app.screen, HelpScreen), name
        assert app.screen.beneath is beneath
        await steps(pilot, app, "f1")  # F1 again closes it
        assert app.screen is beneath


async def test_f1_on_the_audit_list_and_in_a_case(demo_db: str) -> None:
    from audit_tui.tui.screens.guidance import GuidanceScreen
    from audit_tui.tui.screens.help import HelpScreen

    app = build_app(demo_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "f1")
        assert isinstance(app.screen, HelpScreen)
        assert isinstance(app.screen.beneath, AuditListScreen)
        await steps(pilot, app, "escape")
        app.open_audit(AUDIT)
        await steps(pilot, app, "enter", "f1")
        assert isinstance(app.screen, GuidanceScreen)  # an item is focused: its guidance


# ---- dialogs: Enter in a closed dropdown; saved or unchanged, never silence -------------------


async def test_enter_in_a_closed_dropdown_submits_the_dialog(demo_db: str) -> None:
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "c", *"QA-800")
        dialog = app.screen
        assert isinstance(dialog, CaseDialog)
        for attr, value in ATTRIBUTES.items():
            dialog.query_one(f"#attr-{attr}", Select).value = value
        rosh = dialog.query_one("#attr-rosh", Select)
        rosh.focus()
        await steps(pilot, app, "down")  # Down opens the list; Enter there picks, not submits
        assert rosh.expanded
        await steps(pilot, app, "down", "enter")
        assert app.screen is dialog and not rosh.expanded and rosh.value != "low"
        await steps(pilot, app, "enter")  # closed: the form's Enter
        assert isinstance(app.screen, DashboardScreen)
        assert "QA-800" in [c.case_ref for c in dashboard(app).cases]


def notices(app: AuditApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_every_save_says_saved_or_unchanged(demo_db: str) -> None:
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await add_case_by_keys(pilot, app, "QA-810")
        await settle(pilot, app)
        assert "Case QA-810 saved" in notices(app)
        await steps(pilot, app, "e", "ctrl+s")  # the first case's attributes, as they were
        assert isinstance(app.screen, DashboardScreen)
        assert "Case TS23-001 unchanged" in notices(app)
        await steps(pilot, app, "f2", "enter")  # the name as it was
        assert "The audit's name is unchanged" in notices(app)
        await steps(pilot, app, "j", "ctrl+s")
        assert "Judgements unchanged" in notices(app)


async def test_a_filter_edited_in_a_burst_applies_each_key_in_order(demo_db: str) -> None:
    """Backspace in the filter acts before the text typed after it, however fast."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "/", *"TS23-0199", "backspace", "backspace", "backspace", *"26")
        await settle(pilot, app)
        box = dashboard(app).query_one("#filter", Input)
        assert box.value == "TS23-026"
        assert dashboard(app).query_one(VirtualTable).keys_shown == [
            str(c.id) for c in dashboard(app).cases if c.case_ref == "TS23-026"
        ]


async def test_answers_typed_with_the_enter_that_opens_the_case_land_in_it(
    two_case_db: str,
) -> None:
    """Enter, then the answers, in one burst: they answer the case Enter opened (once, they
    went to the dashboard, or were refused while the case was read)."""
    from tests.tui.test_journeys import stored

    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "enter", "y", "n")
        await until(pilot, lambda: opened(app) == "QA-001")
        await settle(pilot, app)
        await steps(pilot, app, "escape")
        burst(app, "/", *"QA-002", "enter", "a", "down", "y")
        await until(pilot, lambda: opened(app) == "QA-002")
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        rows = [r for r in walk.rows if r.applies]  # N/A, then Down past the next blank, Yes
    answers = stored(two_case_db)
    assert answers["QA-001"] == {"2.2.1.a": "yes", "2.2.1.b": "no"}
    assert answers["QA-002"] == {rows[0].item_id: "na", rows[2].item_id: "yes"}


async def test_back_from_a_case_the_table_highlights_the_case_left(demo_db: str) -> None:
    """`>` twice then Esc: the dashboard's cursor is on the third case, so Enter, `f` or `e`
    act on the case just walked, not on the one first opened."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter", "greater_than_sign", "greater_than_sign", "escape")
        table = dashboard(app).query_one(VirtualTable)
        assert table.get_row(str(table.cursor_key))[0] == "TS23-003"
        burst(app, "enter")
        await until(pilot, lambda: opened(app) is not None)
        assert opened(app) == "TS23-003"


async def test_a_burst_across_cases_answers_each_case_it_was_typed_for(tmp_path: Any) -> None:
    """`>` replaces the case's screen; keys typed before the new one is up still reach the old
    one. They answered the case being left (K-1 got K-2's and K-3's answers), and the header
    of each screen torn down at once closed the app. Each key now lands on its own case."""
    from tests.tui.test_dipp_app import rubric_db

    target = rubric_db(tmp_path, "all-questions", {"plan_due": "no"})
    repo = open_repository(target)
    audit = audit_ops.open_audit(repo, "all-questions")
    cases.add_cases(repo, audit, [(f"K-{i}", {"plan_due": "no"}) for i in range(3, 7)])
    repo.engine.dispose()
    app = build_app(target, open_audit="all-questions", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        burst(app, ">", *"yyyy", ">", *"nnnn", ">", ">", "y", "<", "a")
        await until(pilot, lambda: isinstance(app.screen, CaseWalkScreen) and app.screen.index == 3)
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "K-4"
        assert app.is_running and app.return_code is None
    by_ref = _saved_by_ref(target)
    kqs = ["O1.1", "O1.2", "O2.1", "O2.2"]
    assert by_ref["K-1"] == {}
    assert by_ref["K-2"] == dict.fromkeys(kqs, "yes")
    assert by_ref["K-3"] == dict.fromkeys(kqs, "no")
    assert by_ref["K-5"] == {"O1.1": "yes"} and by_ref["K-4"] == {"O1.1": "na"}


async def test_arrows_typed_across_cases_move_the_case_they_were_typed_for(tmp_path: Any) -> None:
    """The arrows of a burst after `>` move the next case's cursor, not the one being left: the
    answer after them lands on the item they reached."""
    from tests.tui.test_dipp_app import rubric_db

    target = rubric_db(tmp_path, "all-questions", {"plan_due": "no"})
    repo = open_repository(target)
    cases.add_cases(
        repo, audit_ops.open_audit(repo, "all-questions"), [("K-3", {"plan_due": "no"})]
    )
    repo.engine.dispose()
    app = build_app(target, open_audit="all-questions", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        burst(app, ">", "down", "down", "y", ">", "end", "n", "<", "home", "down", "a")
        await until(pilot, lambda: isinstance(app.screen, CaseWalkScreen) and app.screen.index == 1)
        await settle(pilot, app)
        assert app.is_running and app.return_code is None
    by_ref = _saved_by_ref(target)
    assert by_ref["K-1"] == {}
    assert by_ref["K-2"] == {"O2.1": "yes", "O1.2": "na"}
    assert by_ref["K-3"] == {"O2.2": "no"}


def _saved_by_ref(target: str) -> dict[str, dict[str, str]]:
    """What is on disk: each case's saved answers by its reference."""
    repo = open_repository(target)
    audit = audit_ops.open_audit(repo, "all-questions")
    saved = answer_ops.answer_values(repo, audit)
    by_ref = {c.case_ref: saved.get(c.id, {}) for c in cases.list_cases(repo, audit)}
    repo.engine.dispose()
    return by_ref


async def test_keys_typed_as_the_app_starts_open_the_case_they_name(two_case_db: str) -> None:
    """Enter, Down, Enter and an answer in one burst as the app starts (the list not yet read,
    then the audit's cases not yet read): each key acts once its rows are in, in order. Before,
    the Down found no rows, Enter opened the first case and the answer went to it."""
    from tests.tui.test_journeys import stored

    app = build_app(two_case_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "enter", "down", "enter", "y")
        await until(pilot, lambda: opened(app) is not None)
        assert opened(app) == "QA-002"
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        first = next(r for r in walk.rows if r.applies).item_id
    assert stored(two_case_db) == {"QA-001": {}, "QA-002": {first: "yes"}}


async def test_from_the_list_down_enter_and_the_cases_keys_in_one_burst(demo_db: str) -> None:
    """The store open and the list shown: Enter on an audit, then Down, Down, Enter for its
    cases before they are read, opens the third."""
    app = build_app(demo_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        target = app.audit_names.index(AUDIT)
        burst(app, *["down"] * target, "enter", "down", "down", "enter")
        await until(pilot, lambda: opened(app) is not None)
        assert opened(app) == "TS23-003"


async def test_in_and_out_of_an_audit_then_into_the_next_in_one_burst(demo_db: str) -> None:
    """Enter, Esc, then Down, Enter, Down, Enter, in one burst from the list's first audit:
    out of it before its cases are read, into the next audit, and its second case opens. The
    keys after Esc were sent to the app one by one as the next audit opened, and the Down
    before its last Enter reached no one: its first case opened."""
    app = build_app(demo_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        names = app.audit_names
        burst(app, "enter", "escape", "down", "enter", "down", "enter")
        await until(pilot, lambda: opened(app) is not None)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.audit.info.name == names[1] == AUDIT
        assert opened(app) == "TS23-002"
        assert [type(s) for s in app.screen_stack[1:]] == [
            AuditListScreen,
            DashboardScreen,
            CaseWalkScreen,
        ]


async def test_keys_after_enter_are_the_next_screens_not_this_ones_commands(
    demo_db: str,
) -> None:
    """Enter then a key this screen takes first (a priority binding), in one burst: the key is
    the next screen's. On the list, Enter then `n` opened a new-audit dialog over the audit;
    on the dashboard, Enter then `s` (the walk's standards) opened a sign-off dialog, and
    ctrl+z (the walk's undo) would have brought back a removed case."""
    from audit_tui.tui.screens.new_audit import NewAuditDialog
    from audit_tui.tui.widgets.standards_list import StandardsList

    app = build_app(demo_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        target = app.audit_names.index(AUDIT)
        burst(app, *["down"] * target, "enter", "n")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await settle(pilot, app)
        assert not any(isinstance(s, NewAuditDialog) for s in app.screen_stack)
        for _ in range(3):  # each time: Enter, then the walk's key
            burst(app, "enter", "s")
            await until(pilot, lambda: opened(app) is not None)
            await settle(pilot, app)
            assert isinstance(app.screen, CaseWalkScreen), app.screen_stack
            assert isinstance(app.focused, StandardsList)
            await steps(pilot, app, "escape", "escape")
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen))


async def test_a_down_typed_before_the_filter_moves_the_table_not_the_filter(demo_db: str) -> None:
    """Down, `/`, text: the Down was typed first, so it moves the table's cursor, and the focus
    stays in the filter for the keys after the text (sent on to the filter, the Down took the
    focus back out of it, and the next key fell on the dashboard's bindings)."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "down", "/", *"TS23-01")
        await settle(pilot, app)
        burst(app, "5")
        await settle(pilot, app)
        box = dashboard(app).query_one("#filter", Input)
        assert box.value == "TS23-015" and app.focused is box
        burst(app, "enter")
        await until(pilot, lambda: opened(app) is not None)
        assert opened(app) == "TS23-015"


async def test_keys_after_a_screen_opens_over_a_case_are_that_screens(demo_db: str) -> None:
    """F1 (the guidance) then `u` and `>` in one burst: the case beneath keeps its answers and
    stays open (`u` cleared the answer under the guidance, and `>` replaced the guidance with
    the next case, leaving this one beneath it, dead to every key; Down there then crashed)."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "enter")
        await until(pilot, lambda: opened(app) == "TS23-001")
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        before = {r.item_id: r.value for r in walk.rows}
        assert any(before.values())
        burst(app, "f1", "u", ">")
        await settle(pilot, app)
        assert {r.item_id: r.value for r in walk.rows} == before
        assert sum(isinstance(s, CaseWalkScreen) for s in app.screen_stack) == 1
        burst(app, "escape")
        await until(pilot, lambda: app.screen is walk)
        burst(app, "down", "pagedown", ">")
        await until(pilot, lambda: opened(app) == "TS23-002")
        assert app.is_running


@pytest.mark.parametrize(
    ("keys", "case"),
    [
        (("down", "down", "e"), "TS23-003"),
        (("end", "up", "e"), "TS23-027"),
        (("/", *"TS23-01", "down", "down", "e"), "TS23-011"),
    ],
)
async def test_a_key_that_opens_a_dialog_acts_after_the_keys_typed_before_it(
    demo_db: str, keys: tuple[str, ...], case: str
) -> None:
    """`e` (a priority key, so the text typed after it reaches the dialog) was taken as it
    arrived, ahead of the moves typed before it: Down, Down, `e` edited the first case. After
    `/`, text and Down, the `e` went into the filter as text. It waits its turn now."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, *keys)
        await until(pilot, lambda: isinstance(app.screen, CaseDialog))
        dialog = app.screen
        assert isinstance(dialog, CaseDialog) and dialog.case is not None
        assert dialog.case.case_ref == case
        assert dashboard_beneath(app).query_one("#filter", Input).value == "".join(
            k for k in keys[1:-1] if len(k) == 1
        ) * (keys[0] == "/")


async def test_text_typed_after_a_dialog_key_behind_moves_reaches_the_dialog(
    demo_db: str,
) -> None:
    """Down, then `c` (add a case) and its reference in one burst: the dialog opens after the
    Down and the reference typed after `c` is in its first field, not acted on as keys."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "down", "c", *"QA-77")
        await until(pilot, lambda: isinstance(app.screen, CaseDialog))
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, CaseDialog) and dialog.case is None
        assert dialog.query_one("#case_ref", Input).value == "QA-77"
        assert dashboard_beneath(app).query_one(VirtualTable).cursor == 1


def dashboard_beneath(app: AuditApp) -> DashboardScreen:
    board = next(s for s in app.screen_stack if isinstance(s, DashboardScreen))
    return board


async def test_filter_then_esc_esc_in_one_burst_leaves_the_dashboard(demo_db: str) -> None:
    """`/`, Esc, Esc: the first Esc leaves the filter, the second the dashboard (the focus as it
    was at the last event said the filter still had it, so the second Esc left it again)."""
    app = build_app(demo_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "enter")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await settle(pilot, app)
        burst(app, "/", "escape", "escape")
        await settle(pilot, app)
        assert isinstance(app.screen, AuditListScreen)


async def test_text_typed_after_the_key_that_opens_the_timeline_filters_it(demo_db: str) -> None:
    """`h` then a year in one burst: the whole year is in the timeline's filter (its first
    digit reached the timeline before anything there had the focus, and was lost)."""
    from audit_tui.tui.screens.timeline import TimelineScreen

    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "h", *"2024")
        await until(pilot, lambda: isinstance(app.screen, TimelineScreen))
        await settle(pilot, app)
        assert app.screen.query_one("#timeline-filter", Input).value == "2024"


async def test_text_typed_as_a_dialog_takes_the_focus_stays_in_order(demo_db: str) -> None:
    """Down, `c` and the start of a reference, then the rest the moment the dialog's field has
    the focus: the text is in the order typed (the first part, kept for the dialog until it
    was drawn, came after the rest)."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "down", "c", "Q", "A")
        await the_moment(
            lambda: isinstance(app.screen, CaseDialog) and isinstance(app.focused, Input)
        )
        burst(app, "-", "7", "7")
        await settle(pilot, app)
        assert app.screen.query_one("#case_ref", Input).value == "QA-77"


async def test_keys_after_an_esc_that_closes_a_dialog_act_below_it(demo_db: str) -> None:
    """`e`, then Esc, Down, Enter in one burst: the dialog closes unchanged and the second case
    opens. The Enter reached the dialog's field ahead of the Esc and saved the edit, and the Esc
    then left the dashboard: the burst ended on the audit list."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await steps(pilot, app, "e")
        assert isinstance(app.screen, CaseDialog)
        burst(app, "escape", "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, CaseWalkScreen))
        await settle(pilot, app)
        assert opened(app) == "TS23-002"
        assert not any("TS23-001" in line for line in notices(app))


async def test_text_typed_before_an_esc_is_asked_about_before_it_is_lost(demo_db: str) -> None:
    """`c`, a reference and Esc in one burst: the Esc finds the reference typed and asks before
    discarding it (the Esc waits for the keys before it to reach the field, as the keys after
    it wait for the dialog to close)."""
    from audit_tui.tui.screens.confirm import ConfirmDialog

    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await steps(pilot, app, "c")
        burst(app, *"QA", "escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        dialog = next(s for s in app.screen_stack if isinstance(s, CaseDialog))
        assert dialog.query_one("#case_ref", Input).value == "QA"


async def test_discarding_in_a_burst_then_the_keys_after_act_on_the_dashboard(
    demo_db: str,
) -> None:
    """`c`, a reference, Esc, `y` (discard), Down, Enter in one burst: nothing is added and the
    second case opens."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await steps(pilot, app, "c")
        burst(app, *"QA", "escape", "y", "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, CaseWalkScreen))
        await settle(pilot, app)
        assert opened(app) == "TS23-002"
    repo = open_repository(demo_db)
    refs = [c.case_ref for c in cases.list_cases(repo, audit_ops.open_audit(repo, AUDIT))]
    repo.engine.dispose()
    assert "QA" not in refs and len(refs) == 28


async def _edit_first_case(pilot: Pilot[Any], app: AuditApp) -> CaseDialog:
    """The edit dialog of the first case, its sentence type changed (the next in the list)."""
    await settle(pilot, app)
    await steps(pilot, app, "e", "space", "down", "enter")
    dialog = app.screen
    assert isinstance(dialog, CaseDialog) and dialog.dirty
    return dialog


async def test_keys_after_the_enter_that_saves_a_dialog_act_where_the_save_leaves(
    two_case_db: str,
) -> None:
    """Enter (save), Down, Enter in one burst while the save is under way: the dialog closes
    once saved, then the second case opens. The Down and Enter reached the closing dialog (the
    Down opened its dropdown) and were lost with it."""
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _edit_first_case(pilot, app)
        gate = hold_writes(app)
        burst(app, "enter", "down", "enter")
        await until(pilot, lambda: app.keys_waiting == 2)
        for _ in range(5):  # time for a key to go astray
            await pilot.pause()
        assert app.keys_waiting == 2 and app.screen is dialog
        assert not dialog.query_one(Select).expanded
        gate.set()
        await until(pilot, lambda: isinstance(app.screen, CaseWalkScreen))
        await settle(pilot, app)
        assert opened(app) == "QA-002"
        assert "Case QA-001 saved" in notices(app)


async def test_quitting_does_not_wait_behind_a_dialogs_write(
    two_case_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+q typed after a save that hangs acts at once, in the dialog (where it did nothing:
    the dialog's keys stopped there); the keys between wait for the save."""
    quits: list[str] = []

    async def quit_noted(self: AuditApp) -> None:
        quits.append(type(self.screen).__name__)

    monkeypatch.setattr(AuditApp, "action_quit", quit_noted)
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _edit_first_case(pilot, app)
        gate = hold_writes(app)
        burst(app, "enter", "down", "ctrl+q")
        await until(pilot, lambda: bool(quits))
        assert quits == ["CaseDialog"] and app.screen is dialog and app.keys_waiting == 1
        assert not dialog.query_one(Select).expanded  # the Down waits for the save
        gate.set()
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await settle(pilot, app)
        assert dashboard(app).query_one("#cases", VirtualTable).cursor == 1


async def _ends(db: str, opening: tuple[str, ...], keys: tuple[str, ...], at_once: bool) -> Ends:
    """Where `keys`, typed after the `opening` steps, leave the app and the audit: typed one
    at a time, or in one burst."""
    app = _app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await steps(pilot, app, *opening)
        if at_once:
            burst(app, *keys)
        else:
            for key in keys:
                await steps(pilot, app, key)
        await settle(pilot, app)
        top = (type(app.screen).__name__, opened(app))
        errors = [n.message for n in app._notifications if n.severity == "error"]
    repo = open_repository(db)
    audit = audit_ops.open_audit(repo, AUDIT)
    refs = tuple(c.case_ref for c in cases.list_cases(repo, audit))
    removals = sum(1 for e in event_ops.audit_events(repo, audit) if e.event == "remove-case")
    repo.engine.dispose()
    return Ends(top, refs, removals, errors)


@dataclass(frozen=True)
class Ends:
    top: tuple[str, str | None]
    refs: tuple[str, ...]
    removals: int
    errors: list[str]


@pytest.mark.parametrize(
    ("opening", "keys"),
    [
        (("delete",), (*"why", "enter", "down", "enter")),
        (("delete",), (*"why", "enter", "enter")),
        (("c",), (*"QA", "escape", "enter", "down", "enter")),
    ],
    ids=["remove-then-open", "remove-enter-enter", "discard-button-then-open"],
)
async def test_keys_after_an_enter_that_submits_by_a_message_act_as_typed_one_at_a_time(
    demo_db: str, tmp_path: Any, opening: tuple[str, ...], keys: tuple[str, ...]
) -> None:
    """Enter in a field (Submitted) or on a button (Pressed) acts through a message that
    climbs to the dialog after the key has reached the app: the keys after it went on into the
    dialog meanwhile, and were lost with it, or removed the case a second time, or pressed the
    button again. A burst now ends where the same keys typed one at a time do."""
    copy = str(tmp_path / "copy.db")
    shutil.copy(demo_db, copy)
    one_by_one = await _ends(demo_db, opening, keys, at_once=False)
    at_once = await _ends(copy, opening, keys, at_once=True)
    assert at_once == one_by_one
    assert not at_once.errors


async def test_esc_typed_while_a_dialogs_save_runs_is_the_dialogs(
    demo_db: str, tmp_path: Any
) -> None:
    """Esc pressed while an export is being written, the dialog still showing: the export
    closes the dialog, and the Esc (meant for it) does not then leave the dashboard."""
    app = _app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await steps(pilot, app, "x")
        out = tmp_path / "out"
        out.mkdir()
        app.screen.query_one("#folder", Input).value = str(out)
        gate = hold_writes(app)
        burst(app, "ctrl+s")
        await until(pilot, lambda: app.store.pending == 2)  # the export, behind the gate
        burst(app, "escape")
        await until(pilot, lambda: app.keys_waiting == 1)
        gate.set()
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await settle(pilot, app)
        assert isinstance(app.screen, DashboardScreen) and app.keys_waiting == 0
        assert any(line.startswith("Report written") for line in notices(app))
        assert len(list(out.iterdir())) == 1
