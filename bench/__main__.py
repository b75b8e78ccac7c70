"""Run every benchmark and print ratios against baselines measured in the same run.

    python -m bench            (or: make bench)

Each line: what was timed, our time, the baseline's time, the ratio, and the bound it must stay in.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from audit_tui.domain.answers import Answer
from audit_tui.domain.rubric import Rubric
from audit_tui.paths import shipped_rubric_dir
from audit_tui.store import answers, scores
from audit_tui.store import audits as audit_ops
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from bench import dashboard, responsiveness, startup
from bench.synth import write_csvs

N_CASES = int(os.environ.get("BENCH_CASES", "10000"))
RUBRIC = shipped_rubric_dir() / "hmip-probation-pdu-2021.toml"
GROUP_BY = """
SELECT answer.item_id, answer.value, count(*) FROM answer
JOIN audit_case ON audit_case.id = answer.case_id
WHERE audit_case.audit_id = ? AND answer.value IS NOT NULL
GROUP BY answer.item_id, answer.value
"""
RESULTS: list[tuple[str, float, float, float]] = []
BOUND_SAMPLING = 10.0
"""Decoding each case's attributes and recording every stratum's random order, against a bare
read: set once measured."""
BOUND_FOLLOW_UP = 3.0
"""The actions list and the feedback sheet are a few joins each: set once measured."""
BOUND_MODERATION = 10.0
"""Every level (55 prompts, 14 key questions, 6 standards, pairs, markers) with three
coefficients and their intervals, against one count of the pairs: set once measured."""


def best(fn: Callable[[], object], repeat: int = 7) -> float:
    """Best of several runs: the least disturbed measure of the work itself."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, ours: float, baseline: float, bound: float, baseline_name: str) -> None:
    ratio = ours / baseline
    verdict = "ok" if ratio <= bound else "OVER"
    RESULTS.append((name, ours, baseline, ratio))
    print(
        f"{name:<44} {ours * 1000:9.2f} ms  vs {baseline_name:<26} {baseline * 1000:9.2f} ms"
        f"  ratio {ratio:5.2f}  (bound {bound}x: {verdict})",
        flush=True,
    )


def absolute(name: str, value: float, bound: float) -> None:
    """A figure with a bound of its own (not a ratio)."""
    verdict = "ok" if value <= bound else "OVER"
    print(
        f"{name:<44} {value * 1000:9.2f} ms  (bound {bound * 1000:.0f} ms: {verdict})", flush=True
    )


def cli(*args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "audit_tui", *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {args}\n{proc.stderr}")
    return elapsed


def raw_import(db: Path, rows: list[tuple[int, int, str, str]]) -> float:
    """The baseline for an import: raw sqlite3 executemany of the same answer and history rows."""
    con = sqlite3.connect(db)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL"):
        con.execute(f"PRAGMA {pragma}")
    now = "2026-01-01 00:00:00.000000"
    start = time.perf_counter()
    with con:
        con.executemany(
            "INSERT INTO answer (audit_id, case_id, item_id, value, note, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, '', ?, 'bench')",
            [(a, c, i, v, now) for a, c, i, v in rows],
        )
        con.executemany(
            "INSERT INTO answer_history (case_id, item_id, old_value, new_value, changed_at,"
            " changed_by, via) VALUES (?, ?, NULL, ?, ?, 'bench', 'import')",
            [(c, i, v, now) for _a, c, i, v in rows],
        )
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def bench_import_and_report(work: Path) -> Path:
    db = work / "big.db"
    cases_csv, answers_csv = write_csvs(_rubric(), work, N_CASES)
    for args in (
        ("new", "big", "--rubric", "hmip-probation-pdu-2021"),
        ("import-cases", "big", str(cases_csv)),
    ):
        cli("--db", str(db), *args)
    # The baseline writes the same rows into a copy of the same database, with the same indexes.
    raw_db = work / "raw.db"
    _copy_db(db, raw_db)
    ours = cli("--db", str(db), "import-answers", "big", str(answers_csv))
    repo = open_repository(str(db))
    audit = audit_ops.open_audit(repo, "big")
    with repo.engine.connect() as conn:
        rows = [
            tuple(r)
            for r in conn.exec_driver_sql("SELECT audit_id, case_id, item_id, value FROM answer")
        ]
    repo.engine.dispose()
    baseline = raw_import(raw_db, rows)
    report(
        f"import-answers CLI, {N_CASES} cases x 14 KQ",
        ours,
        baseline,
        4.0,
        "raw sqlite3 executemany",
    )
    print(f"{'':<44} ({len(rows)} answers + {len(rows)} history rows)")

    small = work / "small.db"
    cli("--db", str(small), "demo", "--no-tui")
    big_t = min(cli("--db", str(db), "report", "big", "--format", "json") for _ in range(5))
    small_t = min(
        cli("--db", str(small), "report", "demo-tameside", "--format", "json") for _ in range(5)
    )
    report(f"report --format json, {N_CASES} cases", big_t, small_t, 1.5, "the 28-case report")
    # xlsx may take longer: XlsxWriter spends several microseconds on each of a 10,000-case
    # workbook's ~200,000 cells, a cost accepted for a writer that keeps Excel's rules (cell and
    # sheet limits, `_xHHHH_` escapes, sheet names) and never turns data into formulas. That
    # floor is measured on its own (bench_xlsx_writer: ours against bare XlsxWriter); against
    # JSON (which kept counts made faster) the bound is issue 8's 3.5x.
    bounds = {"md": 2.0, "html": 2.0, "csv": 2.0, "xlsx": 3.5}
    for fmt, bound in bounds.items():
        out = str(work / f"big.{fmt}")
        t = min(
            cli("--db", str(db), "report", "big", "--format", fmt, "--out", out) for _ in range(3)
        )
        report(f"report --format {fmt}, {N_CASES} cases", t, big_t, bound, "the JSON report")
    _ = audit
    bench_xlsx_writer(db)
    return db


def bench_xlsx_writer(db: Path) -> None:
    """Our workbook against bare XlsxWriter writing the same case grid (same options): what
    our sheets, widths and escaping add to the library's own cost, which the JSON ratio hides."""
    import io

    from xlsxwriter import Workbook

    from audit_tui.reporting.model import build_report
    from audit_tui.reporting.xlsx_report import OPTIONS, case_headings, render_xlsx

    repo = open_repository(str(db))
    audit = audit_ops.open_audit(repo, "big")
    data = build_report(repo, audit)
    values = answers.answer_values(repo, audit)
    header = case_headings(data.rubric)
    items = list(data.rubric.column_order)
    grid = [[c.case_ref, *(values.get(c.id, {}).get(i, "") for i in items)] for c in data.cases]
    repo.engine.dispose()

    def bare() -> None:
        wb = Workbook(io.BytesIO(), OPTIONS)
        ws = wb.add_worksheet("Cases")
        ws.write_row(0, 0, header)
        for r, row in enumerate(grid, start=1):
            for c, text in enumerate(row):
                if text:
                    ws.write_string(r, c, text)
        wb.close()

    ours = best(lambda: render_xlsx(data, values), repeat=3)
    baseline = best(bare, repeat=3)
    report(
        f"xlsx workbook in-process, {N_CASES} cases",
        ours,
        baseline,
        1.5,
        "bare XlsxWriter, case grid",
    )


def bench_aggregation(db: Path) -> None:
    repo = open_repository(str(db))
    audit = audit_ops.open_audit(repo, "big")
    scores.score(repo, audit)  # warm caches on both sides alike
    ours = best(lambda: scores.score(repo, audit))
    con = sqlite3.connect(db)
    baseline = best(lambda: con.execute(GROUP_BY, (audit.info.id,)).fetchall())
    con.close()
    repo.engine.dispose()
    report(f"aggregation + scoring, {N_CASES} cases", ours, baseline, 1.5, "raw GROUP BY")


PAIRS = """
SELECT m.case_id, s.item_id, a.value, s.value FROM second_answer s
JOIN moderation_case m ON m.id = s.moderation_case_id
JOIN moderation_round r ON r.id = m.round_id
JOIN answer a ON a.case_id = m.case_id AND a.item_id = s.item_id
WHERE r.audit_id = ? AND m.completed_at IS NOT NULL
  AND a.value IS NOT NULL AND s.value IS NOT NULL
"""


def bench_moderation(work: Path, big: Path) -> None:
    """Every moderation figure for a 10% round (second marks differing on one answer in ten)
    against raw sqlite3 reading the same pairs and counting the overall table: the least any
    agreement figure needs."""
    import random
    from collections import Counter

    from audit_tui.store.moderation import Share, start_round
    from audit_tui.store.second_marks import import_second
    from audit_tui.store.settlement import summary

    db = work / "moderated.db"
    _copy_db(big, db)
    repo = open_repository(str(db))
    audit = audit_ops.open_audit(repo, "big")
    start_round(repo, audit, "kim", sample=Share(percent=10), seed=1)
    rng = random.Random(1)
    flip = {"yes": Answer.NO, "no": Answer.YES, "na": Answer.NO}
    with repo.engine.connect() as conn:
        firsts = conn.exec_driver_sql(
            "SELECT m.case_id, a.item_id, a.value FROM moderation_case m"
            " JOIN answer a ON a.case_id = m.case_id WHERE a.value IS NOT NULL"
        ).all()
    marks: dict[int, dict[str, Answer]] = {}
    for case_id, item, value in firsts:
        marks.setdefault(case_id, {})[item] = flip[value] if rng.random() < 0.1 else Answer(value)
    attributes = {c.id: c.attributes for c in case_ops.list_cases(repo, audit, progress=False)}
    for case_id, given in marks.items():  # a second marking is complete: every item that applies
        for item in audit.rubric.applicable_ids(attributes[case_id]) - given.keys():
            given[item] = Answer.YES
    import_second(repo, audit, marks, "kim", source="bench")
    ours = best(lambda: summary(repo, audit), repeat=5)
    con = sqlite3.connect(db)

    def raw() -> None:
        Counter((a, b) for _c, _i, a, b in con.execute(PAIRS, (audit.info.id,)))

    baseline = best(raw, repeat=5)
    con.close()
    repo.engine.dispose()
    report(
        f"moderation figures, {len(marks)} cases x 14 KQ",
        ours,
        baseline,
        BOUND_MODERATION,
        "raw pairs + one count",
    )


def bench_sampling(work: Path) -> None:
    """A stratified draw of 100 from a 50,000-case caseload (read, window, allocate, order every
    stratum, insert the cases and the record) against raw sqlite3 reading the same caseload and
    drawing 100 at random: the least any draw needs."""
    import random
    from datetime import date, timedelta

    from audit_tui.store.sampling import CaseloadCase, draw_sample, set_caseload

    db = work / "sampling.db"
    repo = open_repository(str(db))
    rng = random.Random(3)
    size = 50_000
    cases = [
        CaseloadCase(
            case_ref=f"K-{i:06d}",
            attributes={
                "sentence_type": rng.choice(["community", "community", "licence"]),
                "has_psr": rng.choice(["yes", "no"]),
                "gender": rng.choice(["male", "male", "female"]),
                "rosh": rng.choice(["low", "medium", "high", "very high"]),
            },
            start_date=date(2024, 1, 1) + timedelta(days=rng.randrange(180)),
        )
        for i in range(size)
    ]
    text = RUBRIC.read_text()
    audits = []
    for n in range(5):
        audit = audit_ops.create_audit(repo, f"s{n}", text)
        set_caseload(repo, audit, cases)
        audits.append(audit)
    window = (date(2024, 2, 1), date(2024, 4, 30))
    runs = iter(audits)

    def ours() -> None:
        draw_sample(
            repo, next(runs), 100, strata=["sentence_type", "gender", "rosh"], window=window, seed=1
        )

    con = sqlite3.connect(db)

    def raw() -> None:
        rows = con.execute(
            "SELECT case_ref, attributes, start_date FROM caseload_case WHERE audit_id = ?"
            " AND start_date BETWEEN ? AND ?",
            (audits[0].info.id, window[0].isoformat(), window[1].isoformat()),
        ).fetchall()
        random.Random(1).sample(rows, 100)

    report(
        f"sample: draw 100 of {size:,} (3 strata, window)",
        best(ours, repeat=5),
        best(raw, repeat=5),
        BOUND_SAMPLING,
        "raw read + random.sample",
    )
    con.close()
    repo.engine.dispose()


OVERDUE = """
SELECT a.id, au.name, c.case_ref, c.practitioner, c.team, a.what, a.due, a.status
FROM case_action a JOIN audit_case c ON c.id = a.case_id JOIN audit au ON au.id = a.audit_id
WHERE c.removed_at IS NULL AND a.status = 'open' AND a.due < ? AND c.practitioner = ?
ORDER BY a.due, au.name, c.case_ref, a.id
"""


def bench_follow_up(work: Path, big: Path) -> None:
    """Follow-up on the 10,000-case audit with an action on every case (40 practitioners): one
    practitioner's overdue actions, against the same join in raw sqlite3; and one case's
    feedback sheet, against the demo's six-case oversight audit (the sheet must not grow with
    the audit)."""
    from datetime import date

    from audit_tui.reporting.feedback_sheet import render_sheet
    from audit_tui.store.follow_up import actions

    db = work / "follow_up.db"
    _copy_db(big, db)
    repo = open_repository(str(db))  # migrates the copy first, so the raw side has the tables
    audit = audit_ops.open_audit(repo, "big")
    repo.engine.dispose()
    con = sqlite3.connect(db)
    with con:
        con.execute(
            "UPDATE audit_case SET practitioner = 'P-' || (id % 40), team = 'T-' || (id % 4)"
        )
        con.execute(
            "INSERT INTO case_action (audit_id, case_id, what, due, status, created_at, created_by,"
            " updated_at, updated_by) SELECT audit_id, id, 'Review the plan with them', "
            " CASE WHEN id % 2 THEN '2026-01-15' ELSE '2099-01-15' END, 'open', "
            " '2026-01-01 00:00:00', 'bench', '2026-01-01 00:00:00', 'bench' FROM audit_case"
        )
    repo = open_repository(str(db))
    today = date(2026, 11, 26)

    def mine() -> list[object]:
        return list(actions(repo, overdue_on=today, practitioner="P-3"))

    def raw() -> list[object]:
        return list(con.execute(OVERDUE, (today.isoformat(), "P-3")).fetchall())

    assert len(mine()) == len(raw()) > 0
    report(
        "actions: one practitioner's overdue, of 10,000",
        best(mine),
        best(raw),
        BOUND_FOLLOW_UP,
        "the same join, raw",
    )
    ref = con.execute("SELECT case_ref FROM audit_case ORDER BY id LIMIT 1 OFFSET 5000").fetchone()[
        0
    ]
    small = open_repository(str(work / "small.db"))  # the demo: an SPO's six-case oversight audit
    oversight = audit_ops.open_audit(small, "demo-oversight")
    big_t = best(lambda: render_sheet(repo, audit, ref, "md"))
    small_t = best(lambda: render_sheet(small, oversight, "OV26-001", "md"))
    report(f"feedback sheet, one case of {N_CASES:,}", big_t, small_t, 1.5, "one case of 6")
    small.engine.dispose()
    con.close()
    repo.engine.dispose()


BOUND_REGION = 3.0
"""Issue 22: the regional view of 10 PDUs x 4 audits within 3x one audit's report."""


def bench_region(work: Path) -> None:
    """The region demo's regional view (ten PDUs, four audits each, funnels and trends) in md,
    against one of its audits' md report: the view must not cost forty reports."""
    from audit_tui.region_demo import REGION, audit_name, load_region_demo
    from audit_tui.reporting.region import gather_region, region_markdown
    from audit_tui.reporting.render import render_report

    repo = open_repository(str(work / "region.db"), create=True)
    load_region_demo(repo)
    audit = audit_ops.open_audit(repo, audit_name("Dunmore", "2026-q4"))
    from audit_tui.scoring.funnel import limits_at

    def cold() -> str:  # as a first look does: no limit worked out before
        limits_at.cache_clear()
        return region_markdown(gather_region(repo, REGION))

    ours = best(cold, repeat=3)
    one = best(lambda: render_report(repo, audit, "md"), repeat=3)
    report("regional view, 10 PDUs x 4 audits (md)", ours, one, BOUND_REGION, "one audit's md")
    repo.engine.dispose()


def bench_import_stall(work: Path) -> None:
    """SQLite: one auditor saving while the lead imports 5,000 cases' answers (bench/writers)."""
    from bench import writers

    db = work / "import-stall.db"
    repo = open_repository(str(db))
    writers.measure_import(repo, str(db), RUBRIC.read_text(), "SQLite", absolute)
    repo.engine.dispose()


def bench_save_answer(work: Path) -> None:
    db = work / "save.db"
    repo = open_repository(str(db))
    audit = audit_ops.create_audit(repo, "s", RUBRIC.read_text())
    case_ops.add_cases(
        repo, audit, [("C-1", {"sentence_type": "community", "has_psr": "no", "rosh": "low"})]
    )
    case = case_ops.list_cases(repo, audit)[0]
    values = [Answer.YES, Answer.NO]
    n = 200

    def ours_once(i: int) -> None:
        answers.save_answer(repo, audit, case, "2.2.1", values[i % 2])

    con = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL", "busy_timeout=5000"):
        con.execute(f"PRAGMA {pragma}")

    def raw_once(i: int) -> None:
        """The same work by hand: the lock taken by counting the audit's revision, the case
        checked, the old value read, the answer, its history and the kept counts written."""
        new = values[i % 2].value
        con.execute("BEGIN IMMEDIATE")
        con.execute(
            "UPDATE audit SET revision = revision + 1 WHERE id = ? RETURNING revision",
            (audit.info.id,),
        ).fetchone()
        con.execute(
            "SELECT id FROM audit_case WHERE id = ? AND audit_id = ?", (case.id, audit.info.id)
        ).fetchone()
        old = con.execute(
            "SELECT value, note, note_tag FROM answer WHERE case_id = ? AND item_id = ?",
            (case.id, "2.2.3"),
        ).fetchone()
        if old is None:
            con.execute(
                "INSERT INTO answer (audit_id, case_id, item_id, value, note, updated_at,"
                " updated_by) VALUES (?, ?, '2.2.3', ?, '', datetime('now'), 'bench')",
                (audit.info.id, case.id, new),
            )
        else:
            con.execute(
                "UPDATE answer SET value = ?, updated_at = datetime('now'), updated_by = 'bench'"
                " WHERE case_id = ? AND item_id = '2.2.3'",
                (new, case.id),
            )
        con.execute(
            "INSERT INTO answer_history (case_id, item_id, old_value, new_value, changed_at,"
            " changed_by, via) VALUES (?, '2.2.3', ?, ?, datetime('now'), 'bench', 'sql')",
            (case.id, old[0] if old else None, new),
        )
        if old is None:  # the counts kept for the live ratings (store/counts.py)
            con.execute("UPDATE audit_case SET answered = answered + 1 WHERE id = ?", (case.id,))
        for value, step in ((old[0] if old else None, -1), (new, 1)):
            if value is not None:
                con.execute(
                    "INSERT INTO item_tally (audit_id, item_id, value, n) VALUES (?, '2.2.3', ?, ?)"
                    " ON CONFLICT (audit_id, item_id, value) DO UPDATE SET n = item_tally.n"
                    " + excluded.n",
                    (audit.info.id, value, step),
                )
        con.execute("COMMIT")

    ours_t, raw_t = [], []
    for i in range(n):  # interleaved, so disk hiccups hit both sides alike
        start = time.perf_counter()
        ours_once(i)
        ours_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        raw_once(i)
        raw_t.append(time.perf_counter() - start)
    con.close()
    repo.engine.dispose()
    report(
        "save one answer (+ history), median",
        statistics.median(ours_t),
        statistics.median(raw_t),
        3.0,
        "raw sqlite3, same writes",
    )


def bench_answering(work: Path, big: Path) -> None:
    """Answering once a second in a real terminal: the large audit against the 28-case one."""
    small, large = responsiveness.measure(
        (str(work / "small.db"), "demo-tameside"), (str(big), "big"), work
    )
    report(
        f"TUI answer to 'saved' + rating, {N_CASES} cases",
        statistics.median(large.saved),
        statistics.median(small.saved),
        1.5,
        "the 28-case audit (medians)",
    )
    for size, run in (("28", small), (str(N_CASES), large)):
        absolute(f"TUI event loop held, worst, {size} cases", run.worst_lag, 0.050)


def bench_dashboard(work: Path, big: Path) -> None:
    """Opening the dashboard (a freshly started app each time) and each filter keystroke, in a
    real terminal: the large audit against the 28-case one."""
    small, large = dashboard.measure(
        (str(work / "small.db"), "demo-tameside", "001\x7f"), (str(big), "big", "999\x7f")
    )
    report(
        f"TUI dashboard open, {N_CASES} cases",
        statistics.median(large.opened),
        statistics.median(small.opened),
        1.5,
        "the 28-case audit (medians)",
    )
    report(
        f"TUI filter keystroke, {N_CASES} cases",
        statistics.median(large.filtered),
        statistics.median(small.filtered),
        1.5,
        "the 28-case audit (medians)",
    )


BOUND_LIST = 1.5
"""Issue 22: the audit list at 1,000 audits within 1.5x of the demo's 3, first populated list
within 1.5x of a bare Textual app, back to the list from a dashboard within 1.5x."""


def bench_audit_list(work: Path) -> None:
    """The audit list at the demo's 3 audits and at 1,000 (copies of the demo audit)."""
    from audit_tui.demo import load_demo
    from bench import audit_list

    small_db = work / "list-small.db"
    repo = open_repository(str(small_db), create=True)
    load_demo(repo)
    repo.engine.dispose()
    big_db = audit_list.many(work, small_db, copies=997)
    small, big = str(small_db), str(big_db)
    small_t, big_t, bare_t = audit_list.populated(small, big)
    report("audit list populated, 1,000 audits", big_t, small_t, BOUND_LIST, "3 audits")
    report("audit list populated, 3 audits", small_t, bare_t, BOUND_LIST, "bare Textual app")
    back_small, back_big = audit_list.back_to_list(small, big)
    report("back to the list from a dashboard, 1,000", back_big, back_small, BOUND_LIST,
           "3 audits")  # fmt: skip


def _rubric() -> Rubric:
    from audit_tui.domain.loader import load_rubric_file

    return load_rubric_file(RUBRIC)


def _copy_db(src: Path, dest: Path) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dest) as b:
        a.backup(b)


def main() -> int:
    print(f"audit-tui benchmarks ({N_CASES} cases); ratios are ours / baseline, lower is better")
    with tempfile.TemporaryDirectory(prefix="audit-tui-bench-") as tmp:
        work = Path(tmp)
        db = bench_import_and_report(work)
        bench_aggregation(db)
        bench_moderation(work, db)
        bench_sampling(work)
        bench_follow_up(work, db)
        bench_region(work)
        bench_save_answer(work)
        bench_import_stall(work)
        ours, bare = startup.measure(str(work / "small.db"))
        report("TUI start: audit list first paint", ours, bare, 1.5, "bare Textual app, one word")
        bench_audit_list(work)
        bench_answering(work, db)
        bench_dashboard(work, db)
    server = os.environ.get("AUDIT_TUI_BENCH_PG_URL")
    if server:
        from bench import postgres

        cases = int(os.environ.get("BENCH_PG_CASES", "1000"))
        postgres.measure(server, RUBRIC, cases, report, absolute)
    else:
        print("PostgreSQL: no server (AUDIT_TUI_BENCH_PG_URL); `make bench` starts one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
