"""PostgreSQL, as a team's login meets it: row security on every read and write, the history and
the kept counts written by the server's triggers. Each against raw psycopg doing the same writes
by hand (the answer, its history row, the counts) on the same server, with no policy and no
trigger, measured in the same run.

Runs when a server is given (`AUDIT_TUI_BENCH_PG_URL`; `make bench` starts a private one).
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audit_tui.domain.answers import Answer
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, listing, scores
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.repository import Repository
from audit_tui.store.roles import grant

ATTRS = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
RAW_SCHEMA = """
CREATE TABLE raw_answer (id serial PRIMARY KEY, case_id int NOT NULL, item_id text NOT NULL,
  value text, note text NOT NULL DEFAULT '', updated_at timestamptz NOT NULL,
  updated_by text NOT NULL, UNIQUE (case_id, item_id));
CREATE TABLE raw_history (id serial PRIMARY KEY, case_id int NOT NULL, item_id text NOT NULL,
  old_value text, new_value text, changed_at timestamptz NOT NULL, changed_by text NOT NULL,
  via text NOT NULL);
CREATE TABLE raw_tally (item_id text, value text, n int, PRIMARY KEY (item_id, value));
"""


@contextmanager
def database(server: str) -> Iterator[tuple[str, str]]:
    """A new database and a login granted on it: (the owner's URL, the login's URL)."""
    name, login = f"bench_{uuid.uuid4().hex[:8]}", f"bench_{uuid.uuid4().hex[:6]}"
    admin = create_engine(
        make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(f'CREATE ROLE "{login}" LOGIN'))
    owner = make_url(server).set(drivername="postgresql+psycopg", database=name)
    try:
        repo = open_repository(owner.render_as_string(hide_password=False))
        grant(repo.engine, login)
        repo.engine.dispose()
        yield (
            owner.render_as_string(hide_password=False),
            owner.set(username=login).render_as_string(hide_password=False),
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        admin.dispose()


def measure(
    server: str,
    rubric: Path,
    cases: int,
    report: Callable[[str, float, float, float, str], None],
    absolute: Callable[[str, float, float], None],
) -> None:
    with database(server) as (owner_url, login_url):
        lead = open_repository(login_url)
        audit = audits.create_audit(lead, "bench", rubric.read_text())
        case_ops.add_cases(lead, audit, [(f"C-{i:05d}", ATTRS) for i in range(cases)])
        audit = audits.open_audit(lead, "bench")
        listed = case_ops.list_cases(lead, audit)
        items = [i for i in audit.rubric.column_order if audit.rubric.applies(i, ATTRS)]
        raw = psycopg.connect(
            make_url(owner_url).set(drivername="postgresql").render_as_string(False)
        )
        raw.execute(RAW_SCHEMA)
        raw.commit()
        _imports(lead, audit, listed, items, raw, report)
        _saves(lead, audit, listed[0], raw, report)
        _reads(lead, owner_url, audit, report)
        from bench import writers

        writers.measure(lead, login_url, rubric.read_text(), report)
        writers.measure_import(lead, login_url, rubric.read_text(), "PostgreSQL", absolute)
        raw.close()
        lead.engine.dispose()
    with database(server) as (owner_url, login_url):
        _audit_list(owner_url, login_url, rubric, report)


LIST_COPIES = 998
LIST_CASES = 5
"""The list's cost is per audit (its kept counts: a row per item and answer given), not per
case, so small copies time it as well as full ones and clone in seconds, not minutes."""


def _audit_list(owner_url: str, login_url: str, rubric: Path, report) -> None:  # type: ignore[no-untyped-def]
    """A login's first audit list of a session (a new engine: nothing counted yet in this
    process, and PostgreSQL keeps no figures: store/summaries.py) at 2 audits and at 1,000."""
    lead = open_repository(login_url)
    for name in ("list-a", "list-b"):
        audit = audits.create_audit(lead, name, rubric.read_text())
        case_ops.add_cases(lead, audit, [(f"L-{i}", ATTRS) for i in range(LIST_CASES)])
        audit = audits.open_audit(lead, name)
        items = [i for i in audit.rubric.column_order if audit.rubric.applies(i, ATTRS)]
        given = {c.id: dict.fromkeys(items, Answer.YES) for c in case_ops.list_cases(lead, audit)}
        answer_ops.import_answers(lead, audit, given)
    lead.engine.dispose()
    small = _first_list(login_url)
    _clone(owner_url, "list-a", LIST_COPIES)
    big = _first_list(login_url)
    report(
        "PostgreSQL: first audit list, 1,000 audits",
        big,
        small,
        1.5,
        "2 audits",
    )


def _first_list(login_url: str) -> float:
    """Best of three first lists, each on a new engine (as a new session of the app)."""
    times = []
    for _ in range(3):
        repo = open_repository(login_url)
        start = time.perf_counter()
        listing.audit_summaries(repo)
        times.append(time.perf_counter() - start)
        repo.engine.dispose()
    return min(times)


def _clone(owner_url: str, source: str, copies: int) -> None:
    """`copies` copies of the audit `source` (cases, answers, membership) in four statements
    as the owner; the server's triggers keep their counts and trail as for any write."""
    engine = create_engine(owner_url, connect_args={"options": "-c search_path=audit_tui"})

    def columns(conn, table: str, skip: tuple[str, ...]) -> str:  # type: ignore[no-untyped-def]
        rows = conn.execute(
            text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                " 'audit_tui' AND table_name = :t ORDER BY ordinal_position"
            ),
            {"t": table},
        )
        return ", ".join(c for (c,) in rows if c not in skip)

    with engine.begin() as conn:
        src = conn.scalar(text("SELECT id FROM audit WHERE name = :n"), {"n": source})
        a = columns(conn, "audit", ("id", "name", "pdu"))
        c = columns(conn, "audit_case", ("id", "audit_id"))
        n = columns(conn, "answer", ("id", "case_id"))
        m = columns(conn, "audit_member", ("audit_id",))
        copies_of = "SELECT id FROM audit WHERE name LIKE 'copy-%'"
        conn.execute(
            text(
                f"INSERT INTO audit (name, pdu, {a}) SELECT 'copy-' || lpad(g::text, 4, '0'),"
                f" 'PDU ' || (g % 10), {a} FROM audit, generate_series(1, :n) AS g"
                " WHERE audit.id = :src"
            ),
            {"n": copies, "src": src},
        )
        conn.execute(
            text(
                f"INSERT INTO audit_case (audit_id, {c}) SELECT copy.id, {c} FROM audit_case,"
                f" ({copies_of}) AS copy WHERE audit_case.audit_id = :src"
            ),
            {"src": src},
        )
        answer_cols = ", ".join(f"a.{col.strip()}" for col in n.split(","))
        conn.execute(
            text(
                f"INSERT INTO answer (case_id, {n}) SELECT new.id, {answer_cols} FROM answer a"
                " JOIN audit_case old ON old.id = a.case_id AND old.audit_id = :src"
                f" JOIN audit_case new ON new.case_ref = old.case_ref AND new.audit_id IN"
                f" ({copies_of})"
            ),
            {"src": src},
        )
        conn.execute(
            text(
                f"INSERT INTO audit_member (audit_id, {m}) SELECT copy.id, {m} FROM audit_member,"
                f" ({copies_of}) AS copy WHERE audit_member.audit_id = :src"
            ),
            {"src": src},
        )
    engine.dispose()


def _imports(lead, audit, listed, items, raw, report) -> None:  # type: ignore[no-untyped-def]
    answers = {c.id: dict.fromkeys(items, Answer.YES) for c in listed}
    start = time.perf_counter()
    answer_ops.import_answers(lead, audit, answers)
    ours = time.perf_counter() - start
    rows = [(c.id, i) for c in listed for i in items]
    start = time.perf_counter()
    with raw.transaction():
        ids = [r[0] for r in rows]
        its = [r[1] for r in rows]
        raw.execute(
            "INSERT INTO raw_answer (case_id, item_id, value, updated_at, updated_by)"
            " SELECT c, i, 'yes', now(), 'bench' FROM unnest(%s::int[], %s::text[]) AS t(c, i)",
            (ids, its),
        )
        raw.execute(
            "INSERT INTO raw_history (case_id, item_id, old_value, new_value, changed_at,"
            " changed_by, via) SELECT c, i, NULL, 'yes', now(), 'bench', 'raw'"
            " FROM unnest(%s::int[], %s::text[]) AS t(c, i)",
            (ids, its),
        )
        raw.execute(
            "INSERT INTO raw_tally SELECT i, 'yes', count(*) FROM unnest(%s::text[]) AS t(i)"
            " GROUP BY i",
            (its,),
        )
    baseline = time.perf_counter() - start
    report(
        f"PostgreSQL: import {len(rows):,} answers as a login",
        ours,
        baseline,
        6.0,  # measured 4.0-4.1x: a stamp per row, a row policy per row, the trail per statement
        "raw psycopg, same rows",
    )


def _saves(lead: Repository, audit, case, raw, report) -> None:  # type: ignore[no-untyped-def]
    ours_t, raw_t = [], []
    for i in range(100):
        value = Answer.NO if i % 2 else Answer.YES
        start = time.perf_counter()
        answer_ops.save_answer(lead, audit, case, "2.2.1", value)
        ours_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        with raw.transaction():
            old = raw.execute(
                "SELECT value FROM raw_answer WHERE case_id = %s AND item_id = '2.2.1' FOR UPDATE",
                (case.id,),
            ).fetchone()
            raw.execute(
                "UPDATE raw_answer SET value = %s, updated_at = now() WHERE case_id = %s"
                " AND item_id = '2.2.1'",
                (value.value, case.id),
            )
            raw.execute(
                "INSERT INTO raw_history (case_id, item_id, old_value, new_value, changed_at,"
                " changed_by, via) VALUES (%s, '2.2.1', %s, %s, now(), 'bench', 'raw')",
                (case.id, old[0] if old else None, value.value),
            )
            raw.execute(
                "UPDATE raw_tally SET n = n + 1 WHERE item_id = '2.2.1' AND value = %s",
                (value.value,),
            )
        raw_t.append(time.perf_counter() - start)
    report(
        "PostgreSQL: save one answer as a login, median",
        statistics.median(ours_t),
        statistics.median(raw_t),
        7.0,  # measured 5.3-6.0x: the lock and the revision, row security, the server's trail
        "raw psycopg, same writes",
    )


def _reads(lead: Repository, owner_url: str, audit, report) -> None:  # type: ignore[no-untyped-def]
    owner = open_repository(owner_url)
    for what, run_as in (
        ("report counts", lambda r: scores.score(r, audit)),
        ("case list", lambda r: case_ops.list_cases(r, audit)),
    ):
        mine = min(_timed(run_as, lead) for _ in range(5))
        admin = min(_timed(run_as, owner) for _ in range(5))
        report(
            f"PostgreSQL: {what} as a login (row security)",
            mine,
            admin,
            1.5,
            "the owner (no row security)",
        )
    owner.engine.dispose()


def _timed(fn: Callable[[Repository], object], repo: Repository) -> float:
    start = time.perf_counter()
    fn(repo)
    return time.perf_counter() - start
