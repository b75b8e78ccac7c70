"""Counting many audits at once (`aggregates.tallies_of`, what the regional view reads) gives
each audit exactly what counting it alone gives, on both engines: with removed cases, an audit
with no case, one answered in full (so rated), and audits whose answers differ. Counting key
questions alone (the regional view, the audit list) gives theirs exactly, and the same ratings."""

from __future__ import annotations

from dataclasses import replace

from audit_tui.domain.answers import Answer
from audit_tui.scoring import AuditResult
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
                        for item in audit.rubric.column_order[: None if n == 2 else 10 + i]
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
        kq_only = aggregates.tallies_of(conn, made, key_questions_only=True)
        kept_kq_only = aggregates.tallies_of(
            conn, made, from_answers=False, key_questions_only=True
        )
    assert together == alone
    assert together[made[3].info.id][0] == 0 and together[made[0].info.id][0] == 6
    assert together[made[1].info.id][0] == 5
    kqs = made[0].rubric.key_question_ids
    assert 10 < len(kqs) < len(made[0].rubric.items)
    for audit_id, (cases, tallies) in together.items():
        assert kq_only[audit_id] == (cases, {i: t for i, t in tallies.items() if i in kqs})
        assert kept_kq_only[audit_id] == kq_only[audit_id]  # the kept counts agree
    assert any(t.yes and t.no for t in kq_only[made[1].info.id][1].values())
    results = scores.scores_of(repo, made)
    assert results == {a.info.id: key_questions_of(scores.score(repo, a)) for a in made}
    assert all(
        k.prompts == () for r in results.values() for s in r.standards for k in s.key_questions
    )
    assert any(s.rating for r in results.values() for s in r.standards)  # ratings compared too


def key_questions_of(result: AuditResult) -> AuditResult:
    """A report's result without what a view of key questions leaves out."""
    return replace(
        result,
        indicators=(),
        standards=tuple(
            replace(
                st,
                key_questions=tuple(replace(k, prompts=()) for k in st.key_questions),
                lowest=st.lowest and replace(st.lowest, prompts=()),
            )
            for st in result.standards
        ),
    )
