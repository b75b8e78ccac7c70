"""Whole user journeys through the app, asserting on the screen and on the database."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Markdown, Select, Static, TabbedContent

from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, cases, judgements
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.case_dialog import CaseDialog
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.confirm import ConfirmDialog
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.help import HelpScreen
from audit_tui.tui.screens.import_dialog import ImportCasesDialog
from audit_tui.tui.screens.judgements import JudgementsScreen
from audit_tui.tui.screens.new_audit import NewAuditDialog
from audit_tui.tui.widgets.item_row import ItemRow
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.conftest import reopen
from tests.tui.helpers import palette_highlights, settle, steps, top, until

SIZE = (120, 40)


def text_of(widget: Static) -> str:
    return str(widget.render())


def plain(cells: list[object]) -> list[str]:
    """A table row as the user reads it (cells are Text, shown literally)."""
    return [str(c) for c in cells]


def stored(target: str, audit: str = "spo-check") -> dict[str, dict[str, str | None]]:
    repo = reopen(target)
    a = audits.open_audit(repo, audit)
    out = {
        c.case_ref: {k: v.value for k, v in answer_ops.answers_for_case(repo, c.id).items()}
        for c in cases.list_cases(repo, a)
    }
    repo.engine.dispose()
    return out


async def test_audit_list_shows_score_and_opens_the_dashboard(demo_db: str) -> None:
    app = build_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#audits", VirtualTable)
        cells = table.get_row("demo-tameside")
        row = {column.key: cells[i] for i, column in enumerate(table.columns)}
        assert row["cases"] == "28" and row["progress"] == "██████ 100%" and row["score"] == "7/27"
        assert row["overall"] == "★☆☆ Requires improvement"
        assert row["rubric"] == "HMIP adult probation PDU inspection (2021 framework)"
        table.move_to("demo-tameside")  # after demo-oversight
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, DashboardScreen)
        score = text_of(app.screen.query_one("#ratings-score", Static))
        assert "Score 7/27" in score and "Requires improvement" in score
        assert "29%" in text_of(app.screen.query_one("#rating-2-2", Static))
        assert app.screen.query_one("#cases", VirtualTable).row_count == 28


async def test_new_user_answers_yes_then_no(two_case_any_db: str) -> None:
    """The tmux journey: Enter, Enter, y, n stores exactly one Yes and one No, shown as saved
    (on SQLite and on PostgreSQL: the app uses the same code for both)."""
    two_case_db = two_case_any_db
    app = build_app(two_case_db)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        await pilot.press("enter")
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "QA-001"
        first = walk.current
        assert (
            isinstance(first, ItemRow) and first.item_id == "2.2.1.a"
        )  # court work does not apply
        await pilot.press("y", "n")
        await settle(pilot, app)
        rows = {r.item_id: r for r in walk.rows}
        assert (rows["2.2.1.a"].value, rows["2.2.1.a"].state) == ("yes", "saved")
        assert (rows["2.2.1.b"].value, rows["2.2.1.b"].state) == ("no", "saved")
        assert "✓ saved" in text_of(rows["2.2.1.a"]) and "✓ saved" in text_of(rows["2.2.1.b"])
        assert isinstance(walk.current, ItemRow) and walk.current.item_id == "2.2.1.c"
        await pilot.press("down", "down")
        assert walk.current.item_id == "2.2.2.a"  # past the key question 2.2.1
        await pilot.press("up")
        assert walk.current.item_id == "2.2.1"
    assert stored(two_case_db) == {"QA-001": {"2.2.1.a": "yes", "2.2.1.b": "no"}, "QA-002": {}}


async def test_create_an_audit_add_a_case_and_walk_it_to_complete(tmp_path: Path) -> None:
    target = str(tmp_path / "new.db")
    app = build_app(target)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "n")
        dialog = app.screen
        assert isinstance(dialog, NewAuditDialog)
        await pilot.press("ctrl+s")
        assert "Give the audit a name" in text_of(dialog.query_one("#error-name", Static))
        # two frameworks ship, so none is chosen for the user: saying so, then the 2021 one
        assert "Choose a framework" in text_of(dialog.query_one("#error-rubric", Static))
        dialog.query_one("#rubric", Select).value = "hmip-probation-pdu-2021"
        await pilot.press(*"pdu-q3")
        await pilot.press("enter")
        await settle(pilot, app)
        dash = app.screen
        assert isinstance(dash, DashboardScreen) and dash.audit_name == "pdu-q3"

        await pilot.press("c")
        case_dialog = app.screen
        assert isinstance(case_dialog, CaseDialog)
        await pilot.press(*"Jo Bloggs")
        await pilot.press("ctrl+s")
        # each error beside its field, in words
        assert "looks like a name" in text_of(case_dialog.query_one("#error-case_ref", Static))
        assert "Choose one" in text_of(case_dialog.query_one("#error-attr-sentence_type", Static))
        case_dialog.query_one("#case_ref", Input).value = "QA-100"
        await pilot.pause()
        assert text_of(case_dialog.query_one("#error-case_ref", Static)) == ""  # edited: gone
        for attr, value in (("sentence_type", "licence"), ("has_psr", "no"), ("rosh", "low")):
            case_dialog.query_one(f"#attr-{attr}", Select).value = value
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.query_one("#cases", VirtualTable).row_count == 1

        await pilot.press("enter")
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        applicable = [r for r in walk.rows if r.applies]
        unfinished = walk.query_one("#case-header", Static).styles.background
        for _ in applicable:
            await pilot.press("y")
        await settle(pilot, app)
        assert walk.is_complete
        header = walk.query_one("#case-header", Static)
        assert "✓ CASE COMPLETE" in text_of(header)
        assert header.has_class("-complete")  # drawn green (app.tcss)
        assert header.styles.background != unfinished
        await pilot.press("escape")
        await settle(pilot, app)
        assert "✓ complete" in app.screen.query_one("#cases", VirtualTable).get_row_at(0)
    answers = stored(target, "pdu-q3")["QA-100"]
    assert len(answers) == len(applicable) and set(answers.values()) == {"yes"}
    assert "2.1.1" not in answers


async def test_changing_one_answer_moves_the_ratings_at_once(demo_db: str) -> None:
    app = build_app(demo_db, open_audit="demo-tameside")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        assert "29%" in text_of(dash.query_one("#rating-2-2", Static))
        repo = reopen(demo_db)
        audit = audits.open_audit(repo, "demo-tameside")
        target = next(
            c
            for c in cases.list_cases(repo, audit)
            if answer_ops.answers_for_case(repo, c.id)["2.2.3"].value == "no"
        )
        repo.engine.dispose()
        dash.action_open_case(target.case_ref)
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        walk.focus_row(next(r for r in walk.rows if r.item_id == "2.2.3"))
        await pilot.pause()
        assert "2.2 Assessment across the audit: ☆☆☆ Inadequate, lowest 2.2.3 29%" in text_of(
            walk.query_one("#standard-rating", Static)
        )
        await pilot.press("y")
        await settle(pilot, app)
        # 9 of 28 now: the walk says so at once, and so does the dashboard on return
        assert "lowest 2.2.3 32%" in text_of(walk.query_one("#standard-rating", Static))
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is dash
        assert "32%" in text_of(dash.query_one("#rating-2-2", Static))
        await pilot.press("enter")  # the same case again; clearing leaves 8 of 27 = 30%
        await settle(pilot, app)
        walk = top(app)
        assert isinstance(walk, CaseWalkScreen)
        walk.focus_row(next(r for r in walk.rows if r.item_id == "2.2.3"))
        await pilot.pause()
        await pilot.press("u")
        await steps(pilot, app, "escape")
        assert "30%" in text_of(dash.query_one("#rating-2-2", Static))
        assert "in progress" in text_of(dash.query_one("#rating-2-2", Static))
        assert "provisional" in text_of(dash.query_one("#ratings-score", Static))


async def test_quit_mid_case_loses_nothing_and_resumes_where_left(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit="spo-check")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        await pilot.press("y", "n", "a")
        await pilot.press("ctrl+q")  # straight away: queued writes must still land
    assert stored(two_case_db)["QA-001"] == {"2.2.1.a": "yes", "2.2.1.b": "no", "2.2.1.c": "na"}

    app = build_app(two_case_db, open_audit="spo-check")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        assert isinstance(walk.current, ItemRow) and walk.current.item_id == "2.2.1"
        assert "3/65 answered" in text_of(walk.query_one("#case-header", Static))


async def test_next_and_previous_case_without_going_back(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit="spo-check")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        await pilot.press("greater_than_sign")
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "QA-002"
        assert isinstance(walk.current, ItemRow) and walk.current.item_id == "2.1.1.a"  # has a PSR
        await pilot.press("less_than_sign")
        await settle(pilot, app)
        assert app.screen.case.case_ref == "QA-001"  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_court_work_without_a_psr_is_shown_and_skipped(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit="spo-check")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        court = [r for r in walk.rows if r.item_id.startswith("2.1.1")]
        assert court and all(not r.applies and not r.can_focus for r in court)
        # in the rubric's words for the case, not the attribute's id and value
        assert "does not apply: no pre-sentence report" in text_of(court[0])
        assert "has_psr" not in text_of(court[0])
        nav = str(walk.query_one("#nav-label-0").render())
        assert "does not apply: no pre-sentence report" in nav


async def test_notes_are_tagged_and_saved(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit="spo-check")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        await pilot.press("e")
        await pilot.press(*"Motivation not explored")
        await pilot.press("tab", "down", "down", "enter")  # the radio set: Area for improvement
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        row = app.screen.current  # type: ignore[attr-defined]
        assert isinstance(
            row, ItemRow
        ) and "✎ note (area for improvement): Motivation not explored" in text_of(row)
    repo = reopen(two_case_db)
    [note] = answer_ops.tagged_notes(repo, audits.open_audit(repo, "spo-check"))
    assert (note.item_id, note.tag, note.note) == (
        "2.2.1.a",
        "improvement",
        "Motivation not explored",
    )
    repo.engine.dispose()


async def test_judgements_screen(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit="spo-check")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "j")
        screen = app.screen
        assert isinstance(screen, JudgementsScreen)
        screen.query_one("#strengths-1-2").text = "Regular supervision"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        assert "1.2 Staff: choose a rating" in text_of(screen.query_one("#errors", Static))
        screen.query_one("#rating-1-2", Select).value = "Good"
        screen.query_one("#rating-1-1", Select).value = "Requires improvement"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "✓ Saved (2 changed)" in text_of(screen.query_one("#errors", Static))
        await pilot.press("escape")
        await settle(pilot, app)
        assert "Good" in text_of(app.screen.query_one("#rating-1-2", Static))
    repo = reopen(two_case_db)
    judged = judgements.judgements(repo, audits.open_audit(repo, "spo-check"))
    assert judged["1.2"].rating == "Good" and judged["1.2"].strengths == "Regular supervision"
    repo.engine.dispose()


async def test_import_dialog_lists_errors_and_imports_nothing(
    two_case_db: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "case_ref,sentence_type,has_psr,rosh\nQA-003,community,no,low\nQA-004,custody,no,low\n"
    )
    good = tmp_path / "good.csv"
    good.write_text("case_ref,sentence_type,has_psr,rosh\nQA-003,community,no,low\n")
    app = build_app(two_case_db, open_audit="spo-check")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        dialog = app.screen
        assert isinstance(dialog, ImportCasesDialog)
        await pilot.press(*str(bad), "enter")
        await settle(pilot, app)
        errors = text_of(dialog.query_one("#error-form", Static))
        assert errors.startswith("Nothing was imported:")
        assert "row 3, column 'sentence_type': 'custody' is not allowed" in errors
        dialog.query_one("#path", Input).value = str(good)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.query_one("#cases", VirtualTable).row_count == 3
    assert set(stored(two_case_db)) == {"QA-001", "QA-002", "QA-003"}


async def test_new_audit_dialog_refuses_a_taken_name(two_case_db: str) -> None:
    app = build_app(two_case_db)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "n")
        await pilot.press(*"spo-check", "enter")  # Enter submits, as in every dialog
        assert "An audit named 'spo-check' already exists" in text_of(
            app.screen.query_one("#error-name", Static)
        )
        await steps(pilot, app, "escape")  # something was typed: asked first
        assert isinstance(app.screen, ConfirmDialog)
        await steps(pilot, app, "y")
        assert not isinstance(app.screen, NewAuditDialog | ConfirmDialog)


async def test_help_lists_keys_with_their_binding_ids(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit="spo-check")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        from audit_tui.tui.screens.help import keys_table

        table = keys_table(app.screen.beneath)
        for binding_id in (
            "answer_yes",
            "answer_no",
            "answer_na",
            "answer_clear",
            "note",
            "guidance",
            "next_case",
        ):
            assert f"| `{binding_id}` |" in table
        assert "Scroll" not in table  # Textual's own scrolling keys are not ours to list
        assert app.screen.query_one(Markdown).source.startswith("# Keys: Case walk")


async def test_keymap_in_the_user_config_remaps_keys(two_case_db: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\nanswer_yes = "j"\n')
    app = build_app(two_case_db, open_audit="spo-check", keymap_file=config)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        await pilot.press("j")
        await settle(pilot, app)
    assert stored(two_case_db)["QA-001"] == {"2.2.1.a": "yes"}


async def test_palette_jumps_to_a_case(demo_db: str) -> None:
    app = build_app(demo_db, open_audit="demo-tameside")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.press(*"TS23-017")
        await until(pilot, palette_highlights(app, "TS23-017"))
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, CaseWalkScreen) and app.screen.case.case_ref == "TS23-017"


async def test_report_screen_and_export(demo_db: str, tmp_path: Path) -> None:
    from audit_tui.tui.screens.export_dialog import ExportDialog
    from audit_tui.tui.screens.report import ReportScreen

    app = build_app(demo_db, open_audit="demo-tameside")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "r")
        report = app.screen
        assert isinstance(report, ReportScreen)
        assert "score 7/27" in text_of(report.query_one("#report-summary", Static))
        kqs = report.query_one("#report-kqs", DataTable)
        row = plain(kqs.get_row("2.2.3"))
        assert (
            row[0].startswith("▶ 2.2.3")
            and row[1] == "29%"
            and row[2] == "8/28"
            and row[3] == "15–47%"
        )
        breakdown = report.query_one("#report-breakdown", DataTable)
        assert plain(breakdown.get_row("2.1.1"))[2] == "too few"  # one licence case with a PSR
        assert "Gender: Male 25, Female 3" in text_of(report.query_one("#report-sample", Static))
        await steps(pilot, app, "2", "down", "down", "down")  # to 2.2.3
        assert report.query_one(TabbedContent).active == "key-questions"
        prompts = report.query_one("#report-prompts", DataTable)
        assert [str(k.value) for k in prompts.rows] == ["2.2.3.a", "2.2.3.b", "2.2.3.c"]
        evidence = text_of(report.query_one("#report-evidence", Static))
        assert "2.2 Assessment: areas for improvement" in evidence
        assert "Police call-out history" in evidence  # a note tagged for improvement
        await steps(pilot, app, "3")
        oversight = plain(
            report.query_one("#report-indicators", DataTable).get_row("ind.oversight")
        )
        assert oversight[:2] == ["43%", "12/28"]
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#format", Select).value == "html"  # the default
        name = dialog.query_one("#name", Input).value
        assert name.startswith("demo-tameside-report-") and name.endswith(".html")
        dialog.query_one("#folder", Input).value = str(tmp_path)
        await pilot.press("enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, ExportDialog)
        target = tmp_path / name
        shown = [str(n.message) for n in app._notifications]
        assert f"Report written to {target}" in shown  # the full path
    assert "Score <b>7/27</b>" in target.read_text()


async def test_export_takes_its_format_from_the_file_name_typed(
    demo_db: str, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from audit_tui.tui.screens.export_dialog import ExportDialog

    app = build_app(demo_db, open_audit="demo-tameside")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "x")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        target = tmp_path / "tameside.xlsx"
        dialog.query_one("#folder", Input).value = str(tmp_path)
        dialog.query_one("#name", Input).value = ""
        await pilot.press(*target.name)
        assert dialog.query_one("#format", Select).value == "xlsx"
        await pilot.press("enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, ExportDialog)
        # the next export proposes the format and folder used last
        await steps(pilot, app, "x")
        again = app.screen
        assert isinstance(again, ExportDialog)
        assert again.query_one("#format", Select).value == "xlsx"
        assert again.query_one("#folder", Input).value == str(tmp_path)
    assert load_workbook(target)["Summary"]["B7"].value == 7


async def test_palette_runs_dashboard_commands_from_inside_a_case(demo_db: str) -> None:
    app = build_app(demo_db, open_audit="demo-tameside")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        assert isinstance(app.screen, CaseWalkScreen)
        await pilot.press("ctrl+p", *"Judgements")
        await until(pilot, palette_highlights(app, "Judgements"))
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, JudgementsScreen)
        assert [type(s).__name__ for s in app.screen_stack][-2] == "DashboardScreen"


async def test_export_dialog_reports_an_unwritable_path(demo_db: str, tmp_path: Path) -> None:
    from audit_tui.tui.screens.export_dialog import ExportDialog

    app = build_app(demo_db, open_audit="demo-tameside")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "x")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#name", Input).value = ""
        await pilot.press("enter")
        assert "Give a file name" in text_of(dialog.query_one("#error-name", Static))
        target = tmp_path / "no-such-folder" / "r.md"
        dialog.query_one("#folder", Input).value = str(target.parent)
        dialog.query_one("#name", Input).value = target.name
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is dialog and "No such folder" in text_of(
            dialog.query_one("#error-folder", Static)
        )
        dialog.query_one("#folder", Input).value = str(tmp_path)
        dialog.query_one("#name", Input).value = "a/b.md"
        await pilot.press("enter")
        assert "A file name only" in text_of(dialog.query_one("#error-name", Static))
    assert not target.parent.exists()


def test_every_binding_has_an_id() -> None:
    """Users remap keys by binding id, so none may be missing."""
    import importlib
    import inspect
    import pkgutil

    import audit_tui.tui.app as app_module
    from audit_tui.tui import screens, widgets

    modules = [app_module] + [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for package in (screens, widgets)
        for info in pkgutil.iter_modules(package.__path__)
    ]
    checked = 0
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for binding in cls.__dict__.get("BINDINGS", []):
                assert binding.id, f"{cls.__name__}: binding {binding.key!r} has no id"
                checked += 1
    assert checked >= 30


async def test_a_file_that_is_not_a_database_is_reported_on_screen(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("not a database\n" * 100)
    app = build_app(str(bad))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = text_of(app.screen.query_one("#status", Static))
        assert status.startswith("Cannot open the database.") and "file is not a database" in status
        assert app.link is None
    assert bad.read_text().startswith("not a database")


async def test_edit_case_attributes_and_refuse_to_strand_answers(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit="spo-check")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "down", "enter", "y")  # QA-002 has a PSR: y answers 2.1.1.a
        await steps(pilot, app, "escape", "e")
        dialog = app.screen
        assert (
            isinstance(dialog, CaseDialog)
            and dialog.case is not None
            and dialog.case.case_ref == "QA-002"
        )
        dialog.query_one("#attr-has_psr", Select).value = "no"
        await steps(pilot, app, "ctrl+s")
        ask = app.screen  # the PSR going to "no" would strand the court-work answer: asked
        assert isinstance(ask, ConfirmDialog) and "2.1.1.a" in ask.question
        await steps(pilot, app, "n")
        assert app.screen is dialog
        assert "Not saved" in text_of(dialog.query_one("#error-form", Static))
        dialog.query_one("#attr-has_psr", Select).value = "yes"
        dialog.query_one("#attr-rosh", Select).value = "very high"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.query_one("#cases", VirtualTable).get_row("2")[3] == "Very high"
    repo = reopen(two_case_db)
    case = next(
        c
        for c in cases.list_cases(repo, audits.open_audit(repo, "spo-check"))
        if c.case_ref == "QA-002"
    )
    assert case.attributes["rosh"] == "very high" and case.attributes["has_psr"] == "yes"
    repo.engine.dispose()


async def test_new_audit_dialog_offers_extra_rubrics(
    two_case_db: str, tmp_path: Path, rubric_text: str
) -> None:
    extra = tmp_path / "spo.toml"
    extra.write_text(
        rubric_text.replace('id = "hmip-probation-pdu-2021"', 'id = "local-spo-check"', 1)
    )
    app = build_app(two_case_db, rubric_files=(extra,))
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "n")
        dialog = app.screen
        assert isinstance(dialog, NewAuditDialog)
        assert [rid for rid, _ in dialog.rubrics] == [
            "hmip-dipp-2025",
            "hmip-probation-pdu-2021",
            "local-spo-check",
        ]
        await pilot.press(*"q3-oversight", "ctrl+s")
        assert "Choose a framework" in text_of(dialog.query_one("#error-rubric", Static))
        dialog.query_one("#rubric", Select).value = "local-spo-check"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, DashboardScreen)
    repo = reopen(two_case_db)
    assert audits.open_audit(repo, "q3-oversight").rubric.id == "local-spo-check"
    repo.engine.dispose()
