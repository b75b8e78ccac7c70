"""A team at work for a minute: eight processes on one database, six auditors answering their
own cases and two leads going over the same items, every save carrying what its writer saw.

Afterwards every history chain holds, every save a writer was told succeeded is in the history
exactly as it was told (who, from what, to what), and every clash was refused and reported to
its writer instead of overwriting. On SQLite and on PostgreSQL (with a login per person).

$AUDIT_TUI_SOAK_SECONDS sets how long they work (default 60).
"""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from audit_tui.store import team
from audit_tui.store.database import open_repository
from audit_tui.store.models import AnswerHistoryRow, table_of
from audit_tui.store.repository import Repository
from tests.conftest import Person, is_pg
from tests.store.test_concurrency import (
    RELEASED_TOGETHER,
    assert_chains_hold,
    assert_counts_hold,
    release,
)
from tests.store.test_team import _audit

pytestmark = pytest.mark.slow  # a team at work for a minute, on each engine

SECONDS = float(os.environ.get("AUDIT_TUI_SOAK_SECONDS", "60"))
ITEMS = ("2.2.1", "2.2.1.a", "2.3.1", "2.4.1")  # few, so the leads meet the auditors often
AUDITORS = 6

WORKER = (
    RELEASED_TOGETHER
    + """
import json, random, time
from audit_tui.domain.answers import Answer
from audit_tui.store import answers, audits
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.repository import AnswerConflict

target, user, name, seconds, seed = sys.argv[1], sys.argv[2] or None, sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
items = sys.argv[6].split(",")
repo = open_repository(target, user)
audit = audits.open_audit(repo, name)
me = repo.user
cases = [c for c in case_ops.list_cases(repo, audit) if c.allocated_to == me] or case_ops.list_cases(repo, audit)
rng = random.Random(seed)
saved, clashes = [], []
end = time.monotonic() + seconds
while time.monotonic() < end:
    case, item = rng.choice(cases), rng.choice(items)
    seen = answers.answers_for_case(repo, case.id).get(item)
    seen = seen.value if seen else None
    if rng.random() < 0.5:
        time.sleep(rng.random() / 50)  # an auditor reads before the key: others may get in
    new = rng.choice([v for v in ("yes", "no", "na", None) if v != seen])
    try:
        done = answers.save_answer(repo, audit, case, item, Answer(new) if new else None, expected=seen)
    except AnswerConflict as exc:
        clashes.append([case.id, item, seen, exc.stored.value])
        continue
    saved.append([case.id, item, seen, new, me])
print(json.dumps({"saved": saved, "clashes": clashes}))
"""
)


def test_eight_people_for_a_minute(people: Person, rubric_text: str, db_target: str) -> None:
    lead = people("lead")
    names = [f"a{i}" for i in range(AUDITORS)]
    auditors = [people(n) for n in names]
    second = people("lead2")
    audit = _audit(lead, rubric_text, n=2 * AUDITORS, name="soak")
    team.allocate(lead, audit, [a.user for a in auditors])
    team.set_member(lead, audit, second.user, "lead")
    workers = [*auditors, lead, second]

    def target_of(person: Repository) -> tuple[str, str]:
        user = person.user
        if not is_pg(db_target):
            return db_target, user
        url = make_url(db_target).set(username=user, password=None)
        return url.render_as_string(hide_password=False), ""

    done = release(
        [
            [WORKER, *target_of(p), "soak", str(SECONDS), str(seed), ",".join(ITEMS)]
            for seed, p in enumerate(workers)
        ],
        timeout=SECONDS + 300,
    )
    for proc in done:
        assert proc.returncode == 0, proc.stderr[-2000:]
    results = [json.loads(proc.stdout) for proc in done]

    assert_chains_hold(db_target)
    assert_counts_hold(db_target, "soak")
    told = Counter(
        (case, item, seen, new, who) for r in results for case, item, seen, new, who in r["saved"]
    )
    owner = open_repository(db_target)
    history = table_of(AnswerHistoryRow)
    with owner.engine.connect() as conn:
        written = Counter(
            tuple(row)
            for row in conn.execute(
                select(
                    history.c.case_id,
                    history.c.item_id,
                    history.c.old_value,
                    history.c.new_value,
                    history.c.changed_by,
                )
            )
        )
    owner.engine.dispose()
    # exactly what each writer was told: nothing missing, nothing written over what they saw
    assert written == told
    clashes = [c for r in results for c in r["clashes"]]
    assert clashes and all(seen != stored for _, _, seen, stored in clashes)
    per_writer = [len(r["saved"]) for r in results]
    assert all(n > 0 for n in per_writer), per_writer
