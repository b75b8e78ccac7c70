"""Sampling in the app, as the lead does it: a new audit whose cases are drawn from a caseload
extract (load the file, tick a stratum, type a window, a size and a seed, read the allocation
before drawing), the draw landing on the dashboard and in the database exactly as the store would
draw it again, a drawn case replaced by the next of its stratum; a bad extract keeps nothing; an
auditor is told why they cannot sample."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable, Select, Static

from audit_tui.io.caseload import import_caseload, parse_date
from audit_tui.scoring.sampling import allocate
from audit_tui.store import audits, team
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.sampling import caseload, draw_sample, sample
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.commands import DASHBOARD_ACTIONS
from audit_tui.tui.screens.confirm import ConfirmDialog
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.import_dialog import ImportCasesDialog
from audit_tui.tui.screens.new_audit import NewAuditDialog
from audit_tui.tui.screens.replace_case import ReplaceCaseDialog
from audit_tui.tui.screens.sampling import SamplingScreen
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.helpers import settle, steps, top

SIZE = (120, 40)
AUDIT = "q3-sample"
WINDOW = (date(2024, 1, 1), date(2024, 3, 31))
SEED = 4242


def write_caseload(path: Path) -> Path:
    """120 cases, 70 community and 50 licence, starting across January to June 2024; every third
    start date written day/month/year, as a UK extract does."""
    lines = ["case_ref,sentence_type,has_psr,rosh,gender,start_date,team"]
    for i in range(120):
        kind = "community" if i < 70 else "licence"
        month, day = i % 6 + 1, i % 28 + 1
        when = f"{day:02d}/{month:02d}/2024" if i % 3 == 0 else f"2024-{month:02d}-{day:02d}"
        gender = "female" if i % 4 == 0 else "male"
        lines.append(f"CL-{i:03d},{kind},no,low,{gender},{when},T{i % 3}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected_allocation(path: Path, size: int) -> dict[str, int]:
    """What `allocate` gives for sentence_type over the cases of `path` in WINDOW."""
    counts: dict[tuple[str, ...], int] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        cells = line.split(",")
        if WINDOW[0] <= parse_date(cells[5]) <= WINDOW[1]:
            counts[(cells[1],)] = counts.get((cells[1],), 0) + 1
    return {s[0]: n for s, n in allocate(counts, size).items()}


def text_of(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


def row(table: DataTable[object], key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


def _app(db: str, audit: str | None = None, user: str | None = None) -> AuditApp:
    return build_app(db, open_audit=audit, poll_seconds=0, user=user)


async def test_a_new_audit_draws_its_cases_from_a_caseload_and_replaces_one(
    tmp_path: Path, rubric_text: str
) -> None:
    extract = write_caseload(tmp_path / "caseload.csv")
    expected = expected_allocation(extract, 12)
    target = str(tmp_path / "sampling.db")
    app = _app(target)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "n")
        dialog = app.screen
        assert isinstance(dialog, NewAuditDialog)
        await pilot.press(*AUDIT)
        dialog.query_one("#rubric", Select).value = "hmip-probation-pdu-2021"  # two ship
        dialog.query_one("#cases", Select).value = "sample"
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, SamplingScreen)  # above the new audit's dashboard
        assert isinstance(app.screen_stack[-2], DashboardScreen)

        await pilot.press(*str(extract), "enter")  # the path, typed in a burst; Enter loads
        await settle(pilot, app)
        assert text_of(screen, "#caseload-status").startswith("✓ Extract: 120 cases, started")

        await pilot.press("tab", "tab", "space")  # past Load, onto sentence_type: ticked
        await settle(pilot, app)
        screen.query_one("#from").focus()
        await pilot.press(*"2024-01-01", "enter", *"31/03/2024", "enter", *"12", "enter")
        await pilot.press(*str(SEED))
        await settle(pilot, app)

        table = screen.query_one("#allocation", DataTable)
        assert set(expected) == {"community", "licence"}
        for kind, seats in expected.items():
            cells = row(table, kind)
            assert cells[0] == kind.capitalize() and cells[3] == str(seats), cells
        in_window = sum(int(row(table, k)[1]) for k in expected)
        assert row(table, "total") == ["Total", str(in_window), "100%", "12"]
        words = text_of(screen, "#plan-words")
        assert words.startswith(f"12 cases of {in_window} give ±") and "at 70%" in words
        assert words.count("±") == 1 and "That range, " in words  # the margin said once

        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(top(app), ConfirmDialog)
        await steps(pilot, app, "y")
        dash = app.screen
        assert isinstance(dash, DashboardScreen) and dash.audit_name == AUDIT
        assert dash.query_one("#cases", VirtualTable).row_count == 12

        repo = open_repository(target)
        audit = audits.open_audit(repo, AUDIT)
        drawn = sample(repo, audit)
        assert drawn is not None
        assert (drawn.seed, drawn.size, drawn.strata, drawn.window) == (
            SEED,
            12,
            ["sentence_type"],
            WINDOW,
        )
        assert {p.values["sentence_type"]: p.sample for p in drawn.plan} == expected
        refs = [c.case_ref for c in case_ops.list_cases(repo, audit)]
        assert len(refs) == 12
        assert set(refs) == {ref for p in drawn.plan for ref in p.order[: p.sample]}

        # the same seed, window and strata in a second audit: the same cases
        again = audits.create_audit(repo, "again", rubric_text)
        import_caseload(repo, again, extract)
        twin = draw_sample(repo, again, 12, strata=["sentence_type"], window=WINDOW, seed=SEED)
        assert sorted(c.case_ref for c in case_ops.list_cases(repo, again)) == sorted(refs)
        assert [p.order for p in twin.plan] == [p.order for p in drawn.plan]
        repo.engine.dispose()

        await steps(pilot, app, "S")  # the recorded draw
        recorded = top(app)
        assert isinstance(recorded, SamplingScreen) and recorded.drawn is not None
        record = text_of(recorded, "#draw-record")
        assert f"seed {SEED}" in record and "2024-01-01 to 2024-03-31" in record
        assert "strata: sentence_type" in record
        strata = recorded.query_one("#drawn-strata", DataTable)
        assert row(strata, "community")[3] == str(expected["community"])
        cases = recorded.query_one("#drawn-cases", DataTable)
        assert cases.has_focus and cases.row_count == 12
        first = drawn.plan[0]
        out, coming = first.order[0], first.order[first.sample]
        assert row(cases, out)[3] == "✓ drawn"

        await steps(pilot, app, "r")
        assert isinstance(top(app), ReplaceCaseDialog)
        await pilot.press(*"transferred out before the audit period", "enter")
        await settle(pilot, app)
        assert top(app) is recorded
        outcome = text_of(recorded, "#replace-outcome")
        assert outcome == f"✓ Case {out} replaced by {coming}, the next of its stratum"
        assert (
            row(cases, out)[3] == f"✗ replaced by {coming}: transferred out before the audit period"
        )
        assert row(cases, coming)[3] == f"✓ in, for {out}"

    repo = open_repository(target)
    audit = audits.open_audit(repo, AUDIT)
    now = [c.case_ref for c in case_ops.list_cases(repo, audit)]
    assert out not in now and coming in now and len(now) == 12
    swaps = sample(repo, audit)
    assert swaps is not None
    assert [(r.replaced, r.replacement, r.reason) for r in swaps.replacements] == [
        (out, coming, "transferred out before the audit period")
    ]
    repo.engine.dispose()


async def test_a_bad_extract_shows_its_error_lines_and_keeps_nothing(
    tmp_path: Path, rubric_text: str
) -> None:
    target = str(tmp_path / "bad.db")
    repo = open_repository(target)
    audits.create_audit(repo, AUDIT, rubric_text)
    repo.engine.dispose()
    bad = tmp_path / "extract.csv"
    bad.write_text(
        "case_ref,sentence_type,has_psr,rosh,start_date\n"
        "CL-001,community,no,low,2024-01-05\n"
        "CL-002,licence,no,high,31/02/2024\n"
        "CL-003,licence,no,high,next week\n",
        encoding="utf-8",
    )
    app = _app(target, AUDIT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        palette = {action: title for title, action, _ in DASHBOARD_ACTIONS}
        assert palette["sample"] == "Draw a sample from a caseload"
        await dash.run_action("sample")  # what the palette's command runs
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, SamplingScreen)
        assert "No extract yet" in text_of(screen, "#caseload-status")
        await pilot.press(*str(bad), "enter")
        await settle(pilot, app)
        said = text_of(screen, "#error-path").splitlines()
        assert said[0] == "Nothing was kept:"
        assert any("row 3, column 'start_date'" in line and "'31/02/2024' is not a date" in line
                   for line in said), said  # fmt: skip
        assert any("row 4, column 'start_date'" in line for line in said), said
        assert "No extract yet" in text_of(screen, "#caseload-status")
        await pilot.press("ctrl+s")  # nothing to draw from
        await settle(pilot, app)
        assert "Load the caseload extract first" in text_of(screen, "#error-form")
    repo = open_repository(target)
    audit = audits.open_audit(repo, AUDIT)
    assert caseload(repo, audit) == [] and case_ops.list_cases(repo, audit) == []
    repo.engine.dispose()


async def test_only_the_lead_samples_and_only_an_audit_with_no_cases(
    tmp_path: Path, rubric_text: str, two_case_db: str
) -> None:
    target = str(tmp_path / "team.db")
    lee = open_repository(target, user="lee")
    audit = audits.create_audit(lee, AUDIT, rubric_text)
    team.set_member(lee, audit, "ann", "auditor")
    lee.engine.dispose()
    app = _app(target, AUDIT, user="ann")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "S")
        assert isinstance(app.screen, DashboardScreen)  # told why, not shown the screen
        said = [n.message for n in app._notifications]
        assert any("only the lead" in m for m in said), said

    app = _app(two_case_db, "spo-check")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "S")
        screen = app.screen
        assert isinstance(screen, SamplingScreen)
        assert "has 2 cases already" in text_of(screen, "#sampling-status")
        assert screen.query_one("#path").disabled


async def test_a_new_audit_can_start_with_importing_its_cases(tmp_path: Path) -> None:
    app = _app(str(tmp_path / "import.db"))
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "n")
        await pilot.press(*"imported")
        app.screen.query_one("#rubric", Select).value = "hmip-probation-pdu-2021"  # two ship
        app.screen.query_one("#cases", Select).value = "import"
        await steps(pilot, app, "enter")
        assert isinstance(app.screen, ImportCasesDialog)
        assert isinstance(app.screen_stack[-2], DashboardScreen)
