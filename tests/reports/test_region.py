"""The regional view on the region demo: a golden Markdown file, the outlier it was built with
found in words, the JSON's figures agreeing with the funnel, every export logged, and one clear
line for a region or period that will not do."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from audit_tui.region_demo import OUTLIER, OUTLIER_ITEM, PDUS, REGION, load_region_demo
from audit_tui.reporting.region import gather_region, region_markdown
from audit_tui.store.database import open_repository
from audit_tui.store.repository import AUDIT_EVENT as EVENT
from audit_tui.store.repository import Repository
from tests.support.cli import run
from tests.support.paths import GOLDEN as GOLDEN_DIR

GOLDEN = GOLDEN_DIR / "region-demo.md"


@pytest.fixture(scope="module")
def region_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    target = str(tmp_path_factory.mktemp("region") / "region.db")
    repo = open_repository(target, "tester", create=True)
    load_region_demo(repo)
    repo.engine.dispose()
    yield target


@pytest.fixture
def region_repo(region_db: str) -> Iterator[Repository]:
    repo = open_repository(region_db, "tester")
    yield repo
    repo.engine.dispose()


def test_markdown_golden(region_repo: Repository) -> None:
    out = region_markdown(gather_region(region_repo, REGION))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(out, encoding="utf-8")
    assert out == GOLDEN.read_text(encoding="utf-8")


def test_the_outlier_it_was_built_with_is_found_and_said(region_repo: Repository) -> None:
    record = gather_region(region_repo, REGION)
    assert [p.pdu for p in record.pdus] == sorted(name for name, _ in PDUS)
    assert all(p.audit.endswith("2026-q4") for p in record.pdus)  # each PDU's latest
    assert len(record.left_out) == 30  # the earlier three quarters of each
    found = record.funnels[OUTLIER_ITEM]
    assert [(f.unit.name, f.side, f.level) for f in found.flags] == [(OUTLIER, "below", 0.998)]
    assert f"{OUTLIER} is below the 99.8% limit for {OUTLIER_ITEM}." in region_markdown(record)


def test_json_agrees_with_the_funnel_and_every_audit_logs_the_export(
    region_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", region_db, "--as", "tester", "region", REGION,
                         "--format", "json")  # fmt: skip
    assert (code, err) == (0, "")
    data = json.loads(out)
    kq = next(k for k in data["key_questions"] if k["id"] == OUTLIER_ITEM)
    outlier = next(p for p in kq["pdus"] if p["pdu"] == OUTLIER)
    assert outlier["outside"] == {"side": "below", "level": "99.8"}
    assert outlier["percent"] < outlier["limits"]["99.8"][0]
    total_yes = sum(p["yes"] for p in kq["pdus"])
    total = sum(p["relevant"] for p in kq["pdus"])
    assert kq["regional_percent"] == round(100 * total_yes / total, 2)
    assert f"{OUTLIER} is below the 99.8% limit for {OUTLIER_ITEM}" in data["findings"]
    repo = open_repository(region_db, "tester")
    with repo.engine.connect() as conn:
        logged = conn.scalars(
            select(EVENT.c.detail).where(EVENT.c.detail == f"json regional view of {REGION}")
        ).all()
    repo.engine.dispose()
    assert len(logged) == len(PDUS)


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["region", "Nowhere"], "region: no audit of region 'Nowhere' in that period"),
        (["region", REGION, "--period", "2026"], "--period: give FROM..TO"),
        (["region", REGION, "--period", "2026-13-01.."], "--period: not a date"),
        (["region", REGION, "--period", "..1999-12-31"], "no audit of region"),
    ],
)
def test_a_region_or_period_that_will_not_do_is_one_line(
    region_db: str, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    code, out, err = run(capsys, "--db", region_db, "--as", "tester", *argv)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and said in err


def test_the_demo_prints_the_regional_view(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", str(tmp_path / "r.db"), "--as", "tester", "demo",
                         "--region")  # fmt: skip
    assert code == 0, err
    assert out.startswith(f"40 audits of {REGION} created")
    assert f"{OUTLIER} is below the 99.8% limit for {OUTLIER_ITEM}." in out
