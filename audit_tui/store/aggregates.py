"""Counting answers for scoring: GROUP BY queries whose small results the scoring package rolls up.

Never loads every answer: the database counts per item (and per attribute value), and which items
apply to which cases is counted per combination of the attributes that decide it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, func, select

from audit_tui.domain.answers import Answer
from audit_tui.domain.records import OpenAudit
from audit_tui.scoring import Tally
from audit_tui.store.models import AnswerRow, CaseRow

CASE = CaseRow.__table__
ANSWER = AnswerRow.__table__


def tallies(engine: Engine, audit: OpenAudit) -> tuple[int, dict[str, Tally]]:
    """(number of cases, per-item tallies) from two GROUP BY queries."""
    rubric = audit.rubric
    used = rubric.rule_attributes
    attr_cols = [CASE.c.attributes[name].as_string() for name in used]
    groups_q = (
        select(*attr_cols, func.count())
        .where(CASE.c.audit_id == audit.info.id)
        .group_by(*attr_cols)
    )
    counts_q = (
        select(ANSWER.c.item_id, ANSWER.c.value, func.count())
        .join(CASE, CASE.c.id == ANSWER.c.case_id)
        .where(CASE.c.audit_id == audit.info.id, ANSWER.c.value.is_not(None))
        .group_by(ANSWER.c.item_id, ANSWER.c.value)
    )
    with engine.connect() as conn:
        groups = [
            (dict(zip(used, row[:-1], strict=True)), row[-1]) for row in conn.execute(groups_q)
        ]
        answered: dict[str, dict[str, int]] = defaultdict(dict)
        for item_id, value, n in conn.execute(counts_q):
            answered[item_id][value] = n
    cases = sum(n for _, n in groups)
    applicable_by_rule: dict[tuple[Any, ...], int] = {}
    out: dict[str, Tally] = {}
    for item_id, ref in rubric.items.items():
        rule_key = tuple(sorted(ref.applies_when.items()))
        if rule_key not in applicable_by_rule:
            applicable_by_rule[rule_key] = sum(
                n for attrs, n in groups if rubric.applies(item_id, attrs)
            )
        got = answered.get(item_id, {})
        out[item_id] = Tally(
            yes=got.get(Answer.YES.value, 0),
            no=got.get(Answer.NO.value, 0),
            not_applicable=got.get(Answer.NOT_APPLICABLE.value, 0),
            applicable=applicable_by_rule[rule_key],
        )
    return cases, out


def breakdown_tallies(
    engine: Engine, audit: OpenAudit, attributes: Sequence[str]
) -> dict[str, tuple[dict[str, int], dict[str, dict[str, Tally]]]]:
    """Per attribute, per value: its number of cases and per-item tallies.

    Two GROUP BY queries for all attributes at once: cases by their attribute values, and
    answers by the same values (read once per case through a materialised CTE, rather than
    once per answer), then each attribute's margins are summed here.
    """
    rubric = audit.rubric
    names = list(dict.fromkeys([*attributes, *rubric.rule_attributes]))

    def value_of(name: str) -> Any:
        return func.coalesce(CASE.c.attributes[name].as_string(), "not recorded").label(
            f"v{names.index(name)}"
        )

    case_cols = [value_of(n) for n in names]
    groups_q = (
        select(*case_cols, func.count())
        .where(CASE.c.audit_id == audit.info.id)
        .group_by(*case_cols)
    )
    per_case = (
        select(CASE.c.id, *[value_of(n) for n in attributes])
        .where(CASE.c.audit_id == audit.info.id)
        .cte("case_values")
        .prefix_with("MATERIALIZED")
    )
    value_cols = [per_case.c[f"v{names.index(n)}"] for n in attributes]
    counts_q = (
        select(*value_cols, ANSWER.c.item_id, ANSWER.c.value, func.count())
        .join(per_case, per_case.c.id == ANSWER.c.case_id)
        .where(ANSWER.c.value.is_not(None))
        .group_by(*value_cols, ANSWER.c.item_id, ANSWER.c.value)
    )
    cases: dict[str, dict[str, int]] = {a: defaultdict(int) for a in attributes}
    applicable: dict[str, dict[str, dict[str, int]]] = {
        a: defaultdict(lambda: defaultdict(int)) for a in attributes
    }
    answered: dict[str, dict[str, dict[str, dict[str, int]]]] = {
        a: defaultdict(lambda: defaultdict(lambda: defaultdict(int))) for a in attributes
    }
    with engine.connect() as conn:
        for *values, n in conn.execute(groups_q):
            attrs = dict(zip(names, values, strict=True))
            applying = [i for i in rubric.items if rubric.applies(i, attrs)]
            for a in attributes:
                cases[a][attrs[a]] += n
                for item_id in applying:
                    applicable[a][attrs[a]][item_id] += n
        for *values, item_id, answer, n in conn.execute(counts_q):
            for a, v in zip(attributes, values, strict=True):
                answered[a][v][item_id][answer] += n
    out = {}
    for a in attributes:
        out[a] = (
            dict(cases[a]),
            {
                value: {
                    item_id: Tally(
                        yes=answered[a][value][item_id][Answer.YES.value],
                        no=answered[a][value][item_id][Answer.NO.value],
                        not_applicable=answered[a][value][item_id][Answer.NOT_APPLICABLE.value],
                        applicable=applicable[a][value][item_id],
                    )
                    for item_id in rubric.items
                }
                for value in cases[a]
            },
        )
    return out
