"""Follow-up in a crowd: several processes, released together, moving the same few actions
between open, done and dropped and agreeing new ones, for a few seconds, on SQLite and on
PostgreSQL. Afterwards every action's history chains (each step starts where the last ended),
the steps are exactly the ones the writers were told succeeded, each action's status is its last
step's, and every new action is there once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from itertools import pairwise

import pytest

from audit_tui.store import audits
from audit_tui.store.follow_up import action_history, actions, add_action
from audit_tui.store.oversight import add_reviewed_case
from audit_tui.store.repository import Repository
from tests.store.test_concurrency import RELEASED_TOGETHER, release
from tests.store.test_team import NO_PSR

pytestmark = pytest.mark.slow  # processes released together, on each engine

WRITERS, SECONDS = 6, 3.0

WORKER = (
    RELEASED_TOGETHER
    + """
import json, random, time
from datetime import date
from audit_tui.domain.errors import AuditError
from audit_tui.store import audits
from audit_tui.store.database import open_repository
from audit_tui.store.follow_up import add_action, update_action

target, user, seed, seconds = sys.argv[1], sys.argv[2] or None, int(sys.argv[3]), float(sys.argv[4])
ids = [int(i) for i in sys.argv[5].split(",")]
repo = open_repository(target, user)
audit = audits.open_audit(repo, "crowd")
rng = random.Random(seed)
told, added, refused = [], [], 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    if rng.random() < 0.2:
        made = add_action(repo, audit, rng.choice(["R-1", "R-2"]), f"w{seed}-{len(added)}", date(2027, 1, 1))
        added.append(made.what)
        continue
    action_id, status = rng.choice(ids), rng.choice(["open", "done", "dropped"])
    try:
        update_action(repo, action_id, status=status, note=f"w{seed}")
    except AuditError:
        refused += 1  # already in that status: someone got there first
        continue
    told.append([action_id, status])
print(json.dumps({"told": told, "added": added, "refused": refused}))
"""
)


def test_many_writers_moving_the_same_actions_lose_no_step(
    repo: Repository, rubric_text: str, db_target: str
) -> None:
    audit = audits.create_audit(repo, "crowd", rubric_text, kind="oversight")
    for ref in ("R-1", "R-2"):
        add_reviewed_case(repo, audit, ref, NO_PSR, practitioner="P-1")
    ids = [add_action(repo, audit, "R-1", f"shared {i}", date(2026, 12, 1)).id for i in range(3)]
    user = "" if db_target.startswith("postgresql") else repo.user
    done = release(
        [
            [WORKER, db_target, user, str(seed), str(SECONDS), ",".join(map(str, ids))]
            for seed in range(WRITERS)
        ]
    )
    for proc in done:
        assert proc.returncode == 0, proc.stderr
    reports = [json.loads(proc.stdout) for proc in done]
    told = Counter((a, s) for r in reports for a, s in r["told"])
    assert sum(told.values()) > 10 and sum(r["refused"] for r in reports) > 0  # they did clash
    steps: Counter[tuple[int, str]] = Counter()
    now = {a.id: a for a in actions(repo, audit=audit)}
    for action_id in ids:
        history = action_history(repo, action_id)
        assert history[0].old_status is None and history[0].new_status == "open"
        for before, after in pairwise(history):
            assert after.old_status == before.new_status  # no step was lost or interleaved
            assert after.new_status != after.old_status
        steps.update((action_id, h.new_status) for h in history[1:])
        assert now[action_id].status == history[-1].new_status
    assert steps == told  # exactly what the writers were told, no more, no less
    made = [w for r in reports for w in r["added"]]
    assert sorted(a.what for a in now.values() if a.id not in ids) == sorted(made)
    assert len(made) == len(set(made))
