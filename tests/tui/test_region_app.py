"""The regional view in the app: `g` on the audit list opens the highlighted audit's region,
which says in words which PDUs differ, then each key question's funnel and each PDU's audit;
`G` opens every region's PDUs (the national view), and `n` turns a region's view into it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable

from audit_tui.region_demo import (
    OUTLIER,
    OUTLIER_ITEM,
    PDUS,
    REGION,
    audit_name,
    load_region_demo,
)
from audit_tui.store import audits
from audit_tui.store.database import open_repository
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.audit_list import AuditListScreen
from audit_tui.tui.screens.region import RegionScreen
from audit_tui.tui.text import Plain
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.helpers import settle, steps, until
from tests.tui.test_data_path import SIZE

SOUTH = "Demo South"
"""A second region, with a PDU of the demo region's name: the national view tells them apart."""


@pytest.fixture(scope="module")
def one_quarter_db(tmp_path_factory: pytest.TempPathFactory, rubric_text: str) -> Iterator[str]:
    target = str(tmp_path_factory.mktemp("region-app") / "region.db")
    repo = open_repository(target, "tester", create=True)
    load_region_demo(repo, quarters=1)
    audits.create_audit(repo, "no-region", rubric_text, pdu="Somewhere")
    audits.create_audit(repo, "south-ashworth", rubric_text, pdu="Ashworth", region=SOUTH)
    repo.engine.dispose()
    yield target


async def test_g_opens_the_region_and_says_who_differs(one_quarter_db: str) -> None:
    app = build_app(one_quarter_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, AuditListScreen)
        app.screen.query_one("#audits", VirtualTable).move_to(audit_name(OUTLIER, "2026-q1"))
        await steps(pilot, app, "g")
        screen = app.screen
        assert isinstance(screen, RegionScreen)
        await until(pilot, lambda: screen.record is not None)
        said = str(screen.query_one("#region-findings", Plain).render())
        assert f"{OUTLIER} is below the 99.8% limit for {OUTLIER_ITEM}." in said
        pdus = screen.query_one("#region-pdus", DataTable)
        assert [str(k.value) for k in pdus.rows] == sorted(name for name, _ in PDUS)
        kqs = screen.query_one("#region-kqs", DataTable)
        assert screen.record is not None and kqs.row_count == len(screen.record.funnels)
        outlier_row = pdus.get_row(OUTLIER)
        assert f"{OUTLIER_ITEM} below 99.8%" in str(outlier_row[-1])
        await steps(pilot, app, "escape")
        assert isinstance(app.screen, AuditListScreen)


async def test_G_opens_the_national_view_and_n_turns_a_region_into_it(one_quarter_db: str) -> None:
    app = build_app(one_quarter_db, poll_seconds=0)
    north = sorted(name for name, _ in PDUS)
    both = sorted(
        [f"Ashworth ({REGION})", f"Ashworth ({SOUTH})", *(n for n in north if n != "Ashworth")]
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, AuditListScreen)
        await steps(pilot, app, "G")
        screen = app.screen
        assert isinstance(screen, RegionScreen)
        await until(pilot, lambda: screen.record is not None)
        assert screen.record is not None and screen.record.national
        assert "All regions: which PDUs differ" in str(screen.query_one("#region-title").render())
        pdus = screen.query_one("#region-pdus", DataTable)
        assert [str(k.value) for k in pdus.rows] == both
        await steps(pilot, app, "n")  # opened for no region: there is none to turn to
        assert screen.record is not None and screen.record.national
        await steps(pilot, app, "escape")

        app.screen.query_one("#audits", VirtualTable).move_to(audit_name(OUTLIER, "2026-q1"))
        await steps(pilot, app, "g", "n")
        screen = app.screen
        assert isinstance(screen, RegionScreen)
        await until(pilot, lambda: screen.record is not None and screen.record.national)
        pdus = screen.query_one("#region-pdus", DataTable)
        await until(pilot, lambda: [str(k.value) for k in pdus.rows] == both)
        await steps(pilot, app, "n")
        await until(pilot, lambda: screen.record is not None and not screen.record.national)
        assert [str(k.value) for k in pdus.rows] == north
        assert f"{REGION}: which PDUs differ" in str(screen.query_one("#region-title").render())


async def test_an_audit_of_no_region_says_so(one_quarter_db: str) -> None:
    app = build_app(one_quarter_db, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, AuditListScreen)
        app.screen.query_one("#audits", VirtualTable).move_to("no-region")
        await steps(pilot, app, "g")
        assert isinstance(app.screen, AuditListScreen)
        assert any("belongs to no region" in str(n.message) for n in app._notifications)


async def test_a_region_with_nothing_to_compare_says_why(tmp_path: Path, rubric_text: str) -> None:
    """Every audit of the region is one the reader second-marks blind: said on the screen."""
    from audit_tui.io.imports import import_cases
    from audit_tui.store.moderation import start_round

    target = str(tmp_path / "blind.db")
    repo = open_repository(target, "tester", create=True)
    audit = audits.create_audit(repo, "only-one", rubric_text, pdu="North", region="R")
    (tmp_path / "c.csv").write_text(
        "case_ref,sentence_type,has_psr,gender,ethnicity,rosh,practitioner_grade\n"
        "N-1,community,no,male,white,low,PO\n",
        encoding="utf-8",
    )
    import_cases(repo, audit, tmp_path / "c.csv")
    start_round(repo, audit, "ann", cases=["N-1"])
    repo.engine.dispose()
    app = build_app(target, poll_seconds=0, user="ann")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await steps(pilot, app, "g")
        screen = app.screen
        assert isinstance(screen, RegionScreen)
        said = screen.query_one("#region-findings", Plain)
        await until(pilot, lambda: "Nothing to compare" in str(said.render()))
        assert "no audit of region 'R' that you may read" in str(said.render())
