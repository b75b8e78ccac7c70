"""Sampling under the audit's lock, on both engines: a draw reads the caseload, and a replacement
the draw record and the replacements so far, in the transaction that writes, so a racing
`import-caseload` or replacement is either wholly before it or waits for it.

The first tests make the race happen at the worst moment, every time: another writer commits
just before the lock is taken (reads made before it would be stale). The others race commands
in processes of their own (`python -m audit_tui …`), released together."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete

import audit_tui.store.sampling as sampling
from audit_tui.domain.records import OpenAudit
from audit_tui.store import audits, events, team
from audit_tui.store import cases as case_ops
from audit_tui.store.repository import AuditLock, Repository
from audit_tui.store.sampling import (
    CASELOAD,
    CaseloadCase,
    caseload,
    draw_sample,
    replace_case,
    sample,
    set_caseload,
)
from audit_tui.store.staging import Staged
from tests.conftest import Person
from tests.support.cli import run, table_counts

# Starts one interpreter, loads audit-tui once, forks a process per command (each its own
# connection) and holds them at a gate; when released, each runs `python -m audit_tui ARGS…`
# (runpy, as -m does) with its output in files; prints their exit codes. Forking spares each
# command a second of imports, so eight racing commands take seconds, not tens of seconds.
COMMANDS = """
import json, os, runpy, sys, traceback
import audit_tui.cli, audit_tui.io.caseload, audit_tui.store.database, audit_tui.store.sampling
try:
    import psycopg  # the PostgreSQL driver, when installed
except ImportError:
    pass

folder, commands = sys.argv[1], json.loads(sys.argv[2])
gate, opener = os.pipe()
children = []
for n, argv in enumerate(commands):
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(opener)
        os.read(gate, 1)  # returns for every child at once: when the gate is closed
        for fd, name in ((1, "out"), (2, "err")):
            os.dup2(os.open(f"{folder}/{n}.{name}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
        sys.argv = ["audit_tui", *argv]
        try:
            runpy.run_module("audit_tui", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 99
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    children.append(pid)
os.close(gate)
print("ready", flush=True)
sys.stdin.readline()
os.close(opener)
print(json.dumps([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]))
sys.stdout.flush()
os._exit(0)  # nothing left to tidy: spares tearing down every module loaded
"""


def race(commands: list[list[str]], folder: Path) -> list[subprocess.CompletedProcess[str]]:
    """Run the commands (`audit-tui` arguments) in processes of their own, released together."""
    env = {**os.environ, "AUDIT_TUI_USER": "tester"}
    proc = subprocess.Popen(
        [sys.executable, "-c", COMMANDS, str(folder), json.dumps(commands)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    out, err = proc.communicate("go\n", timeout=60)
    assert proc.returncode == 0, err
    return [
        subprocess.CompletedProcess(
            argv, code, (folder / f"{n}.out").read_text(), (folder / f"{n}.err").read_text()
        )
        for n, (argv, code) in enumerate(zip(commands, json.loads(out), strict=True))
    ]


ROUNDS = 3
REPLACERS = 8


def _cases(prefix: str, n: int) -> list[CaseloadCase]:
    """Half community, half licence, starting across 2024; codes on each."""
    return [
        CaseloadCase(
            case_ref=f"{prefix}-{i:03d}",
            attributes={
                "sentence_type": "community" if i % 2 else "licence",
                "has_psr": "yes" if i % 3 else "no",
                "rosh": ("low", "medium", "high")[i % 3],
            },
            start_date=date(2024, 1, 1) + timedelta(days=i * 7 % 300),
            team=f"T-{i % 2}",
            practitioner=f"P-{i % 5:03d}",
        )
        for i in range(n)
    ]


def _csv(path: Path, cases: list[CaseloadCase]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["case_ref", "sentence_type", "has_psr", "rosh", "start_date", "team",
                         "practitioner"])  # fmt: skip
        for c in cases:
            a = c.attributes
            writer.writerow([c.case_ref, a["sentence_type"], a["has_psr"], a["rosh"],
                             c.start_date.isoformat(), c.team, c.practitioner])  # fmt: skip
    return path


def _sha256(cases: list[CaseloadCase]) -> str:
    """The digest as the README defines it, computed here on its own."""
    text = "".join(
        f"{c.case_ref}\t{c.start_date.isoformat()}\t"
        f"{json.dumps(c.attributes, sort_keys=True, separators=(',', ':'), ensure_ascii=False)}\n"
        for c in cases
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _live(repo: Repository, audit: OpenAudit) -> list[str]:
    return [c.case_ref for c in case_ops.list_cases(repo, audit)]


def _second_lead(repo: Repository, audit: OpenAudit, people: Person) -> Repository:
    """Another lead of the audit, on a connection (and, on PostgreSQL, a login) of their own."""
    other = people("lee")
    team.set_member(repo, audit, other.user, "lead")
    return other


@contextmanager
def _first_lock_after(
    repo: Repository, monkeypatch: pytest.MonkeyPatch, step: Callable[[], object]
) -> Iterator[list[bool]]:
    """Run `step()` (another writer's commit) just before `repo` takes its first lock (of the
    audit, or of some cases' answers)."""
    real, real_cases = repo.locked, repo.locked_cases
    fired: list[bool] = []

    @contextmanager
    def racing(audit_id: int) -> Iterator[AuditLock]:
        if not fired:
            fired.append(True)
            step()
        with real(audit_id) as lock:
            yield lock

    @contextmanager
    def racing_cases(
        audit_id: int, case_ids: Sequence[int], staged: Sequence[Staged] | None = None
    ) -> Iterator[AuditLock]:
        if not fired:
            fired.append(True)
            step()
        with real_cases(audit_id, case_ids, staged) as lock:
            yield lock

    with monkeypatch.context() as patch:
        patch.setattr(repo, "locked", racing)
        patch.setattr(repo, "locked_cases", racing_cases)
        yield fired


def test_a_draw_reads_the_caseload_stored_when_it_takes_the_lock(
    repo: Repository, people: Person, rubric_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = audits.create_audit(repo, "race", rubric_text)
    set_caseload(repo, audit, _cases("OLD", 40))
    other = _second_lead(repo, audit, people)
    new = _cases("NEW", 30)
    with _first_lock_after(
        repo, monkeypatch, lambda: set_caseload(other, audits.open_audit(other, "race"), new)
    ) as fired:
        drawn = draw_sample(repo, audit, 10, strata=["sentence_type"], seed=7)
    assert fired
    stored = caseload(repo, audit)
    assert [c.case_ref for c in stored] == [c.case_ref for c in new]
    refs = _live(repo, audit)
    assert len(refs) == 10 and set(refs) <= {c.case_ref for c in new}, refs  # not the old extract
    assert drawn.population_total == 30 and drawn.in_window == 30
    assert drawn.caseload_sha256 == _sha256(stored) == sampling.caseload_digest(stored)
    codes = {c.case_ref: (c.practitioner, c.team) for c in case_ops.list_cases(repo, audit)}
    assert codes == {c.case_ref: (c.practitioner, c.team) for c in new if c.case_ref in codes}


def test_a_replacement_takes_the_next_case_left_when_it_takes_the_lock(
    repo: Repository, people: Person, rubric_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = audits.create_audit(repo, "race", rubric_text)
    set_caseload(repo, audit, _cases("C", 20))
    drawn = draw_sample(repo, audit, 6, strata=["sentence_type"], seed=3)
    licence = next(p for p in drawn.plan if p.values == {"sentence_type": "licence"})
    mine, theirs = licence.order[0], licence.order[1]
    after = licence.order[licence.sample : licence.sample + 2]
    other = _second_lead(repo, audit, people)
    with _first_lock_after(
        repo,
        monkeypatch,
        lambda: replace_case(other, audits.open_audit(other, "race"), theirs, "file missing"),
    ) as fired:
        done = replace_case(repo, audit, mine, "transferred")  # old code: refused, falsely
    assert fired and done.replacement == after[1]
    found = sample(repo, audit)
    assert found is not None
    assert [(r.replaced, r.replacement) for r in found.replacements] == [
        (theirs, after[0]),
        (mine, after[1]),
    ]
    refs = _live(repo, audit)
    assert len(refs) == 6 and set(after) <= set(refs) and not {mine, theirs} & set(refs)


def test_a_drawn_case_missing_from_the_caseload_is_one_line_and_changes_nothing(
    repo: Repository, db_target: str, rubric_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sample drawn from an extract since replaced (as the race could leave one before draws
    were locked): replacing from it says so in one line, not a traceback."""
    audit = audits.create_audit(repo, "gone", rubric_text)
    set_caseload(repo, audit, _cases("C", 12))
    drawn = draw_sample(repo, audit, 4, strata=["sentence_type"], seed=5)
    licence = next(p for p in drawn.plan if p.values == {"sentence_type": "licence"})
    with repo.engine.begin() as conn:
        conn.execute(delete(CASELOAD).where(CASELOAD.c.case_ref == licence.order[licence.sample]))
    before = table_counts(db_target)
    code, out, err = run(
        capsys, "--db", db_target, "replace-case", "gone", licence.order[0], "--reason", "moved"
    )
    assert code == 1 and out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "is not in the caseload" in lines[0], lines
    assert table_counts(db_target) == before


def test_the_report_names_the_extract_the_sample_was_drawn_from(
    repo: Repository, db_target: str, rubric_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = audits.create_audit(repo, "named", rubric_text)
    cases = _cases("C", 12)
    set_caseload(repo, audit, cases)
    draw_sample(repo, audit, 4, seed=1)
    code, out, _ = run(capsys, "--db", db_target, "report", "named", "--format", "json")
    population = json.loads(out)["sample"]["population"]
    assert code == 0 and population["caseload"] == 12
    assert population["caseload_sha256"] == _sha256(cases)
    (event,) = [e for e in events.audit_events(repo, audit) if e.event == "sample"]
    assert _sha256(cases) in event.detail


def _failed_cleanly(proc: subprocess.CompletedProcess[str]) -> None:
    """Exit 0, or exit 1 with one line saying why: never a traceback."""
    code, err = proc.returncode, proc.stderr
    assert "Traceback" not in err and code in (0, 1), err
    if code:
        assert len(err.strip().splitlines()) == 1 and err.startswith("audit-tui: error: "), err


def test_sample_racing_import_caseload_draws_from_the_extract_it_leaves_stored(
    repo: Repository, db_target: str, rubric_text: str, tmp_path: Path
) -> None:
    """Whichever runs first: the import is refused (sampled already) and the old extract stays,
    or the import lands and the sample is drawn from it. Either way every drawn case is in the
    caseload the record names."""
    olds, news, runs = {}, {}, []
    for n in range(ROUNDS):
        name = f"race-{n}"
        olds[name], news[name] = _cases(f"A{n}", 60), _cases(f"B{n}", 40 + n)
        set_caseload(repo, audits.create_audit(repo, name, rubric_text), olds[name])
        path = _csv(tmp_path / f"{name}.csv", news[name])
        runs.append(["--db", db_target, "sample", name, "--size", "12", "--seed", str(n),
                     "--strata", "sentence_type"])  # fmt: skip
        runs.append(["--db", db_target, "import-caseload", name, str(path)])
    done = race(runs, tmp_path)
    outcomes = []
    for n in range(ROUNDS):
        name = f"race-{n}"
        sampled, imported = done[2 * n], done[2 * n + 1]
        assert sampled.returncode == 0, sampled.stderr
        _failed_cleanly(imported)
        audit = audits.open_audit(repo, name)
        stored = caseload(repo, audit)
        if imported.returncode == 0:
            assert stored == news[name]
        else:
            assert "sampled from its caseload already" in imported.stderr
            assert stored == olds[name]
        found = sample(repo, audit)
        assert found is not None and found.population_total == len(stored)
        assert found.caseload_sha256 == _sha256(stored)
        refs = _live(repo, audit)
        assert len(refs) == 12 and set(refs) <= {c.case_ref for c in stored}
        outcomes.append("import first" if imported.returncode == 0 else "sample first")
    print(f"{'postgresql' if db_target.startswith('postgresql') else 'sqlite'}: {outcomes}")  # -s


def test_eight_replacements_on_one_stratum_at_once_each_take_the_next_case(
    repo: Repository, db_target: str, rubric_text: str, tmp_path: Path
) -> None:
    audit = audits.create_audit(repo, "swap", rubric_text)
    set_caseload(repo, audit, _cases("C", 80))
    drawn = draw_sample(repo, audit, 20, strata=["sentence_type"], seed=11)
    licence = next(p for p in drawn.plan if p.values == {"sentence_type": "licence"})
    assert licence.sample == 10 and len(licence.order) - licence.sample >= REPLACERS
    leaving = licence.order[:REPLACERS]
    done = race(
        [
            ["--db", db_target, "replace-case", "swap", ref, "--reason", "file missing"]
            for ref in leaving
        ],
        tmp_path,
    )
    told = {}
    for ref, proc in zip(leaving, done, strict=True):
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr  # no false refusal
        said = proc.stdout.strip().removeprefix(f"{ref} replaced by ")
        told[ref] = said
    found = sample(repo, audit)
    assert found is not None
    recorded = [(r.replaced, r.replacement) for r in found.replacements]
    # in the order they committed, each took the next case of the stratum's recorded order
    assert [incoming for _, incoming in recorded] == licence.order[10 : 10 + REPLACERS]
    assert dict(recorded) == told and sorted(told) == sorted(leaving)
    live = case_ops.list_cases(repo, audit)
    assert len(live) == 20
    assert sum(c.attributes["sentence_type"] == "licence" for c in live) == 10
    extract = {c.case_ref: c for c in caseload(repo, audit)}
    for case in live:
        source = extract[case.case_ref]
        assert (case.attributes, case.practitioner, case.team) == (
            source.attributes,
            source.practitioner,
            source.team,
        )
