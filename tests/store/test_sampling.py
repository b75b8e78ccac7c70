"""Sampling end to end: a caseload extract in, a stratified, seeded, recorded sample out, on both
engines; replacements walking the recorded order; the reports saying how it was drawn; and bad
extracts ending in one clear line each with nothing written."""

from __future__ import annotations

import csv
import json
import random
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.io.caseload import import_caseload, parse_date, parse_window
from audit_tui.scoring.sampling import allocate
from audit_tui.store import audits, cases
from audit_tui.store import events as event_ops
from audit_tui.store.repository import Repository
from audit_tui.store.sampling import caseload, draw_sample, replace_case, sample
from tests.support.cli import run, table_counts

HEADER = [
    "case_ref",
    "sentence_type",
    "has_psr",
    "gender",
    "rosh",
    "start_date",
    "team",
    "practitioner",
]


def _extract(path: Path, n_community: int = 60, n_licence: int = 40, seed: int = 3) -> Path:
    """Cases starting across January to June 2024, every other date written dd/mm/yyyy."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(n_community + n_licence):
            day = date(2024, rng.randint(1, 6), rng.randint(1, 28))
            when = day.isoformat() if i % 2 else day.strftime("%d/%m/%Y")
            writer.writerow(
                [
                    f"CL-{i:04d}",
                    "community" if i < n_community else "licence",
                    rng.choice(["yes", "no"]),
                    rng.choice(["male", "male", "female"]),
                    rng.choice(["low", "medium", "high"]),
                    when,
                    f"T{i % 3}",
                    f"P{i % 7}",
                ]
            )
    return path


def _audit(repo: Repository, rubric_text: str) -> OpenAudit:
    return audits.create_audit(repo, f"s-{uuid.uuid4().hex[:6]}", rubric_text)


def _refs(repo: Repository, audit: OpenAudit) -> list[str]:
    return [c.case_ref for c in cases.list_cases(repo, audit)]


def test_the_same_extract_window_strata_and_seed_draw_the_same_sample(
    repo: Repository, rubric_text: str, tmp_path: Path
) -> None:
    path = _extract(tmp_path / "caseload.csv")
    window = (date(2024, 2, 1), date(2024, 5, 31))
    drawn = []
    for _ in range(2):
        audit = _audit(repo, rubric_text)
        assert import_caseload(repo, audit, path) == 100
        found = draw_sample(
            repo, audit, 20, strata=["sentence_type", "gender"], window=window, seed=2024
        )
        drawn.append((audit, found))
    (a1, _), (a2, _) = drawn
    assert _refs(repo, a1) == _refs(repo, a2) and len(_refs(repo, a1)) == 20
    other = _audit(repo, rubric_text)
    import_caseload(repo, other, path)
    draw_sample(repo, other, 20, strata=["sentence_type", "gender"], window=window, seed=2025)
    assert _refs(repo, other) != _refs(repo, a1)
    # recorded: seed, window, strata, each stratum's count; sizes as the largest remainder says
    recorded = sample(repo, a1)
    assert recorded is not None
    assert (recorded.seed, recorded.window, recorded.strata) == (
        2024,
        window,
        ["sentence_type", "gender"],
    )
    extract = {c.case_ref: c for c in caseload(repo, a1)}
    in_window = [c for c in extract.values() if window[0] <= c.start_date <= window[1]]
    counts: Counter[tuple[str, ...]] = Counter(
        (c.attributes["sentence_type"], c.attributes["gender"]) for c in in_window
    )
    assert {tuple(p.values.values()): p.caseload for p in recorded.plan} == dict(counts)
    assert {tuple(p.values.values()): p.sample for p in recorded.plan} == allocate(counts, 20)
    chosen = _refs(repo, a1)
    assert len(set(chosen)) == 20
    assert all(window[0] <= extract[ref].start_date <= window[1] for ref in chosen)
    got = Counter(
        (extract[r].attributes["sentence_type"], extract[r].attributes["gender"]) for r in chosen
    )
    assert dict(got) == {k: v for k, v in allocate(counts, 20).items() if v}
    events = [e for e in event_ops.audit_events(repo, a1) if e.event == "sample"]
    assert len(events) == 1 and "seed 2024" in events[0].detail


def test_a_replacement_is_the_next_case_of_its_stratum_in_the_recorded_order(
    repo: Repository, rubric_text: str, tmp_path: Path
) -> None:
    audit = _audit(repo, rubric_text)
    import_caseload(repo, audit, _extract(tmp_path / "c.csv", n_community=6, n_licence=4))
    drawn = draw_sample(repo, audit, 5, strata=["sentence_type"], seed=9)
    licence = next(p for p in drawn.plan if p.values == {"sentence_type": "licence"})
    assert licence.sample == 2 and len(licence.order) == 4
    out = licence.order[0]
    first = replace_case(repo, audit, out, "transferred to another PDU")
    assert first.replacement == licence.order[2]
    second = replace_case(repo, audit, licence.order[1], "file missing")
    assert second.replacement == licence.order[3]
    third = replace_case(repo, audit, licence.order[2], "file missing")
    assert third.replacement is None  # the stratum ran out: said, not made up
    assert sorted(_refs(repo, audit)) == sorted(
        [
            *next(p for p in drawn.plan if p.values == {"sentence_type": "community"}).order[:3],
            licence.order[3],
        ]
    )
    with pytest.raises(AuditError, match="replaced already"):
        replace_case(repo, audit, out, "again")
    with pytest.raises(AuditError, match="was not drawn from the caseload"):
        replace_case(repo, audit, "CL-9999", "nowhere")
    community = next(p for p in drawn.plan if p.values == {"sentence_type": "community"})
    with pytest.raises(AuditError, match="is not in the sample"):
        replace_case(repo, audit, community.order[5], "never drawn")
    found = sample(repo, audit)
    assert found is not None
    assert [(r.replaced, r.replacement) for r in found.replacements] == [
        (out, licence.order[2]),
        (licence.order[1], licence.order[3]),
        (licence.order[2], None),
    ]
    removed = {c.case_ref: c.removed_reason for c in cases.removed_cases(repo, audit)}
    assert removed[out] == "replaced: transferred to another PDU"


def test_reports_say_how_the_sample_was_drawn_and_what_it_represents(
    sqlite_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", sqlite_target)
    path = _extract(tmp_path / "c.csv")
    assert run(capsys, *db, "new", "s", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    code, out, err = run(capsys, *db, "import-caseload", "s", str(path))
    assert code == 0 and "100 eligible cases" in out, err
    code, out, err = run(
        capsys,
        *db,
        "sample",
        "s",
        "--size",
        "10",
        "--strata",
        "sentence_type",
        "--window",
        "01/01/2024..2024-06-30",
        "--seed",
        "5",
    )
    assert code == 0, err
    assert "community: 6 of" in out and "licence: 4 of" in out
    first = out.splitlines()[0]
    code, report, _ = run(capsys, *db, "report", "s", "--format", "json")
    block = json.loads(report)["sample"]
    assert block["seed"] == 5 and block["size"] == 10 and block["strata"] == ["sentence_type"]
    assert block["window"] == {"from": "2024-01-01", "to": "2024-06-30"}
    strata = {s["values"]["sentence_type"]: s for s in block["population"]["strata"]}
    assert strata["community"]["caseload"] == 60 and strata["community"]["sample"] == 6
    assert strata["licence"]["caseload_share"] == 0.4 and strata["licence"]["sample_share"] == 0.4
    refs = [
        line.split(",")[0]
        for line in run(capsys, *db, "report", "s", "--format", "csv")[1].splitlines()[1:]
    ]
    code, out, _ = run(capsys, *db, "replace-case", "s", refs[0], "--reason", "file missing")
    assert code == 0 and "replaced by" in out
    block = json.loads(run(capsys, *db, "report", "s", "--format", "json")[1])["sample"]
    assert [r["replaced"] for r in block["replacements"]] == [refs[0]]
    assert "reason" not in block["replacements"][0]  # free text only when asked
    md = run(capsys, *db, "report", "s", "--format", "md")[1]
    assert "## How the sample was drawn" in md and "seed 5" in md
    assert f"Replaced, as the next case of the same stratum: {refs[0]} by" in md
    assert "| Community | 60 | 60% | 6 | 60% |" in md
    html = run(capsys, *db, "report", "s", "--format", "html")[1]
    assert 'id="drawn"' in html and "How the sample was drawn" in html
    assert first.startswith('drew 10 cases into "s" from 100 (seed 5)')
    book = tmp_path / "s.xlsx"
    assert run(capsys, *db, "report", "s", "--format", "xlsx", "--out", str(book))[0] == 0
    from openpyxl import load_workbook

    rows = list(load_workbook(book)["Sample"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Seed", 5)
    assert next(r[:5] for r in rows if r[0] == "Community") == ("Community", 60, 0.6, 6, 0.6)
    assert next(r for r in rows if r[0] == refs[0])[2] is None  # the reason: notes only


@pytest.mark.parametrize(
    "rows, words",
    [
        (["CL-1,community,no,male,low,,T1,P1"], "row 2, column 'start_date': start_date is empty"),
        (
            [
                "CL-1,community,no,male,low,2024-01-01,T1,P1",
                "CL-1,licence,no,male,low,2024-01-02,,",
            ],
            "row 3, column 'case_ref': duplicate case_ref 'CL-1' (first on row 2)",
        ),
        (
            ["CL-1,community,no,male,low,31/02/2024,T1,P1"],
            "row 2, column 'start_date': '31/02/2024' is not a date (use 2024-03-01 or 01/03/2024)",
        ),
        (["CL-1,community,no,male,low,yesterday,T1,P1"], "'yesterday' is not a date"),
        (["CL-1,weekend,no,male,low,2024-01-01,T1,P1"], "column 'sentence_type': 'weekend'"),
        (["CL-1,community,no,male,low,2024-01-01,Team A,P1"], "not a pseudonymous code"),
        (["Jane Smith,community,no,male,low,2024-01-01,T1,P1"], "looks like a name"),
    ],
)
def test_a_bad_extract_is_one_line_per_problem_and_nothing_is_kept(
    sqlite_target: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rows: list[str],
    words: str,
) -> None:
    db = ("--db", sqlite_target)
    run(capsys, *db, "new", "s", "--rubric", "hmip-probation-pdu-2021")
    path = tmp_path / "bad.csv"
    path.write_text(",".join(HEADER) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    before = table_counts(sqlite_target)
    code, out, err = run(capsys, *db, "import-caseload", "s", str(path))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], lines
    assert table_counts(sqlite_target) == before


def test_a_draw_that_cannot_be_made_says_why_and_writes_nothing(
    sqlite_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", sqlite_target)
    run(capsys, *db, "new", "s", "--rubric", "hmip-probation-pdu-2021")
    code, _, err = run(capsys, *db, "sample", "s", "--size", "5")
    assert code == 1 and "no caseload: import one first" in err
    run(capsys, *db, "import-caseload", "s", str(_extract(tmp_path / "c.csv")))
    before = table_counts(sqlite_target)
    for argv, words in (
        (("--size", "500"), "a sample of 500 cannot be drawn"),
        (("--size", "5", "--window", "2023-01-01..2023-12-31"), "no case of the caseload started"),
        (("--size", "5", "--window", "2024-06-01..2024-01-01"), "ends (2024-01-01) before it"),
        (("--size", "5", "--window", "soon"), "is not FROM..TO"),
        (("--size", "5", "--strata", "shoe_size"), "not case attributes: shoe_size"),
    ):
        code, out, err = run(capsys, *db, "sample", "s", *argv)
        assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, err
        assert words in err, err
    assert table_counts(sqlite_target) == before
    assert run(capsys, *db, "sample", "s", "--size", "5", "--seed", "1")[0] == 0
    code, _, err = run(capsys, *db, "sample", "s", "--size", "5")
    assert code == 1 and "sampled already" in err
    code, _, err = run(capsys, *db, "import-caseload", "s", str(tmp_path / "c.csv"))
    assert code == 1 and "sampled from its caseload already" in err


def test_plan_matches_the_textbook_formula(capsys: pytest.CaptureFixture[str]) -> None:
    """n0 = z^2 p(1-p) / e^2 = 1.959964^2 * .25 / .01 = 96.04; with N = 546:
    96.04 / (1 + 95.04 / 546) = 81.80, rounded up: 82."""
    code, out, _ = run(capsys, "plan", "--population", "546", "--expected", "50", "--margin", "10")
    assert code == 0 and out.startswith("82 cases of 546 are enough for ±10 points around")
    code, out, _ = run(capsys, "plan", "--population", "1183", "--expected", "70", "--size", "28")
    assert code == 0 and out.startswith("28 cases of 1,183 give ±16.8 points around")
    assert "covers three bands" in out  # 53% to 87%: more than one band
    with pytest.raises(SystemExit):
        run(capsys, "plan", "--population", "10", "--expected", "50")  # neither margin nor size
    code, _, err = run(capsys, "plan", "--population", "10", "--expected", "100", "--margin", "5")
    assert code == 2 and "no variance" in err


def test_dates_and_windows_read_both_ways() -> None:
    assert parse_date("2024-03-01") == parse_date("01/03/2024") == date(2024, 3, 1)
    assert parse_date("1/3/2024") == date(2024, 3, 1)
    assert parse_window("..2024-03-31") == (None, date(2024, 3, 31))
    assert parse_window("01/01/2024..") == (date(2024, 1, 1), None)
    for bad in ("2024-13-01", "31/02/2024", "2024/03/01", ""):
        with pytest.raises(ValueError, match="is not a date"):
            parse_date(bad)
