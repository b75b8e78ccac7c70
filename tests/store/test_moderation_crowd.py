"""Moderation in a crowd: two second markers marking blind while the first markers go on
answering their cases and the lead keeps reading the moderation, all released at once as real
processes; then both markers complete and the lead settles every disagreement in one go.

Afterwards each second mark's history chains (and equals exactly what each marker was told),
the audit's answers' chains still hold, and the settlement moved only the settled answers.
On SQLite and on PostgreSQL (a login per person).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from audit_tui.domain.answers import Answer
from audit_tui.store import cases, team
from audit_tui.store.moderation import MOD_CASE, SECOND, SECOND_HISTORY, blind_cases, start_round
from audit_tui.store.repository import Repository
from audit_tui.store.second_marks import complete_second, save_second
from audit_tui.store.settlement import Agreed, settle, summary
from tests.conftest import Person, is_pg
from tests.store.test_concurrency import RELEASED_TOGETHER, assert_chains_hold, release
from tests.store.test_team import _audit

pytestmark = pytest.mark.slow  # processes released together, on each engine

SECONDS = 4.0
ITEMS = ("2.2.1", "2.2.1.a", "2.3.1", "2.4.1")

WORKER = (
    RELEASED_TOGETHER
    + """
import json, random, time
from audit_tui.domain.answers import Answer
from audit_tui.store import answers, audits
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.moderation import blind_cases
from audit_tui.store.repository import AnswerConflict
from audit_tui.store.second_marks import save_second
from audit_tui.store.settlement import summary

target, user, role, seconds, seed = sys.argv[1], sys.argv[2] or None, sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
items = sys.argv[6].split(",")
repo = open_repository(target, user)
audit = audits.open_audit(repo, "crowd")
me = repo.user
rng = random.Random(seed)
told, reads = [], 0
end = time.monotonic() + seconds
mine = list(blind_cases(repo, audit)) if role == "second" else [
    c.id for c in case_ops.list_cases(repo, audit) if c.allocated_to == me]
cases = {c.id: c for c in case_ops.list_cases(repo, audit)}
while time.monotonic() < end:
    if role == "lead":
        found = summary(repo, audit)
        reads += 1
        continue
    case_id, item = rng.choice(mine), rng.choice(items)
    value = rng.choice(["yes", "no", "na", None])
    answer = Answer(value) if value else None
    if role == "second":
        done = save_second(repo, audit, case_id, item, answer)
    else:
        try:
            done = answers.save_answer(repo, audit, cases[case_id], item, answer)
        except AnswerConflict:
            continue
    if done.changed:
        told.append([case_id, item, done.old_value, done.answer.value, me])
print(json.dumps({"told": told, "reads": reads}))
"""
)


def _target(db_target: str, person: Repository) -> tuple[str, str]:
    if not is_pg(db_target):
        return db_target, person.user
    url = make_url(db_target).set(username=person.user, password=None)
    return url.render_as_string(hide_password=False), ""


def test_second_markers_first_markers_and_the_lead_at_once(
    people: Person, rubric_text: str, db_target: str
) -> None:
    lead, a0, a1, m0, m1 = (people(n) for n in ("lead", "a0", "a1", "m0", "m1"))
    audit = _audit(lead, rubric_text, n=8, name="crowd")
    team.allocate(lead, audit, [a0.user, a1.user])
    mine = {
        p.user: sorted(
            c.case_ref for c in cases.list_cases(lead, audit) if c.allocated_to == p.user
        )
        for p in (a0, a1)
    }
    start_round(lead, audit, m0.user, cases=mine[a0.user][:3])
    start_round(lead, audit, m1.user, cases=mine[a1.user][:3])
    roles = [(m0, "second"), (m1, "second"), (a0, "first"), (a1, "first"), (lead, "lead")]
    done = release(
        [
            [WORKER, *_target(db_target, p), role, str(SECONDS), str(seed), ",".join(ITEMS)]
            for seed, (p, role) in enumerate(roles)
        ],
        timeout=SECONDS + 300,
    )
    for proc in done:
        assert proc.returncode == 0, proc.stderr[-2000:]
    results = [json.loads(proc.stdout) for proc in done]
    assert all(r["told"] for r in results[:4]) and results[4]["reads"] > 0

    assert_chains_hold(db_target)  # the audit's answers, written alongside
    with lead.engine.connect() as conn:
        chains: dict[tuple[int, str], list[tuple[str | None, str | None]]] = defaultdict(list)
        written: Counter[tuple[int, str, str | None, str | None, str]] = Counter()
        case_of = dict(conn.execute(select(MOD_CASE.c.id, MOD_CASE.c.case_id)).all())
        for mid, item, old, new, who in conn.execute(
            select(
                SECOND_HISTORY.c.moderation_case_id,
                SECOND_HISTORY.c.item_id,
                SECOND_HISTORY.c.old_value,
                SECOND_HISTORY.c.new_value,
                SECOND_HISTORY.c.changed_by,
            ).order_by(SECOND_HISTORY.c.id)
        ):
            chains[mid, item].append((old, new))
            written[case_of[mid], item, old, new, who] += 1
        stored = {
            (mid, item): v
            for mid, item, v in conn.execute(
                select(SECOND.c.moderation_case_id, SECOND.c.item_id, SECOND.c.value)
            )
        }
    for cell, chain in chains.items():
        expected = None
        for old, new in chain:
            assert old == expected, (cell, chain)
            expected = new
        assert stored[cell] == expected
    told = Counter(tuple(t) for r in results[:2] for t in r["told"])
    assert written == told  # every second mark a marker was told of, and nothing else

    # both finish blind marking (every item that applies), then the lead settles everything
    for marker in (m0, m1):
        for case_id in list(blind_cases(marker, audit)):
            case = next(c for c in cases.list_cases(marker, audit) if c.id == case_id)
            for item in audit.rubric.column_order:
                if audit.rubric.applies(item, case.attributes):
                    save_second(marker, audit, case_id, item, Answer.NO)
            complete_second(marker, audit, case_id)
    found = summary(lead, audit)
    assert found is not None and found.cases == 6 and found.disagreements
    agreed = [
        Agreed(
            round=d.round,
            case_ref=d.case_ref,
            item_id=d.item_id,
            agreed=Answer.NO,
            reason="moderated",
        )
        for d in found.disagreements
    ]
    settle(lead, audit, agreed)
    assert_chains_hold(db_target)
    after = summary(lead, audit)
    assert after is not None and after.settled == len(found.disagreements)
    assert after.overall.agreement == found.overall.agreement
