"""Counting answers for scoring: GROUP BY queries whose small results the scoring package rolls up.

Never loads every answer: the database counts per item (and per attribute value), and which items
apply to which cases is counted per combination of the attributes that decide it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, func, null, select, union_all

from audit_tui.domain.answers import Answer
from audit_tui.domain.cases import NOT_RECORDED
from audit_tui.domain.records import OpenAudit
from audit_tui.domain.rubric import Rubric, admits
from audit_tui.scoring import Tally
from audit_tui.scoring.verdicts import CaseVerdicts, judged_standards
from audit_tui.store import counts
from audit_tui.store.models import AnswerRow, CaseRow, table_of

CASE = table_of(CaseRow)
ANSWER = table_of(AnswerRow)
LIVE = CASE.c.removed_at.is_(None)
"""Removed (withdrawn) cases keep their answers as the audit trail, but count nowhere."""
YES, NO, NOT_APPLICABLE = Answer.YES.value, Answer.NO.value, Answer.NOT_APPLICABLE.value


def tallies(
    conn: Connection, audit: OpenAudit, *, from_answers: bool = False
) -> tuple[int, dict[str, Tally]]:
    """(number of cases, per-item tallies) on `conn` (one snapshot): the answers from the counts
    every write keeps (store/counts.py), or with `from_answers` counted from the answers
    themselves (what a report states: exact whatever the kept counts say); which cases each
    item applies to from one GROUP BY of the cases by the attributes that decide it."""
    rubric = audit.rubric
    used = rubric.rule_attributes
    attr_cols = [CASE.c.attributes[name].as_string() for name in used]
    groups_q = (
        select(*attr_cols, func.count())
        .where(CASE.c.audit_id == audit.info.id, LIVE)
        .group_by(*attr_cols)
    )
    groups = [(dict(zip(used, row[:-1], strict=True)), row[-1]) for row in conn.execute(groups_q)]
    answered = (
        counted_answers(conn, audit.info.id)
        if from_answers
        else counts.answered_by_value(conn, audit.info.id)
    )
    return _tallied(rubric, groups, answered)


def tallies_of(
    conn: Connection,
    audits: Sequence[OpenAudit],
    *,
    from_answers: bool = True,
    key_questions_only: bool = False,
) -> dict[int, tuple[int, dict[str, Tally]]]:
    """Each audit's (number of cases, per-item tallies) by id, as `tallies` counts one (from the
    answers, or the kept counts), in two queries over them all: a region's forty audits cost
    two statements, not a hundred and twenty; a list of 1,000, two rather than 3,000.

    With `key_questions_only`, the tallies of the key questions alone, counted from their
    answers alone: what `score_audit(..., key_questions_only=True)` takes. Sorting a quarter of
    the answers, the regional view's count takes less than half the time."""
    if not audits:
        return {}
    ids = [a.info.id for a in audits]
    wanted = (
        sorted(set().union(*(a.rubric.key_question_ids for a in audits)))
        if key_questions_only
        else None
    )
    used = sorted({name for a in audits for name in a.rubric.rule_attributes})
    attr_cols = [CASE.c.attributes[name].as_string() for name in used]
    groups: dict[int, list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for audit_id, *values, n in conn.execute(
        select(CASE.c.audit_id, *attr_cols, func.count())
        .where(CASE.c.audit_id.in_(ids), LIVE)
        .group_by(CASE.c.audit_id, *attr_cols)
    ):
        groups[audit_id].append((dict(zip(used, values, strict=True)), n))
    answered: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    counted = (
        select(CASE.c.audit_id, ANSWER.c.item_id, ANSWER.c.value, func.count())
        .join(CASE, CASE.c.id == ANSWER.c.case_id)
        .where(CASE.c.audit_id.in_(ids), LIVE, ANSWER.c.value.is_not(None))
        .group_by(CASE.c.audit_id, ANSWER.c.item_id, ANSWER.c.value)
        if from_answers
        else counts.kept_of(ids)
    )
    if wanted is not None:
        item = ANSWER.c.item_id if from_answers else counts.TALLY.c.item_id
        counted = counted.where(item.in_(wanted))
    for audit_id, item_id, value, n in conn.execute(counted).all():  # one fetch, not one per row
        answered[audit_id][item_id][value] = n
    return {
        a.info.id: _tallied(
            a.rubric,
            groups.get(a.info.id, []),
            answered.get(a.info.id, {}),
            a.rubric.key_question_ids if key_questions_only else None,
        )
        for a in audits
    }


def _tallied(
    rubric: Rubric,
    groups: Sequence[tuple[dict[str, Any], int]],
    answered: dict[str, dict[str, int]],
    only: Collection[str] | None = None,
) -> tuple[int, dict[str, Tally]]:
    """(cases, per-item tallies) from the cases grouped by their deciding attributes and the
    answers counted per item and value: of every item, or `only` these."""
    cases = sum(n for _, n in groups)
    out: dict[str, Tally] = {}
    nothing: dict[str, int] = {}
    for rule, every_id in rubric.items_by_rule:
        item_ids = every_id if only is None else [i for i in every_id if i in only]
        if not item_ids:
            continue
        applicable = sum(n for attrs, n in groups if admits(rule, attrs))
        for item_id in item_ids:
            got = answered.get(item_id, nothing)
            out[item_id] = Tally(
                yes=got.get(YES, 0),
                no=got.get(NO, 0),
                not_applicable=got.get(NOT_APPLICABLE, 0),
                applicable=applicable,
            )
    return cases, out


def case_verdicts(conn: Connection, audit: OpenAudit) -> CaseVerdicts | None:
    """Each live case's verdict per standard, where the rubric rates standards by their cases
    (None otherwise, without a query): the one count that needs each case's answers together,
    read as the key questions' answers only."""
    judged = judged_standards(audit.rubric)
    if not judged:
        return None
    used = audit.rubric.rule_attributes
    cases = conn.execute(  # each read whole before the next statement runs
        select(CASE.c.id, *[CASE.c.attributes[name].as_string() for name in used]).where(
            CASE.c.audit_id == audit.info.id, LIVE
        )
    ).all()
    answers = conn.execute(
        select(ANSWER.c.case_id, ANSWER.c.item_id, ANSWER.c.value)
        .join(CASE, CASE.c.id == ANSWER.c.case_id)
        .where(
            CASE.c.audit_id == audit.info.id,
            LIVE,
            ANSWER.c.value.is_not(None),
            ANSWER.c.item_id.in_([k for kqs in judged.values() for k in kqs]),
        )
    ).all()
    return CaseVerdicts.count(
        audit.rubric,
        ((case_id, dict(zip(used, values, strict=True))) for case_id, *values in cases),
        ((case_id, item_id, value) for case_id, item_id, value in answers),
    )


def verdict_tallies(conn: Connection, audit: OpenAudit) -> dict[str, Tally] | None:
    """Per standard, its cases meeting every key question, where the rubric rates by them
    (None otherwise): what `score_audit` takes as `verdicts`."""
    verdicts = case_verdicts(conn, audit)
    return verdicts.tallies if verdicts is not None else None


def counted_answers(conn: Connection, audit_id: int) -> dict[str, dict[str, int]]:
    """item -> value -> live cases giving it, counted from the answers themselves: what the kept
    counts must always equal (the tests compare them)."""
    query = (
        select(ANSWER.c.item_id, ANSWER.c.value, func.count())
        .join(CASE, CASE.c.id == ANSWER.c.case_id)
        .where(CASE.c.audit_id == audit_id, LIVE, ANSWER.c.value.is_not(None))
        .group_by(ANSWER.c.item_id, ANSWER.c.value)
    )
    answered: dict[str, dict[str, int]] = defaultdict(dict)
    for item_id, value, n in conn.execute(query):
        answered[item_id][value] = n
    return dict(answered)


Breakdowns = dict[str, tuple[dict[str, int], dict[str, dict[str, Tally]]]]
CODE_COLUMNS = {"practitioner": CASE.c.practitioner, "team": CASE.c.team}
"""Breakdowns that read a case's codes rather than one of its rubric attributes."""


def _value_of(name: str, rubric: Rubric) -> Any:
    """A case's value for a breakdown: its code, unless the rubric declares an attribute of
    that name (which then wins, as it does on import)."""
    column = CODE_COLUMNS.get(name)
    if column is None or name in rubric.attributes_by_id:
        return CASE.c.attributes[name].as_string()
    return column


EVERY_CASE = ("", "")  # the margin over the whole sample


def report_tallies(
    conn: Connection, audit: OpenAudit, attributes: Sequence[str]
) -> tuple[int, dict[str, Tally], Breakdowns]:
    """(number of cases, per-item tallies, and per attribute and value: its number of cases and
    per-item tallies): everything a report counts, from one read of the answers.

    Each case's attribute values are read once (a materialised CTE) and numbered by their
    combination; answers are counted per combination (grouping by one integer rather than by
    every value costs half as much on 10,000 cases). The combinations come back in the same
    statement, so the two cannot drift apart. The sample's and each attribute's margins are
    summed here from those few rows.
    """
    rubric = audit.rubric
    names = list(dict.fromkeys([*attributes, *rubric.rule_attributes]))
    raw = (
        select(
            CASE.c.id,
            *[
                func.coalesce(_value_of(name, rubric), NOT_RECORDED).label(f"v{i}")
                for i, name in enumerate(names)
            ],
        )
        .where(CASE.c.audit_id == audit.info.id, LIVE)
        .subquery()
    )
    raw_cols = [raw.c[f"v{i}"] for i in range(len(names))]
    per_case = (
        select(raw.c.id, *raw_cols, func.dense_rank().over(order_by=raw_cols).label("combo"))
        .cte("case_values")
        .prefix_with("MATERIALIZED")
    )
    value_cols = [per_case.c[f"v{i}"] for i in range(len(names))]
    combos_q = select(per_case.c.combo, *value_cols, null(), null(), func.count()).group_by(
        per_case.c.combo, *value_cols
    )
    counts_q = (
        select(per_case.c.combo, *[null() for _ in names], ANSWER.c.item_id, ANSWER.c.value)
        .add_columns(func.count())
        .join(per_case, per_case.c.id == ANSWER.c.case_id)
        .where(ANSWER.c.value.is_not(None))
        .group_by(per_case.c.combo, ANSWER.c.item_id, ANSWER.c.value)
    )
    combos: dict[int, tuple[dict[str, str], int]] = {}
    answered_in: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for combo, *row in conn.execute(union_all(combos_q, counts_q)):
        *attr_values, item_id, answer, n = row
        if item_id is None:
            combos[combo] = (dict(zip(names, attr_values, strict=True)), n)
        else:
            answered_in[combo].append((item_id, answer, n))

    cases: dict[tuple[str, str], int] = defaultdict(int)
    applicable: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    answered: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for combo, (attrs, n) in combos.items():
        applying = [i for i in rubric.items if rubric.applies(i, attrs)]
        for margin in (EVERY_CASE, *((a, attrs[a]) for a in attributes)):
            cases[margin] += n
            for item_id in applying:
                applicable[margin][item_id] += n
            for item_id, answer, count in answered_in[combo]:
                answered[margin][item_id, answer] += count

    def tallies_of(margin: tuple[str, str]) -> dict[str, Tally]:
        got = answered[margin]
        return {
            item_id: Tally(
                yes=got[item_id, Answer.YES.value],
                no=got[item_id, Answer.NO.value],
                not_applicable=got[item_id, Answer.NOT_APPLICABLE.value],
                applicable=applicable[margin][item_id],
            )
            for item_id in rubric.items
        }

    breakdowns: Breakdowns = {a: ({}, {}) for a in attributes}
    for (a, value), n in cases.items():
        if (a, value) != EVERY_CASE:
            breakdowns[a][0][value] = n
            breakdowns[a][1][value] = tallies_of((a, value))
    return cases[EVERY_CASE], tallies_of(EVERY_CASE), breakdowns
