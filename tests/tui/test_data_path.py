"""The app's data path at a practised auditor's speed and among other writers.

Keys arrive as a burst (posted straight to the app, as a terminal delivers them, with no pause
for the app to catch up); other writers change the audit underneath; reads and writes fail.
Each test asserts on the screen and on the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from textual import events
from textual.widgets import Static

from audit_tui.domain.answers import Answer
from audit_tui.store import answers, audits, cases, judgements, listing, scores
from audit_tui.store.repository import Repository
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.screens.audit_list import AuditListScreen
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.confirm import ConfirmDialog
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.judgements import JudgementsScreen
from audit_tui.tui.store_link import RevisionSeen
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.conftest import _two_cases, reopen
from tests.tui.helpers import settle, steps, top

SIZE = (120, 40)
WORDS = {"y": "yes", "n": "no", "a": "na"}


def text_of(widget: Static) -> str:
    return str(widget.render())


def burst(app: AuditApp, keys: str) -> None:
    """Every key queued at once, as a terminal delivers a fast typist's keys."""
    for key in keys:
        app.post_message(events.Key(key, key))


def history(
    target: str, audit: str = "spo-check"
) -> dict[str, list[tuple[str | None, str | None]]]:
    repo = reopen(target)
    a = audits.open_audit(repo, audit)
    case = cases.list_cases(repo, a)[0]
    out = {
        item: [
            (h["old_value"], h["new_value"]) for h in answers.answer_history(repo, case.id, item)
        ]
        for item in a.rubric.items
    }
    repo.engine.dispose()
    return {k: v for k, v in out.items() if v}


async def open_first_case(pilot: Any, app: AuditApp) -> CaseWalkScreen:
    await steps(pilot, app, "enter")
    walk = app.screen
    assert isinstance(walk, CaseWalkScreen) and walk.loaded
    return walk


async def test_a_burst_of_24_keys_answers_24_items_in_order(two_case_any_db: str) -> None:
    keys = "ynaynaynaynaynaynaynayna"
    app = build_app(two_case_any_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_first_case(pilot, app)
        expected_items = [r.item_id for r in walk.rows if r.applies][: len(keys)]
        burst(app, keys)
        await settle(pilot, app)
        rows = {r.item_id: r for r in walk.rows}
        for item, key in zip(expected_items, keys, strict=True):
            assert (rows[item].value, rows[item].state) == (WORDS[key], "saved"), item
        assert f"{len(keys)}/65 answered" in text_of(walk.query_one("#case-header", Static))
        assert walk.current is not None and "-current" in walk.current.classes
        assert walk.current.item_id == [r.item_id for r in walk.rows if r.applies][len(keys)]
    assert history(two_case_any_db) == {
        item: [(None, WORDS[key])] for item, key in zip(expected_items, keys, strict=True)
    }


async def test_a_burst_that_goes_back_changes_what_it_should(two_case_db: str) -> None:
    """y y, back up twice, n: the first item ends No, and only its latest answer shows."""
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_first_case(pilot, app)
        first, second, *_ = (r for r in walk.rows if r.applies)
        burst(app, "yy")
        app.post_message(events.Key("up", None))
        app.post_message(events.Key("up", None))
        burst(app, "n")
        await settle(pilot, app)
        assert (first.value, first.state, second.value) == ("no", "saved", "yes")
    assert history(two_case_db)[first.item_id] == [(None, "yes"), ("yes", "no")]


async def test_answers_move_the_live_rating_without_recounting_the_audit(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five answers: five saves, and not one re-aggregation, audit open or case-list load."""
    app = build_app(demo_db, open_audit="demo-tameside", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        calls: Counter[str] = Counter()
        repo = app.store.repo
        for module, name in (
            (scores, "score"),
            (scores, "live_score"),
            (scores, "tallies"),
            (audits, "open_audit"),
            (cases, "list_cases"),
            (audits, "list_audits"),
        ):
            monkeypatch.setattr(module, name, _counting(calls, name, getattr(module, name), repo))
        item = next(r for r in walk.rows if r.item_id == "2.2.3")
        before = app.live.result if app.live else None
        value, changes = item.value, 0
        for key in "nynyn":
            changes += WORDS[key] != value
            value = WORDS[key]
            walk.focus_row(item)
            await pilot.press(key)
            await settle(pilot, app)
        assert calls == Counter()
        assert app.live is not None and app.live.score.applied == changes >= 4
        fresh = reopen(demo_db)
        assert app.live.result == scores.score(fresh, audits.open_audit(fresh, "demo-tameside"))
        fresh.engine.dispose()
        assert before is not None
        await pilot.press("escape")
        await settle(pilot, app)
        assert calls == Counter()  # the dashboard drew from the live counts


def _counting(
    calls: Counter[str], name: str, real: Callable[..., Any], repo: Repository
) -> Callable[..., Any]:
    """`real`, counting its calls on the app's own `repo` (not a test's fresh one)."""

    def counted(*args: Any, **kwargs: Any) -> Any:
        if args[0] is repo:
            calls[name] += 1
        return real(*args, **kwargs)

    return counted


async def test_another_writers_change_is_counted_and_shown(two_case_any_db: str) -> None:
    app = build_app(two_case_any_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_first_case(pilot, app)
        row = walk.current
        assert row is not None and row.value is None
        other = reopen(two_case_any_db)
        audit = audits.open_audit(other, "spo-check")
        case = cases.list_cases(other, audit)[0]
        answers.save_answer(other, audit, case, row.item_id, Answer.NO)
        answers.save_answer(other, audit, cases.list_cases(other, audit)[1], "2.2.1", Answer.YES)
        app.post_message(RevisionSeen(audits.audit_revision(other, audit.info.id) or 0))
        await settle(pilot, app)
        # the same row, changed in place by the refresh (a type checker keeps it narrowed to None)
        assert (row.value, row.state) == ("no", "stored")  # type: ignore[comparison-overlap]
        assert app.live is not None
        assert app.live.result == scores.score(other, audit)
        # and our own save after theirs is counted on top, not lost
        burst(app, "y")
        await settle(pilot, app)
        assert app.live.result == scores.score(other, audit)
        other.engine.dispose()


async def test_a_save_that_meets_another_writers_change_recounts(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_case(pilot, app)
        other = reopen(two_case_db)
        audit = audits.open_audit(other, "spo-check")
        answers.save_answer(other, audit, cases.list_cases(other, audit)[1], "2.2.1", Answer.NO)
        burst(app, "y")  # no poll: our save's revision tells us someone wrote in between
        await settle(pilot, app)
        assert app.live is not None and app.live.result == scores.score(other, audit)
        other.engine.dispose()


async def test_a_failed_save_says_not_saved_and_shows_what_is_stored(
    two_case_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_first_case(pilot, app)
        row = walk.current
        assert row is not None
        burst(app, "y")
        await settle(pilot, app)
        real = answers.save_answer

        def full_disk(*args: Any, **kwargs: Any) -> Any:
            raise OperationalError("UPDATE answer ...", {}, Exception("database or disk is full"))

        monkeypatch.setattr(answers, "save_answer", full_disk)
        walk.focus_row(row)
        burst(app, "n")
        await settle(pilot, app)
        assert (row.value, row.state) == ("yes", "failed")
        assert "NOT SAVED" in text_of(row)
        assert app.is_running and isinstance(app.screen, CaseWalkScreen)
        shown = [str(n.message) for n in app._notifications]
        assert any("NOT saved: the disk is full" in m for m in shown), shown
        monkeypatch.setattr(answers, "save_answer", real)
        walk.focus_row(row)
        burst(app, "n")
        await settle(pilot, app)
        assert (row.value, row.state) == ("no", "saved")


async def test_a_failed_read_is_said_and_the_app_carries_on(
    two_case_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build_app(two_case_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)

        def dropped(*args: Any, **kwargs: Any) -> Any:
            raise OperationalError(
                "SELECT ...", {}, Exception("server closed the connection unexpectedly")
            )

        monkeypatch.setattr(listing, "blind_audits", dropped)  # a read within the list's
        await steps(pilot, app, "f5")
        assert app.is_running and isinstance(app.screen, AuditListScreen)
        shown = [str(n.message) for n in app._notifications]
        lost = [m for m in shown if "lost the connection to the database server" in m]
        assert len(lost) == 1, shown  # said once, by the one error path of the workers
        monkeypatch.undo()
        await steps(pilot, app, "f5", "enter")
        assert isinstance(app.screen, DashboardScreen)


@pytest.fixture
def two_case_pg_db(pg_server_url: str, rubric_text: str) -> Iterator[str]:
    yield _two_cases(pg_server_url, rubric_text)
    repo = reopen(pg_server_url)
    audits.delete_audit(repo, "spo-check")
    repo.engine.dispose()


@pytest.mark.postgres
async def test_the_app_survives_the_server_dropping_its_connections(two_case_pg_db: str) -> None:
    from sqlalchemy import create_engine, text

    app = build_app(two_case_pg_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_first_case(pilot, app)
        admin = create_engine(two_case_pg_db, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        admin.dispose()
        burst(app, "y")
        await settle(pilot, app)
        assert app.is_running and walk.rows
        row = next(r for r in walk.rows if r.applies)
        # the pool notices the dead connection and reconnects: the answer is saved
        assert (row.value, row.state) == ("yes", "saved")


# ---- names shown as typed ------------------------------------------------------------------


async def test_markup_in_names_is_shown_literally(tmp_path: Any, rubric_text: str) -> None:
    target = str(tmp_path / "hostile.db")
    repo = reopen(target)
    audit = audits.create_audit(
        repo, "[/]", rubric_text, pdu="[bold red]x[/]", region="[link=http://x]y"
    )
    cases.add_cases(
        repo, audit, [("C-1", {"sentence_type": "community", "has_psr": "no", "rosh": "low"})]
    )
    repo.engine.dispose()
    app = build_app(target, poll_seconds=0)
    async with app.run_test(size=(160, 40)) as pilot:  # wide: the list shows the PDU
        await settle(pilot, app)
        table = app.screen.query_one("#audits", VirtualTable)
        assert table.get_row("[/]")[:2] == [
            "[/]",
            "[bold red]x[/]",
        ]
        await steps(pilot, app, "enter")
        title = text_of(app.screen.query_one("#audit-title", Static))
        assert title.startswith("[/] · [bold red]x[/] · [link=http://x]y")
        await steps(pilot, app, "ctrl+p")
        await pilot.press(*"open")
        await settle(pilot, app)
        await pilot.press("escape")
        await steps(pilot, app, "enter")
        assert isinstance(app.screen, CaseWalkScreen)


async def test_a_legacy_name_with_control_characters_is_shown_escaped(
    tmp_path: Any, rubric_text: str
) -> None:
    """Made by an older release (new ones refuse it): shown with visible escapes, never sent raw."""
    from sqlalchemy import text

    target = str(tmp_path / "old.db")
    repo = reopen(target)
    audits.create_audit(repo, "old", rubric_text)
    with repo.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit SET name = :n, pdu = :p"), {"n": "ol\x1b[31md", "p": "a\nb"}
        )
    repo.engine.dispose()
    app = build_app(target, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        row = app.screen.query_one("#audits", VirtualTable).get_row("ol\x1b[31md")
        assert row[:2] == ["ol\\x1b[31md", "a\\nb"]


# ---- judgements ask before discarding ----------------------------------------------------------


async def test_leaving_judgements_with_unsaved_changes_asks_first(two_case_db: str) -> None:
    from textual.widgets import Select

    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "j")
        screen = app.screen
        assert isinstance(screen, JudgementsScreen)
        await steps(pilot, app, "escape")  # nothing changed: leaves at once
        assert isinstance(app.screen, DashboardScreen)
        await steps(pilot, app, "j")
        screen = top(app)
        assert isinstance(screen, JudgementsScreen)
        screen.query_one("#rating-1-1", Select).value = "Good"
        await steps(pilot, app, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await steps(pilot, app, "n")  # stay, the rating still there
        assert top(app) is screen and screen.query_one("#rating-1-1", Select).value == "Good"
        await steps(pilot, app, "escape", "y")
        assert isinstance(app.screen, DashboardScreen)
    repo = reopen(two_case_db)
    assert judgements.judgements(repo, audits.open_audit(repo, "spo-check")) == {}
    repo.engine.dispose()
