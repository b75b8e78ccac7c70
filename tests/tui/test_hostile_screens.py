"""Every screen and dialog of the app on a database where another tool wrote hostile text into
every stored field (tests/reports/test_hostile_text.py's, with moderation, a sample, a lock and the audit's
rubric snapshot made hostile too): at 120x40 and at 80x24, no widget's text and no screenshot
holds a raw ESC, C1, NUL, DEL or bidi control, and each screen still shows the stored text, with
its escape sequences written out (`\\x1b[2J`), cut where huge.

Text from files is as hostile: a keymap file, the remembered codes and export folder, a CSV
file's name quoted in an error.

Textual passes ESC and C1 in a widget's text on to the terminal: what is checked here is what
the terminal would be sent (the screenshot of the screen in view) and what a widget holds beyond
the view (table rows below the fold, the notes of items further down, a box's words, notices).
Each screen is looked at in one app, at one size and then the other (a resize, not a new app).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, DataTable, Input, OptionList, TextArea

from audit_tui.domain.answers import Answer
from audit_tui.domain.records import OpenAudit
from audit_tui.io.caseload import import_caseload
from audit_tui.paths import user_config_dir
from audit_tui.store import answers, audits, cases, judgements, team
from audit_tui.store.database import open_repository
from audit_tui.store.moderation import start_round
from audit_tui.store.sampling import draw_sample, replace_case
from audit_tui.store.second_marks import complete_second, save_second
from audit_tui.store.settlement import Agreed, settle
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.prefs import remember
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.reports.test_hostile_text import AUDIT, BOUND, RAW, REF, hostile, hostile_db
from tests.tui.test_sampling_app import write_caseload

__all__ = ["hostile_db"]  # the fixture, shared

SIZES = ((120, 40), (80, 24))
SHOWN = "\\x1b[2J"
"""The clear-screen sequence of every hostile text, as the screen must show it: written out."""
PATH_TEXT = " \x1b[2J \x9b31m \u202eevil"
"""Hostile text a file or folder name can hold (not NUL)."""
SAMPLED = hostile("SAMPLE-AUDIT")
PLANNED = hostile("PLAN-AUDIT")
RUBRIC_TEXTS = [  # (the shipped rubric's TOML, its hostile replacement), once each
    ('title = "HMIP adult probation', "RUBRIC-NAME", 'title = "'),
    ('title = "Assessment"', "RUBRIC-TITLE", None),
    ('headline = "Assessment is well-informed', "RUBRIC-HEADLINE", 'headline = "'),
    ('label = "Engaging the person"', "RUBRIC-KQ", None),
    ('text = "Does assessment focus sufficiently on engaging', "RUBRIC-ITEM", 'text = "'),
    ("text = \"Does assessment analyse the person's motivation", "RUBRIC-PROMPT", 'text = "'),
    ('guidance = "A Yes requires an assessment', "RUBRIC-GUIDE", 'guidance = "'),
    ('label = "Sentence type"', "RUBRIC-ATTR", None),
    ('short_label = "Sentence"', "RUBRIC-SHORT", None),
    ('title = "Leadership"', "RUBRIC-JUDGED", None),
]


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)  # JSON's escapes are TOML's too


def hostile_rubric(snapshot: str) -> str:
    """The audit's rubric snapshot with titles, a headline, questions, guidance and a label
    holding hostile text (as TOML escapes: the snapshot still parses)."""
    for start, token, key in RUBRIC_TEXTS:
        at = snapshot.index(start)
        end = snapshot.index("\n", at)
        line = snapshot[at:end]
        if key is None:  # the whole value goes
            name = line.split(" = ")[0]
            new = f"{name} = {_toml(hostile(token))}"
        else:  # the value is kept after the hostile text
            value = json.loads(line[len(key) - 1 :])
            new = f"{key[:-1]}{_toml(hostile(token) + ' ' + value)}"
        snapshot = snapshot[:at] + new + snapshot[end:]
    return snapshot


@pytest.fixture(scope="module")
def every_db(hostile_db: str, tmp_path_factory: pytest.TempPathFactory, rubric_text: str) -> str:
    """The hostile database, copied, then: R-2 answered, allocated and second-marked (with a
    disagreement settled), the audit locked, a drawn sample with a replacement and a caseload
    waiting to be sampled; then raw SQL makes the names, notes and reasons of all that hostile,
    and the audit's rubric snapshot too."""
    folder = tmp_path_factory.mktemp("every")
    target = str(folder / "audits.db")
    shutil.copy(hostile_db, target)
    lead = open_repository(target, "tester")
    audit = audits.open_audit(lead, AUDIT)
    case = next(c for c in cases.list_cases(lead, audit) if c.case_ref == "R-2")
    items = [i for i in audit.rubric.column_order if audit.rubric.applies(i, case.attributes)]
    answers.import_answers(lead, audit, {case.id: dict.fromkeys(items, Answer.YES)})
    team.allocate(lead, audit, ["ann"], cases=["R-2"])
    start_round(lead, audit, "cy", cases=["R-2"])
    cy = open_repository(target, "cy")
    for item in items:
        differ = item == "2.2.1"  # the one disagreement, with a note
        save_second(cy, audit, case.id, item, Answer.NO if differ else Answer.YES,
                    note="plain" if differ else "")  # fmt: skip
    complete_second(cy, audit, case.id)
    cy.engine.dispose()
    settle(lead, audit, [Agreed(1, "R-2", "2.2.1", Answer.NO, "plain")])
    team.lock_audit(lead, audit)

    sampled = audits.create_audit(lead, "sampled", rubric_text)
    import_caseload(lead, sampled, write_caseload(folder / "caseload.csv"))
    drawn = draw_sample(lead, sampled, 10, strata=["sentence_type"], seed=7)
    replace_case(lead, sampled, drawn.plan[0].order[0], "plain")
    planned = audits.create_audit(lead, "planned", rubric_text)
    import_caseload(lead, planned, write_caseload(folder / "caseload.csv"))
    lead.engine.dispose()

    conn = sqlite3.connect(target)
    writes = [
        ("audit_case", "allocated_to", hostile("AUDITOR-NAME"), "case_ref = 'R-2'"),
        ("audit", "locked_by", hostile("LOCKED-BY"), "locked_by IS NOT NULL"),
        ("moderation_round", "marker", hostile("MARKER-NAME"), "1=1"),
        ("moderation_case", "first_marker", hostile("FIRST-MARKER"), "1=1"),
        ("second_answer", "note", hostile("SECOND-NOTE"), "note != ''"),
        ("settlement", "reason", hostile("SETTLE-REASON"), "1=1"),
        ("settlement", "settled_by", hostile("SETTLED-BY"), "1=1"),
        ("sample_draw", "rule", hostile("DRAW-RULE"), "1=1"),
        ("sample_draw", "drawn_by", hostile("DRAWN-BY"), "1=1"),
        ("sample_replacement", "reason", hostile("REPLACE-REASON"), "1=1"),
        ("caseload_case", "team", hostile("CASELOAD-TEAM"), "1=1"),
        ("audit", "name", SAMPLED, "name = 'sampled'"),
        ("audit", "name", PLANNED, "name = 'planned'"),
    ]
    for table, column, value, where in writes:
        assert conn.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (value,)).rowcount
    conn.execute(  # a stratum's value as the draw recorded it
        "UPDATE sample_draw SET plan = json_set(plan, '$.strata[0].stratum[0]', ?)",
        (hostile("STRATUM-VALUE"),),
    )
    conn.execute(  # a caseload's value: the plan's strata
        "UPDATE caseload_case SET attributes = json_set(attributes, '$.gender', ?)"
        " WHERE position % 2 = 0",
        (hostile("CASELOAD-VALUE"),),
    )
    [(snapshot,)] = conn.execute("SELECT rubric_snapshot FROM audit WHERE name = ?", (AUDIT,))
    conn.execute(
        "UPDATE audit SET rubric_snapshot = ? WHERE name = ?", (hostile_rubric(snapshot), AUDIT)
    )
    conn.commit()
    conn.close()
    return target


# ---- what the screen holds and what the terminal is sent ------------------------------------


def _shown(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Content | Text):
        return value.plain
    return None


def widget_texts(widget: Widget) -> Iterator[str]:
    """Every text a widget shows or would show when scrolled to: what it renders, its cells,
    options, value, placeholder, words and tooltip."""
    try:
        rendered = _shown(widget.render())
    except Exception:  # a widget that draws line by line (tables) renders nothing whole
        rendered = None
    if rendered:
        yield rendered
    tip = _shown(widget.tooltip)
    if tip:
        yield tip
    if isinstance(widget, DataTable):
        yield from (str(c.label) for c in widget.ordered_columns)
        for row in range(widget.row_count):
            yield from (str(cell) for cell in widget.get_row_at(row))
    elif isinstance(widget, VirtualTable):
        yield from (c.label for c in widget.columns)
        for row in range(widget.row_count):
            yield from widget.get_row_at(row)
    elif isinstance(widget, Input):
        yield widget.value
        yield str(widget.placeholder)
    elif isinstance(widget, TextArea):
        yield widget.text
    elif isinstance(widget, OptionList):
        yield from (str(_shown(option.prompt)) for option in widget.options)


def screen_text(app: AuditApp) -> str:
    """The text of every widget of the screen in view, and of the notices over it."""
    screen: Screen[object] = app.screen
    found = [text for widget in screen.query("*") for text in widget_texts(widget)]
    found += [f"{n.title}\n{n.message}" for n in app._notifications]
    return "\n".join(found)


def assert_clean(text: str, where: str) -> None:
    found = RAW.search(text)
    assert found is None, (
        f"{where}: raw {found.group()!r} in"
        f" {text[max(0, found.start() - 200) : found.start() + 60]!r}"
    )


async def settled(pilot: Pilot[None], app: AuditApp) -> None:
    """tests.tui.helpers.settle without its 20 ms idle waits: the store connected, every
    worker done, every queued write committed and every message they posted handled, three
    times running (a message handled may start a worker)."""
    quiet = 0
    for _ in range(500):
        await pilot.pause(0)  # every message queued so far handled, then a turn of the loop
        await app.workers.wait_for_complete()
        if app.link is not None:
            await asyncio.to_thread(app.link.wait_idle)
        await pilot.pause(0)
        busy = app.link is None or any(w.is_running for w in app.workers) or app.link.pending
        quiet = 0 if busy else quiet + 1
        if quiet >= 3:
            return
    raise AssertionError("the app did not settle")


async def look(pilot: Pilot[None], app: AuditApp, name: str, *tokens: str) -> None:
    """The screen in view at both sizes (the one it is at, then the other: the next screen
    starts there), once its workers are done: nothing raw in its widgets or its screenshot,
    and each token (a hostile text's name) there with its escapes written out."""
    for turn in range(2):
        if turn:
            other = next(s for s in SIZES if s != (app.size.width, app.size.height))
            await pilot.resize_terminal(*other)
        await settled(pilot, app)
        where = f"{name} at {app.size.width}x{app.size.height}"
        text = screen_text(app)
        assert_clean(text, where)
        assert len(text) < BOUND, f"{where}: {len(text):,} characters"  # each text cut
        assert_clean(app.export_screenshot(), f"{where}, screenshot")
        for token in tokens:
            assert token in text, f"{where}: {token} not shown"
        if tokens:
            assert SHOWN in text, f"{where}: the escapes are not shown"


def _app(db: str, audit: str | None = None) -> AuditApp:
    app = build_app(db, open_audit=audit, poll_seconds=0, user="tester")
    app.animation_level = "none"
    return app


def _open(db: str, name: str) -> OpenAudit:
    repo = open_repository(db, "tester")
    try:
        return audits.open_audit(repo, name)
    finally:
        repo.engine.dispose()


# ---- the screens --------------------------------------------------------------------------


@pytest.mark.slow
async def test_audits_dashboard_palette_and_dialogs(every_db: str, tmp_path: Path) -> None:
    from audit_tui.tui.screens.case_dialog import CaseDialog
    from audit_tui.tui.screens.confirm import ConfirmDialog
    from audit_tui.tui.screens.dashboard import DashboardScreen
    from audit_tui.tui.screens.export_dialog import ExportDialog
    from audit_tui.tui.screens.import_dialog import ImportCasesDialog
    from audit_tui.tui.screens.moderation import ModerateDialog
    from audit_tui.tui.screens.operations import (
        DeleteAuditDialog,
        RemoveCaseDialog,
        RenameAuditDialog,
    )
    from audit_tui.tui.screens.oversight import ReviewedCaseDialog
    from audit_tui.tui.screens.removed_cases import RestoreCaseDialog
    from audit_tui.tui.screens.team_dialogs import AllocateDialog, UnlockDialog

    config = user_config_dir()  # a keymap file with escapes in a binding's name and in keys
    config.mkdir(parents=True, exist_ok=True)
    keys = f"{_toml(hostile('KEYMAP'))} = 1\nhelp = {_toml('f2' + hostile('KEYS'))}\n"
    (config / "config.toml").write_text(f"[keymap]\n{keys}")
    remember("oversight-case", {"practitioner": hostile("LAST-CODE"), "team": "T-1"})
    folder = tmp_path / f"FOLDER-NAME{PATH_TEXT}"
    folder.mkdir()
    remember("export", {"format": "md", "folder": str(folder)})
    app = _app(every_db)
    async with app.run_test(size=SIZES[0]) as pilot:
        # the PDU is in the list as the width allows (not beside a name this long): the
        # dashboard's title shows it below
        await look(pilot, app, "audit list", "AUDIT-NAME", "KEYMAP", "keymap.help")
        app.clear_notifications()
        await pilot.press("ctrl+p", *"AUDIT")
        await look(pilot, app, "command palette", "Open audit: AUDIT-NAME")
        await pilot.press("escape")

        app.open_audit(AUDIT)
        await settled(pilot, app)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await look(pilot, app, "dashboard", "AUDIT-NAME", "PDU-NAME", "REGION-NAME",
                   "RUBRIC-NAME", "RUBRIC-TITLE", "CASE-REF", "PRAC-CODE", "TEAM-CODE",
                   "AUDITOR-NAME", "LOCKED-BY", "RUBRIC-SHORT")  # fmt: skip
        await pilot.press("s")  # refused, the audit locked: the notice names it
        await look(pilot, app, "a notice", "AUDIT-NAME", "LOCKED-BY")
        app.clear_notifications()
        await pilot.press("ctrl+p", *"CASE-REF")
        await look(pilot, app, "command palette, a case", "Jump to case: CASE-REF")
        await pilot.press("escape")

        audit = dashboard.audit
        assert audit is not None
        [case, other] = sorted(dashboard.cases, key=lambda c: c.case_ref != REF)
        removed = case._replace(removed_by=hostile("REMOVED-BY"),
                                removed_reason=hostile("REMOVED-WHY"))  # fmt: skip
        dialogs: list[tuple[str, Screen[Any], tuple[str, ...]]] = [
            ("edit case", CaseDialog(audit, case, set()), ("CASE-REF", "RUBRIC-ATTR")),
            ("remove case", RemoveCaseDialog(audit, case), ("CASE-REF", "AUDIT-NAME")),
            (
                "restore case",
                RestoreCaseDialog(audit, removed),
                ("CASE-REF", "AUDIT-NAME", "REMOVED-BY", "REMOVED-WHY"),
            ),
            ("rename", RenameAuditDialog(audit, set()), ("AUDIT-NAME",)),
            ("delete", DeleteAuditDialog(audit), ("AUDIT-NAME",)),
            ("allocate", AllocateDialog(audit, other), ("AUDITOR-NAME",)),
            ("unlock", UnlockDialog(audit), ("AUDIT-NAME",)),
            ("sign off", ConfirmDialog(f"Sign case {case.case_ref} off?"), ("CASE-REF",)),
            ("moderate", ModerateDialog(audit, case), ("AUDIT-NAME", "CASE-REF")),
            ("import cases", ImportCasesDialog(audit), ("AUDIT-NAME",)),
            ("export", ExportDialog(audit, ("html", "md")), ("AUDIT-NAME", "FOLDER-NAME")),
            ("review a case", ReviewedCaseDialog(audit, set()), ("AUDIT-NAME", "LAST-CODE")),
        ]
        for name, dialog, tokens in dialogs:
            app.push_screen(dialog)
            await look(pilot, app, name, *tokens)
            app.pop_screen()

        # a file named with an escape in it: the import's error quotes it, escaped
        app.push_screen(ImportCasesDialog(audit))
        await settled(pilot, app)
        app.screen.query_one("#path", Input).value = str(folder / f"FILE-NAME{PATH_TEXT}.csv")
        await pilot.press("enter")
        await settled(pilot, app)
        app.screen.query_one("#path", Input).value = ""  # typed, not stored: the error quotes it
        await look(pilot, app, "import error", "FILE-NAME")
        app.pop_screen()

        await pilot.press("escape", "n")  # the audit list: a new audit
        await look(pilot, app, "new audit")


@pytest.mark.slow
async def test_case_walk_feedback_and_actions(every_db: str) -> None:
    from audit_tui.store.trail import changes
    from audit_tui.tui.screens.case_walk import CaseWalkScreen
    from audit_tui.tui.screens.guidance import GuidanceScreen
    from audit_tui.tui.screens.note_dialog import NoteDialog
    from audit_tui.tui.screens.team_dialogs import ConflictDialog, HistoryScreen
    from audit_tui.tui.widgets.item_row import ItemRow

    app = _app(every_db, AUDIT)
    async with app.run_test(size=SIZES[0]) as pilot:
        await settled(pilot, app)
        await pilot.press("home", "enter")  # the first case: R-1, the hostile one
        await settled(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == REF
        await look(pilot, app, "case walk", "CASE-REF", "ATTR-VALUE", "RUBRIC-TITLE",
                   "RUBRIC-HEADLINE", "RUBRIC-ITEM", "RUBRIC-PROMPT", "NOTE-TEXT", "MEGA-NOTE",
                   "UNTAGGED-NOTE")  # fmt: skip
        assert "x" * 20_000 not in screen_text(app)  # the 1 MB note, cut

        row = walk.query_one("#item-2-2-1", ItemRow)
        repo = open_repository(every_db, "tester")
        theirs = answers.answers_for_case(repo, walk.case.id)["2.2.1"]
        found = changes(repo, walk.audit, case=REF, item="2.2.1")
        repo.engine.dispose()
        dialogs: list[tuple[str, Screen[Any], tuple[str, ...]]] = [
            ("note", NoteDialog("2.2.1", row.text, row.note, row.note_tag), ("NOTE-TEXT",)),
            ("guidance", GuidanceScreen(walk.audit.rubric, "2.2.1.a"),
             ("RUBRIC-PROMPT", "RUBRIC-ITEM", "RUBRIC-GUIDE", "RUBRIC-TITLE")),
            ("history", HistoryScreen(f"History of 2.2.1 in case {REF}", found),
             ("CASE-REF", "CHANGED-BY", "HISTORY-REASON")),
            ("conflict", ConflictDialog(REF, "2.2.1", row.text, theirs, "yes"),
             ("ANSWER-BY", "CASE-REF", "RUBRIC-ITEM")),
        ]  # fmt: skip
        for name, dialog, tokens in dialogs:
            app.push_screen(dialog)
            await look(pilot, app, name, *tokens)
            app.pop_screen()

        await pilot.press("f")
        await look(pilot, app, "feedback", "CASE-REF", "PRAC-CODE", "FEEDBACK-GOOD",
                   "FEEDBACK-BETTER", "NOTE-TEXT", "ACTION-WHAT")  # fmt: skip
        await pilot.press("escape")  # from the words to the actions (nothing edited: no save)
        for key, name, tokens in (
            ("p", "print the sheet", ("CASE-REF",)),
            ("n", "agree an action", ("CASE-REF",)),
            ("d", "mark an action done", ("ACTION-WHAT", "CASE-REF", "AUDIT-NAME")),
            ("m", "move an action's date", ("ACTION-WHAT", "CASE-REF", "AUDIT-NAME")),
        ):
            await pilot.press(key)
            await look(pilot, app, name, *tokens)
            await pilot.press("escape")
        await pilot.press("escape", "escape", "A")  # back to the dashboard: every action
        await look(pilot, app, "actions", "AUDIT-NAME", "CASE-REF", "PRAC-CODE", "ACTION-WHAT",
                   "ACTION-NOTE")  # fmt: skip


@pytest.mark.slow
async def test_report_judgements_and_team_screens(every_db: str) -> None:
    from audit_tui.tui.screens.moderation import SettleDialog

    app = _app(every_db, AUDIT)
    async with app.run_test(size=SIZES[0]) as pilot:
        await settled(pilot, app)
        await pilot.press("j")
        await look(pilot, app, "judgements", "AUDIT-NAME", "RUBRIC-JUDGED", "JUDGE-STRENGTH",
                   "JUDGE-IMPROVE")  # fmt: skip
        await pilot.press("escape", "r")
        await look(pilot, app, "report: ratings", "AUDIT-NAME", "RUBRIC-TITLE", "RUBRIC-ATTR")
        await pilot.press("2", "down")  # 2.2.1: its prompts, and 2.2's evidence
        await look(pilot, app, "report: key questions", "RUBRIC-KQ", "RUBRIC-PROMPT",
                   "RUBRIC-TITLE", "NOTE-TEXT", "MEGA-NOTE", "CASE-REF")  # fmt: skip
        for key, name, tokens in (
            ("3", "report: findings", ()),
            ("4", "report: breakdowns", ("RUBRIC-ATTR",)),
            ("5", "report: moderation", ("MARKER-NAME", "RUBRIC-TITLE")),
            ("x", "export the report", ("AUDIT-NAME",)),
        ):
            await pilot.press(key)
            await look(pilot, app, name, *tokens)
        await pilot.press("escape", "escape", "h")
        await look(pilot, app, "timeline", "AUDIT-NAME", "CASE-REF", "CHANGED-BY",
                   "HISTORY-REASON", "EVENT-DETAIL", "EVENT-BY")  # fmt: skip
        await pilot.press("escape", "v")
        await look(pilot, app, "compare", "AUDIT-NAME")
        await pilot.press("space")
        await look(pilot, app, "compare, one ticked", "AUDIT-NAME")
        await pilot.press("escape", "d")
        await look(pilot, app, "reconcile", "AUDIT-NAME", "FIRST-MARKER", "MARKER-NAME",
                   "SECOND-NOTE", "SETTLE-REASON", "SETTLED-BY", "RUBRIC-ITEM")  # fmt: skip
        await pilot.press("y")
        assert isinstance(app.screen, SettleDialog)
        await look(pilot, app, "settle", "FIRST-MARKER", "MARKER-NAME")
        await pilot.press("escape", "escape", "question_mark")
        await look(pilot, app, "help")


async def test_sampling_screens(every_db: str) -> None:
    from audit_tui.tui.screens.replace_case import ReplaceCaseDialog
    from audit_tui.tui.screens.sampling import SamplingScreen

    app = _app(every_db)
    async with app.run_test(size=SIZES[0]) as pilot:
        await settled(pilot, app)
        app.push_screen(SamplingScreen(_open(every_db, SAMPLED)))
        await look(pilot, app, "the sample drawn", "SAMPLE-AUDIT", "DRAWN-BY", "DRAW-RULE",
                   "STRATUM-VALUE", "REPLACE-REASON")  # fmt: skip
        await pilot.press("down", "r")  # the first case is replaced already
        assert isinstance(app.screen, ReplaceCaseDialog)
        await look(pilot, app, "replace a case", "SAMPLE-AUDIT", "STRATUM-VALUE")
        await pilot.press("escape")
        app.pop_screen()

        planning = SamplingScreen(_open(every_db, PLANNED))
        app.push_screen(planning)
        await settled(pilot, app)
        planning.query_one("#stratum-gender", Checkbox).value = True
        planning.query_one("#size", Input).value = "12"
        await look(pilot, app, "a sample planned", "PLAN-AUDIT", "CASELOAD-VALUE")


def test_the_hostile_rubric_parses_and_holds_every_token() -> None:
    """The fixture's own check: each replacement found its line, as TOML escapes."""
    from audit_tui.domain.loader import parse_rubric
    from tests.conftest import RUBRIC_PATH

    text = hostile_rubric(RUBRIC_PATH.read_text(encoding="utf-8"))
    rubric = parse_rubric(text)
    assert "\x1b" not in text and rubric.title.startswith(hostile("RUBRIC-NAME"))
    for _start, token, _key in RUBRIC_TEXTS:
        assert token in text


# ---- boxes holding stored text ------------------------------------------------------------


@pytest.fixture
def small_db(tmp_path: Path, rubric_text: str) -> str:
    """One audit, one case with a note, two judgements; then the name, the reference, the note
    and one judgement's strengths made hostile by raw SQL."""
    from audit_tui.domain.records import Judgement
    from tests.reports.test_hostile_text import NO_PSR

    target = str(tmp_path / "small.db")
    repo = open_repository(target, "tester", create=True)
    audit = audits.create_audit(repo, "plain", rubric_text)
    cases.add_cases(repo, audit, [("R-1", NO_PSR)])
    [case] = cases.list_cases(repo, audit)
    answers.save_answer(repo, audit, case, "2.2.1", Answer.NO, note="plain")
    judgements.save_judgements(
        repo,
        audit,
        [Judgement("1.1", "Good", "plain", "plain"), Judgement("1.2", "Good", "plain", "")],
    )
    repo.engine.dispose()
    conn = sqlite3.connect(target)
    for sql in (
        "UPDATE answer SET note = ?",
        "UPDATE judgement SET strengths = ? WHERE standard_id = '1.1'",
        "UPDATE audit_case SET case_ref = ?",
        "UPDATE audit SET name = ?",
    ):
        value = REF if "case_ref" in sql else AUDIT if "name" in sql else hostile("STORED")
        assert conn.execute(sql, (value,)).rowcount
    conn.commit()
    conn.close()
    return target


async def test_a_box_left_as_shown_stands_for_the_stored_text(small_db: str) -> None:
    """A box shows stored text escaped and cut; left as shown it counts as unedited: the note
    keeps its words when only its tag changes, the name is not renamed to its escaped form,
    the case offered for moderation is the stored one, another standard's evidence is left as
    it is when one is edited, and the audit's name as shown confirms its deletion."""
    from sqlalchemy import text

    from audit_tui.domain.safe_text import one_line
    from audit_tui.tui.screens.dashboard import DashboardScreen
    from audit_tui.tui.screens.judgements import JudgementsScreen
    from audit_tui.tui.screens.moderation import ModerateDialog
    from audit_tui.tui.screens.note_dialog import NoteDialog
    from audit_tui.tui.screens.operations import DeleteAuditDialog, RenameAuditDialog

    stored = hostile("STORED")
    app = _app(small_db, AUDIT)
    async with app.run_test(size=SIZES[0]) as pilot:
        await settled(pilot, app)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen) and dashboard.audit is not None
        audit, [case] = dashboard.audit, dashboard.cases
        said: list[object] = []

        app.push_screen(NoteDialog("2.2.1", "text", stored, None), said.append)
        await settled(pilot, app)
        assert app.screen.query_one("#note", TextArea).text == one_line(stored, 10_000)
        await pilot.press("ctrl+s")
        assert said.pop() == (stored, None)

        app.push_screen(RenameAuditDialog(audit, set()), said.append)
        await settled(pilot, app)
        await pilot.press("enter")
        assert said.pop() is None  # nothing renamed

        app.push_screen(ModerateDialog(audit, case), said.append)
        await settled(pilot, app)
        assert app.screen.query_one("#cases", Input).value == one_line(REF)
        await pilot.press(*"cy", "ctrl+s")
        await settled(pilot, app)
        assert REF in str(said.pop())  # the stored reference, not its escaped form

        app.push_screen(JudgementsScreen(audit))
        await settled(pilot, app)
        app.screen.query_one("#strengths-1-2", TextArea).text = "new words"
        await pilot.press("ctrl+s")
        await settled(pilot, app)
        repo = open_repository(small_db, "tester")
        with repo.engine.connect() as conn:
            found = conn.execute(text("SELECT standard_id, strengths FROM judgement"))
            rows = {str(standard): str(words) for standard, words in found}
        assert rows == {"1.1": stored, "1.2": "new words"}
        app.pop_screen()

        app.push_screen(DeleteAuditDialog(audit), said.append)
        await settled(pilot, app)
        app.screen.query_one("#confirm", Input).value = one_line(AUDIT)
        await pilot.press("enter")
        await settled(pilot, app)
        assert said.pop() == AUDIT and not audits.list_audits(repo)
        repo.engine.dispose()
