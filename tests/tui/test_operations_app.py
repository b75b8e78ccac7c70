"""The everyday operations in the app, each as a user does it, checked on screen and in the
database: remove a case, rename and delete an audit, undo, update cases by importing, a PSR
changed from yes to no; and dialogs that take the keys typed straight after opening them."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from textual import events
from textual.command import CommandPalette
from textual.widgets import Input, Select, Static, TextArea

from audit_tui.domain.answers import Answer
from audit_tui.store import answers, audits, cases
from audit_tui.store import events as event_ops
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.screens.audit_list import AuditListScreen
from audit_tui.tui.screens.case_dialog import CaseDialog
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.confirm import ConfirmDialog
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.import_dialog import ImportCasesDialog
from audit_tui.tui.screens.note_dialog import NoteDialog
from audit_tui.tui.screens.operations import DeleteAuditDialog, RemoveCaseDialog, RenameAuditDialog
from audit_tui.tui.screens.report import ReportScreen
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.conftest import reopen
from tests.tui.helpers import palette_highlights, settle, steps, until

SIZE = (120, 40)


def text_of(widget: Static) -> str:
    return str(widget.render())


def burst(app: AuditApp, keys: str) -> None:
    for key in keys:
        app.post_message(events.Key(key, key))


async def type_into(pilot: object, app: AuditApp, widget: Input, text: str) -> None:
    widget.value = text
    await settle(pilot, app)  # type: ignore[arg-type]


async def test_remove_a_case_with_a_reason(demo_db: str) -> None:
    app = build_app(demo_db, open_audit="demo-tameside", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        before = text_of(dash.query_one("#rating-2-2", Static))
        await steps(pilot, app, "delete")
        dialog = app.screen
        assert isinstance(dialog, RemoveCaseDialog) and dialog.case.case_ref == "TS23-001"
        await steps(pilot, app, "enter")
        assert "Say why" in text_of(dialog.query_one("#error-reason", Static))
        await pilot.press(*"sentence ended before the period")
        await steps(pilot, app, "enter")
        assert app.screen is dash
        table = dash.query_one("#cases", VirtualTable)
        assert table.row_count == 27 and "TS23-001" not in [r[0] for r in _rows(table)]
        assert "27 cases" in text_of(dash.query_one("#cases-status", Static))
        assert text_of(dash.query_one("#rating-2-2", Static)) != before  # recounted without it
    repo = reopen(demo_db)
    audit = audits.open_audit(repo, "demo-tameside")
    assert audit.info.cases == 27
    [event] = [e for e in event_ops.audit_events(repo, audit) if e.event == "remove-case"]
    assert event.detail == "TS23-001: sentence ended before the period"
    repo.engine.dispose()


def _rows(table: VirtualTable) -> list[list[str]]:
    return [table.get_row_at(i) for i in range(table.row_count)]


async def test_rename_and_delete_an_audit(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "f2")
        dialog = app.screen
        assert isinstance(dialog, RenameAuditDialog)
        await type_into(pilot, app, dialog.query_one("#name", Input), "spo-check-q3")
        await steps(pilot, app, "enter")
        dash = app.screen
        assert isinstance(dash, DashboardScreen) and dash.audit_name == "spo-check-q3"
        assert text_of(dash.query_one("#audit-title", Static)).startswith("spo-check-q3")

        await steps(pilot, app, "ctrl+d")
        dialog = app.screen
        assert isinstance(dialog, DeleteAuditDialog)
        await pilot.press(*"spo-check")  # the old name: not good enough
        await steps(pilot, app, "enter")
        assert app.screen is dialog
        assert "nothing was deleted" in text_of(dialog.query_one("#error-confirm", Static))
        await type_into(pilot, app, dialog.query_one("#confirm", Input), "spo-check-q3")
        await steps(pilot, app, "enter")
        assert isinstance(app.screen, AuditListScreen)
        assert app.audit_names == []
    repo = reopen(two_case_db)
    assert audits.list_audits(repo) == []
    repo.engine.dispose()


async def test_undo_the_last_answer(two_case_any_db: str) -> None:
    app = build_app(two_case_any_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        first, second, *_ = (r for r in walk.rows if r.applies)
        assert walk.current is first
        burst(app, "yn")
        await settle(pilot, app)
        await steps(pilot, app, "ctrl+z")  # the "n" on the second item goes
        await steps(pilot, app, "ctrl+z")  # then the "y" on the first
        assert first.value is None and first.state == "saved"
        assert walk.current is first
        await steps(pilot, app, "ctrl+z")
        assert "Nothing to undo" in str(list(app._notifications)[-1].message)
    repo = reopen(two_case_any_db)
    audit = audits.open_audit(repo, "spo-check")
    case = cases.list_cases(repo, audit)[0]
    history = answers.answer_history(repo, case.id, first.item_id)
    assert [(h["old_value"], h["new_value"], h["via"]) for h in history] == [
        (None, "yes", "tui"),
        ("yes", None, "undo"),
    ]
    assert [
        (h["old_value"], h["new_value"])
        for h in answers.answer_history(repo, case.id, second.item_id)
    ] == [
        (None, "no"),
        ("no", None),
    ]
    repo.engine.dispose()


async def test_import_can_update_existing_cases(two_case_db: str, tmp_path: Path) -> None:
    changed = tmp_path / "changed.csv"
    changed.write_text(
        "case_ref,sentence_type,has_psr,rosh\nQA-001,community,no,very high\nQA-003,licence,no,low\n"
    )
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "i")
        dialog = app.screen
        assert isinstance(dialog, ImportCasesDialog)
        await type_into(pilot, app, dialog.query_one("#path", Input), str(changed))
        await steps(pilot, app, "enter")  # refusing existing cases, the default
        assert "already in" in text_of(dialog.query_one("#error-form", Static))
        dialog.query_one("#update").value = True  # type: ignore[attr-defined]
        await steps(pilot, app, "ctrl+s")
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        table = dash.query_one("#cases", VirtualTable)
        assert table.row_count == 3 and table.get_row("1")[3] == "Very high"
        assert any("updated 1 case, added 1 case" in str(n.message) for n in app._notifications)


async def test_psr_to_no_offers_to_clear_the_court_work_answers(two_case_db: str) -> None:
    repo = reopen(two_case_db)
    audit = audits.open_audit(repo, "spo-check")
    qa2 = cases.list_cases(repo, audit)[1]
    for item in ("2.1.1.a", "2.1.1", "2.2.1"):
        answers.save_answer(repo, audit, qa2, item, Answer.YES)
    repo.engine.dispose()
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "down", "e")
        dialog = app.screen
        assert isinstance(dialog, CaseDialog)
        dialog.query_one("#attr-has_psr", Select).value = "no"
        await steps(pilot, app, "ctrl+s")
        ask = app.screen
        assert isinstance(ask, ConfirmDialog)
        assert "2 answers no longer apply" in ask.question and "2.1.1.a" in ask.question
        await steps(pilot, app, "y")
        assert isinstance(app.screen, DashboardScreen)
    repo = reopen(two_case_db)
    audit = audits.open_audit(repo, "spo-check")
    qa2 = cases.list_cases(repo, audit)[1]
    assert qa2.attributes["has_psr"] == "no"
    stored = {k: v.value for k, v in answers.answers_for_case(repo, qa2.id).items()}
    assert stored == {"2.1.1.a": None, "2.1.1": None, "2.2.1": "yes"}  # cleared, kept in history
    assert [h["via"] for h in answers.answer_history(repo, qa2.id, "2.1.1")] == ["tui", "case-edit"]
    repo.engine.dispose()


async def test_keys_typed_straight_after_opening_a_dialog_land_in_it(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "cQA-009")  # "c" opens Add a case; the reference follows at once
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, CaseDialog)
        assert dialog.query_one("#case_ref", Input).value == "QA-009"
        await steps(pilot, app, "escape", "y", "enter")
        burst(app, "eno names here")  # "e" opens the note; the text follows at once
        await settle(pilot, app)
        note = app.screen
        assert isinstance(note, NoteDialog)
        assert note.query_one("#note", TextArea).text == "no names here"


async def test_the_palette_holds_the_apps_commands_only(demo_db: str) -> None:
    app = build_app(demo_db, open_audit="demo-tameside", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "r")
        report = app.screen
        assert isinstance(report, ReportScreen)
        from audit_tui.tui.commands import AuditCommands

        provider = AuditCommands(report)
        names = [name for name, _, _ in provider._commands()]
        assert not any(word in " ".join(names) for word in ("Screenshot", "Theme", "Maximize"))
        assert "Jump to standard: 2.4 Implementation and delivery" in names
        await steps(pilot, app, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Jump to standard: 2.4")
        await until(pilot, palette_highlights(app, "Jump to standard: 2.4"))
        await steps(pilot, app, "enter")
        table = report.query_one("#report-kqs")
        assert str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value) == "2.4.1"  # type: ignore[attr-defined]


def test_every_thread_worker_reports_its_failures() -> None:
    """A worker that may fail (a dropped connection) must say so on screen, not end the app and
    not fail silently: every `@work` is `exit_on_error=False`, in a screen, widget or app that
    hands its failed workers to the app's one error path (`ReportsFailures`)."""
    import importlib
    import pkgutil

    from textual.dom import DOMNode

    import audit_tui.tui as tui
    from audit_tui.tui.workers import ReportsFailures

    workers = 0
    unreported: list[str] = []
    for found in pkgutil.walk_packages(tui.__path__, "audit_tui.tui."):
        module = importlib.import_module(found.name)
        for cls in vars(module).values():
            if not (isinstance(cls, type) and issubclass(cls, DOMNode)):
                continue
            if cls.__module__ != module.__name__:
                continue
            decorators = re.findall(r"@work\(([^)]*)\)", inspect.getsource(cls))
            workers += len(decorators)
            if decorators and not issubclass(cls, ReportsFailures):
                unreported.append(cls.__qualname__)
            unreported += [cls.__qualname__ for d in decorators if "exit_on_error=False" not in d]
    assert unreported == []
    assert workers >= 20
