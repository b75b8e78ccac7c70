"""Auditors who must not wait for each other, each a process of its own.

Eight saving at once on PostgreSQL, released together: each on their own case of one audit,
against eight each in an audit of their own (the same saves, the same login, the same server,
measured in the same run). Reported as the time per save of the whole crowd (the inverse of
throughput: 0.8x the throughput is 1.25x the time) and the 99th percentile of one save's time.

And one auditor saving while the lead imports 5,000 cases' answers into the same audit: the
worst save while the import runs (bound 1 s), on PostgreSQL and on SQLite.

Run from bench/postgres.py and bench/__main__.py (`make bench` starts a private server).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from audit_tui.domain.answers import Answer
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits
from audit_tui.store import cases as case_ops
from audit_tui.store.repository import Repository

WRITERS = 8
SAVES = 100
ATTRS = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
ITEMS = ("2.2.1", "2.3.1", "2.4.1", "2.5.1", "2.2.2")

WRITER = """
import json, sys, time
from audit_tui.domain.answers import Answer
from audit_tui.store import answers, audits
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository

url, name, ref, saves, items = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
repo = open_repository(url)
audit = audits.open_audit(repo, name)
case = next(c for c in case_ops.list_cases(repo, audit) if c.case_ref == ref)
print("ready", flush=True)
sys.stdin.readline()
took, began = [], time.time()
for i in range(saves):
    value = Answer.YES if (i // len(items)) % 2 == 0 else Answer.NO  # every save changes one
    start = time.perf_counter()
    saved = answers.save_answer(repo, audit, case, items[i % len(items)], value)
    took.append(time.perf_counter() - start)
    assert saved.changed
print(json.dumps({"began": began, "ended": time.time(), "took": took}))
"""

SAVER = """
import json, os, sys, time
from audit_tui.domain.answers import Answer
from audit_tui.store import answers, audits
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository

url, name, ref, stop, user = sys.argv[1:6]
repo = open_repository(url, user=user)  # on PostgreSQL: the login of the URL
audit = audits.open_audit(repo, name)
case = next(c for c in case_ops.list_cases(repo, audit) if c.case_ref == ref)
print("ready", flush=True)
sys.stdin.readline()
saves, n = [], 0
while not os.path.exists(stop):
    value = Answer.YES if n % 2 == 0 else Answer.NO
    began = time.time()
    answers.save_answer(repo, audit, case, "2.2.1", value)
    saves.append((began, time.time() - began))
    n += 1
print(json.dumps(saves))
"""
IMPORTED = 5_000

Report = Callable[[str, float, float, float, str], None]
Absolute = Callable[[str, float, float], None]


def _crowd(url: str, seats: list[tuple[str, str]]) -> tuple[float, float]:
    """Run one writer per (audit, case ref), released together: (seconds per save of the crowd,
    99th percentile of one save's seconds)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, name, ref, str(SAVES), *ITEMS],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name, ref in seats
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    runs = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"a writer failed ({proc.returncode})"
        runs.append(json.loads(out))
    took = sorted(t for run in runs for t in run["took"])
    wall = max(r["ended"] for r in runs) - min(r["began"] for r in runs)
    return wall / len(took), took[int(len(took) * 0.99) - 1]


def measure(lead: Repository, login_url: str, rubric_text: str, report: Report) -> None:
    shared = audits.create_audit(lead, "crowd-one-audit", rubric_text)
    case_ops.add_cases(lead, shared, [(f"W-{n}", ATTRS) for n in range(WRITERS)])
    apart = []
    for n in range(WRITERS):
        own = audits.create_audit(lead, f"crowd-own-{n}", rubric_text)
        case_ops.add_cases(lead, own, [(f"W-{n}", ATTRS)])
        apart.append((own.info.name, f"W-{n}"))
    together = [(shared.info.name, f"W-{n}") for n in range(WRITERS)]
    # alternate, best of two each, so a busy moment of the machine hurts neither alone
    one_audit, own_audits = [], []
    for _ in range(2):
        one_audit.append(_crowd(login_url, together))
        own_audits.append(_crowd(login_url, apart))
    per_save, p99 = min(s for s, _ in one_audit), min(p for _, p in one_audit)
    per_save_apart, p99_apart = min(s for s, _ in own_audits), min(p for _, p in own_audits)
    report(
        f"PostgreSQL: {WRITERS} writers, own cases of one audit, per save",
        per_save,
        per_save_apart,
        1.25,  # the goal: at least 0.8x the throughput of separate audits
        f"{WRITERS} in separate audits",
    )
    report(
        f"PostgreSQL: {WRITERS} writers, one audit, p99 save",
        p99,
        p99_apart,
        2.0,
        f"{WRITERS} in separate audits",
    )


def measure_import(
    lead: Repository, url: str, rubric_text: str, engine: str, absolute: Absolute
) -> None:
    """The worst save of one auditor on their own case while the lead imports 5,000 cases'
    answers into the same audit (each save's start and length, against the import's span)."""
    audit = audits.create_audit(lead, "import-crowd", rubric_text)
    case_ops.add_cases(lead, audit, [(f"I-{n:05d}", ATTRS) for n in range(IMPORTED)])
    case_ops.add_cases(lead, audit, [("SAVER-1", ATTRS)])
    audit = audits.open_audit(lead, audit.info.name)
    listed = [c for c in case_ops.list_cases(lead, audit) if c.case_ref.startswith("I-")]
    items = [i for i in audit.rubric.column_order if audit.rubric.applies(i, ATTRS)]
    answers = {c.id: dict.fromkeys(items, Answer.YES) for c in listed}
    with tempfile.TemporaryDirectory() as tmp:
        stop = Path(tmp) / "stop"
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        saver = subprocess.Popen(
            [sys.executable, "-c", SAVER, url, audit.info.name, "SAVER-1", str(stop), lead.user],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert saver.stdout is not None and saver.stdout.readline() == "ready\n"
        assert saver.stdin is not None
        saver.stdin.write("go\n")
        saver.stdin.flush()
        time.sleep(0.5)  # the saver in its stride before the import starts
        began = time.time()
        answer_ops.import_answers(lead, audit, answers)
        ended = time.time()
        time.sleep(0.5)
        stop.touch()
        out, _ = saver.communicate(timeout=600)
    assert saver.returncode == 0, "the saver failed"
    during = [took for start, took in json.loads(out) if start < ended and start + took > began]
    written = sum(len(a) for a in answers.values())
    absolute(
        f"{engine}: worst save during a {IMPORTED:,}-case import"
        f" ({written:,} answers, {ended - began:.1f} s)",
        max(during),
        1.0,
    )
