"""Counting many audits at once (`aggregates.tallies_of`, what the regional view reads) gives
each audit exactly what counting it alone gives, on both engines: with removed cases, an audit
with no case, and audits whose answers differ."""

from __future__ import annotations

from audit_tui.domain.answers import Answer
from audit_tui.store import aggregates, audits, scores
from audit_tui.store import answers as answer_ops
from audit_tui.store import cases as case_ops
from audit_tui.store.repository import Repository

NO_PSR = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
PSR = {"sentence_type": "licence", "has_psr": "yes", "rosh": "high"}


def test_many_audits_counted_together_as_each_alone(repo: Repository, rubric_text: str) -> None:
    made = []
    for n in range(4):
        audit = audits.create_audit(repo, f"a{n}", rubric_text)
        if n < 3:  # a3 has no case at all
            case_ops.add_cases(
                repo, audit, [(f"C{n}-{i}", PSR if (i + n) % 3 == 0 else NO_PSR) for i in range(6)]
            )
            listed = case_ops.list_cases(repo, audit)
            values = (Answer.YES, Answer.NO, Answer.NOT_APPLICABLE)
            answer_ops.import_answers(
                repo,
                audit,
                {
                    c.id: {
                        item: values[(i + n + len(item)) % 3]
                        for item in audit.rubric.column_order[: 10 + i]
                        if audit.rubric.applies(item, c.attributes)
                    }
                    for i, c in enumerate(listed)
                },
            )
            if n == 1:  # a removed case counts nowhere, alone or together
                case_ops.remove_case(repo, audits.open_audit(repo, audit.info.name), "C1-2", "gone")
        made.append(audits.open_audit(repo, audit.info.name))
    with repo.engine.connect() as conn:
        together = aggregates.tallies_of(conn, made)
        alone = {a.info.id: aggregates.tallies(conn, a, from_answers=True) for a in made}
        assert aggregates.tallies_of(conn, []) == {}
    assert together == alone
    assert together[made[3].info.id][0] == 0 and together[made[0].info.id][0] == 6
    assert together[made[1].info.id][0] == 5
    results = scores.scores_of(repo, made)
    assert results == {a.info.id: scores.score(repo, a) for a in made}
