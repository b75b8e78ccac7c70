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
from audit_tui.reporting.region import gather_region, real_changes, region_markdown
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
    assert record.left_out == ()  # the earlier quarters are each PDU's trend
    assert {pdu: len(found) for pdu, found in record.trends.items()} == {p: 4 for p, _ in PDUS}
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
    assert len(logged) == 4 * len(PDUS)  # every audit shown, the trends' earlier ones too


def test_xlsx_holds_the_figures_as_numbers_and_writes_only_to_a_file_it_may(
    region_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every PDU's funnel row agrees with the record; percentages are fractions a spreadsheet
    computes with; `--out` onto the database is refused in one line and changes nothing."""
    from openpyxl import load_workbook

    out_file = tmp_path / "region.xlsx"
    code, out, err = run(capsys, "--db", region_db, "--as", "tester", "region", REGION,
                         "--format", "xlsx", "--out", str(out_file))  # fmt: skip
    assert (code, out, err) == (0, "", f"wrote {out_file}\n")
    wb = load_workbook(out_file)
    assert wb.sheetnames == ["Summary", "PDUs", "Key questions", "Spread", "Trends", "Moved"]
    summary = [row[0] for row in wb["Summary"].iter_rows(values_only=True)]
    assert f"{OUTLIER} is below the 99.8% limit for {OUTLIER_ITEM}" in summary
    repo = open_repository(region_db, "tester")
    record = gather_region(repo, REGION)
    repo.engine.dispose()
    pdus = list(wb["PDUs"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[4], r[6]) for r in pdus] == [
        (p.pdu, p.result.cases, p.result.score, p.result.overall) for p in record.pdus
    ]
    rows = list(wb["Key questions"].iter_rows(values_only=True))
    head_row, body = rows[0], rows[1:]
    assert len(body) == sum(len(f.units) for f in record.funnels.values())
    for kq_id, found in record.funnels.items():
        for unit in found.units:
            row = dict(
                zip(head_row, next(r for r in body if r[:3:2] == (kq_id, unit.name)), strict=True)
            )
            assert (row["Yes"], row["Relevant"]) == (unit.yes, unit.relevant)
            assert row["Percentage 'Yes'"] == pytest.approx(unit.proportion)
            assert row["Regional percentage"] == pytest.approx(found.target)
            low, high = found.limits(unit.relevant)[0.998]
            assert (row["99.8% low"], row["99.8% high"]) == (
                pytest.approx(low),
                pytest.approx(high),
            )
            flag = found.flag_of(unit)
            assert row["Outside"] == (f"{flag.side} {flag.level * 100:g}%" if flag else None)
    assert wb["Key questions"]["F2"].number_format == "0%"
    moved = list(wb["Moved"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in moved] == [
        (pdu, kq_id) for pdu, found in record.trends.items() for kq_id, _ in real_changes(found)
    ]

    before = Path(region_db).read_bytes()
    code, out, err = run(capsys, "--db", region_db, "--as", "tester", "region", REGION,
                         "--format", "xlsx", "--out", region_db)  # fmt: skip
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert region_db in err and Path(region_db).read_bytes() == before
    code, out, err = run(capsys, "--db", region_db, "--as", "tester", "region", REGION,
                         "--format", "xlsx", "--out", str(tmp_path))  # fmt: skip
    assert code == 1 and len(err.strip().splitlines()) == 1 and str(tmp_path) in err


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


def test_html_draws_each_funnel_inline_and_prints_on_a4(region_repo: Repository) -> None:
    from audit_tui.reporting.region_html import region_html

    record = gather_region(region_repo, REGION)
    page = region_html(record)
    drawn = [kq for kq, found in record.funnels.items() if found.units]
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="funnel"') == len(drawn)
    assert "@page { size: A4;" in page and "break-inside: avoid" in page
    assert page.replace("http://www.w3.org/2000/svg", "").count("http") == 0  # no network
    assert f"{OUTLIER} is below the 99.8% limit for {OUTLIER_ITEM}." in page
    assert page.count('<title id="funnel-') == page.count('<desc id="funnel-') == len(drawn)


def test_names_written_around_the_app_are_text_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rubric_text: str
) -> None:
    """A PDU named with markup, a formula and a control character is shown as it is, inert."""
    from audit_tui.io.imports import import_answers, import_cases
    from audit_tui.store import audits

    target = str(tmp_path / "hostile.db")
    repo = open_repository(target, "tester", create=True)
    hostile = ["<script>alert(1)</script>", "=HYPERLINK(1)", "[b]bold[/b] PDU"]
    for n, pdu in enumerate(hostile):
        audit = audits.create_audit(repo, f"a{n}", rubric_text, pdu=pdu, region="R")
        (tmp_path / "c.csv").write_text(
            "case_ref,sentence_type,has_psr,gender,ethnicity,rosh,practitioner_grade\n"
            f"X{n}-1,community,no,male,white,low,PO\n",
            encoding="utf-8",
        )
        import_cases(repo, audit, tmp_path / "c.csv")
        (tmp_path / "a.csv").write_text(f"case_ref,2.2.1\nX{n}-1,{'Yes' if n else 'No'}\n")
        import_answers(repo, audit, tmp_path / "a.csv")
    repo.engine.dispose()
    for fmt in ("md", "html", "json", "xlsx"):
        code, out, err = run(capsys, "--db", target, "--as", "tester", "region", "R",
                             "--format", fmt, "--out", str(tmp_path / f"r.{fmt}"))  # fmt: skip
        assert code == 0, err
        if fmt == "xlsx":  # a formula stays text: the cell holds the name as typed
            from openpyxl import load_workbook

            names = load_workbook(tmp_path / "r.xlsx")["PDUs"]["A"][1:]
            assert {c.value for c in names} == set(hostile)
            assert {c.data_type for c in names} == {"s"}
            continue
        out = (tmp_path / f"r.{fmt}").read_text(encoding="utf-8")
        if fmt != "json":  # JSON holds the name as data, exactly
            assert "<script>" not in out
        if fmt == "md":  # no link or tag made of it either
            assert "\\[b\\]bold" in out and "[b]bold" not in out
        if fmt == "html":
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
        if fmt == "json":
            assert {p["pdu"] for p in json.loads(out)["pdus"]} == set(hostile)


def test_audits_left_out_are_listed_with_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rubric_text: str
) -> None:
    """Another framework's audit and one the reader second-marks blind are not compared."""
    from audit_tui.store import audits
    from audit_tui.store.moderation import start_round
    from tests.support.paths import RUBRICS

    target = str(tmp_path / "left.db")
    repo = open_repository(target, "tester", create=True)
    made = {}
    for pdu in ("North", "South", "East"):
        made[pdu] = audits.create_audit(repo, f"{pdu}-q1", rubric_text, pdu=pdu, region="R")
        (tmp_path / "c.csv").write_text(
            "case_ref,sentence_type,has_psr,gender,ethnicity,rosh,practitioner_grade\n"
            f"{pdu[0]}-1,community,no,male,white,low,PO\n",
            encoding="utf-8",
        )
        from audit_tui.io.imports import import_cases

        import_cases(repo, made[pdu], tmp_path / "c.csv")
    other = (RUBRICS / "local-youth-check.toml").read_text(encoding="utf-8")
    audits.create_audit(repo, "West-q1", other, pdu="West", region="R")
    start_round(repo, made["East"], "ann", cases=["E-1"])
    repo.engine.dispose()
    code, out, err = run(capsys, "--db", target, "--as", "ann", "region", "R", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [p["pdu"] for p in data["pdus"]] == ["North", "South"]
    assert data["not_compared"] == [
        "East-q1: you second-mark it blind",
        "West-q1: another framework (local-youth-check)",
    ]


def test_trends_name_what_moved_beyond_chance_from_first_to_latest(
    region_repo: Repository,
) -> None:
    """Checked against statsmodels' Newcombe-style score interval for a difference."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    record = gather_region(region_repo, REGION)
    moved_anywhere = 0
    for found in record.trends.values():
        first, last = found[0], found[-1]
        moved = dict(real_changes(found))
        for standard in last.result.standards:
            for kq in standard.key_questions:
                before = first.key_question(kq.id)
                assert before is not None
                if not (before.relevant and kq.relevant):
                    assert kq.id not in moved
                    continue
                low, high = confint_proportions_2indep(
                    kq.yes, kq.relevant, before.yes, before.relevant, method="newcomb"
                )
                assert (kq.id in moved) == (low > 0 or high < 0), (kq.id, low, high)
        moved_anywhere += len(moved)
    assert moved_anywhere > 0  # four quarters of improvement show somewhere
    assert "## Trends" in region_markdown(record)


def test_a_half_percent_is_rounded_up_as_every_report_rounds_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rubric_text: str
) -> None:
    """1 of 8 is 12.5%: the regional view says 13%, as the audit's own report would (not 12,
    as rounding half to even gives); its limits are whole percentages the same way."""
    from audit_tui.domain.answers import Answer
    from audit_tui.domain.words import percent_range
    from audit_tui.store import answers, audits, cases

    target = str(tmp_path / "halves.db")
    repo = open_repository(target, "tester", create=True)
    attrs = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
    for pdu, yes in (("North", 1), ("South", 7)):
        audit = audits.create_audit(repo, f"{pdu}-q1", rubric_text, pdu=pdu, region="R")
        cases.add_cases(repo, audit, [(f"{pdu[0]}-{i}", attrs) for i in range(8)])
        given = {
            case.id: {"2.3.3": Answer.YES if i < yes else Answer.NO}
            for i, case in enumerate(cases.list_cases(repo, audit))
        }
        answers.import_answers(repo, audit, given)
    repo.engine.dispose()
    code, out, err = run(capsys, "--db", target, "region", "R")
    assert code == 0, err
    assert "| North | 1 | 8 | 13% |" in out and "| South | 7 | 8 | 88% |" in out
    assert percent_range(0.125, 0.875) == "13–88%" and percent_range(0.0, 0.005) == "0–1%"


def test_the_national_view_sets_every_regions_pdus_side_by_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rubric_text: str
) -> None:
    """A PDU name two regions share is told apart by its region, nationally only."""
    from audit_tui.domain.answers import Answer
    from audit_tui.store import answers, audits, cases

    target = str(tmp_path / "national.db")
    repo = open_repository(target, "tester", create=True)
    attrs = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
    for region, pdu, yes in (("R1", "North", 6), ("R1", "Shared", 5), ("R2", "South", 2),
                             ("R2", "Shared", 7)):  # fmt: skip
        audit = audits.create_audit(repo, f"{region}-{pdu}", rubric_text, pdu=pdu, region=region)
        cases.add_cases(repo, audit, [(f"{region}{pdu[0]}-{i}", attrs) for i in range(8)])
        given = {
            case.id: {"2.3.3": Answer.YES if i < yes else Answer.NO}
            for i, case in enumerate(cases.list_cases(repo, audit))
        }
        answers.import_answers(repo, audit, given)
    audits.create_audit(repo, "no-region", rubric_text, pdu="Lone")
    repo.engine.dispose()
    code, out, err = run(capsys, "--db", target, "region", "--national")
    assert code == 0, err
    assert out.startswith("# All regions: the national view")
    for row in ("| North | 6 | 8 |", "| Shared (R1) | 5 | 8 |", "| South | 2 | 8 |",
                "| Shared (R2) | 7 | 8 |"):  # fmt: skip
        assert row in out, row
    assert "Lone" not in out  # an audit of no region is in no region's view
    code, out, err = run(capsys, "--db", target, "region", "--national", "--format", "json")
    data = json.loads(out)
    assert data["national"] is True and data["region"] == "All regions"
    assert sorted(p["pdu"] for p in data["pdus"]) == [
        "North",
        "Shared (R1)",
        "Shared (R2)",
        "South",
    ]
    code, out, _ = run(capsys, "--db", target, "region", "R1")
    assert code == 0 and "| Shared | 5 | 8 |" in out and "(R1)" not in out
    for wrong in (("region",), ("region", "R1", "--national")):
        code, _, err = run(capsys, "--db", target, *wrong)
        assert code == 2 and "REGION, or --national" in err
