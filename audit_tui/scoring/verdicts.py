"""Whether each case meets a standard, for a rubric that rates a standard by the share of cases
meeting all of its key questions (`standard_rule = "all_key_questions"`).

Per-item tallies cannot say that: a case meets the standard only when its answers agree, so the
verdict is kept per case, and moved one case at a time as answers are given (a live rating costs
the same at 28 cases as at 10,000).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from audit_tui.domain.answers import Answer
from audit_tui.domain.rubric import Rubric
from audit_tui.scoring.results import Tally

NOT_ASKED = ""
"""The verdict of a case none of whose key questions of the standard apply: it counts nowhere."""
_FIELD = {
    Answer.YES.value: "yes",
    Answer.NO.value: "no",
    Answer.NOT_APPLICABLE.value: "not_applicable",
}


def judged_standards(rubric: Rubric) -> dict[str, tuple[str, ...]]:
    """The standards rated by their cases' verdicts, with their key questions (empty for a
    rubric that rates by the lowest key question)."""
    if not rubric.rates_by_cases:
        return {}
    return {
        st.id: tuple(kq.id for kq in st.key_questions)
        for st in rubric.standards
        if st.method == "cases"
    }


def verdict(asked: Iterable[str], answers: Mapping[str, str]) -> str | None:
    """One case's verdict on a standard from its answers to the key questions asked of it:
    No as soon as one is No; unanswered (None) while one is open; Yes when every one answered
    is Yes; not applicable when all were; `NOT_ASKED` when none applies."""
    values = [answers.get(k) for k in asked]
    if not values:
        return NOT_ASKED
    if Answer.NO.value in values:
        return Answer.NO.value
    if None in values:
        return None
    if Answer.YES.value in values:
        return Answer.YES.value
    return Answer.NOT_APPLICABLE.value


@dataclass
class CaseVerdicts:
    """Each case's verdict on each standard the rubric rates from cases, and their tallies."""

    standards: dict[str, tuple[str, ...]]
    applicable: dict[int, frozenset[str]] = field(default_factory=dict)
    answers: dict[int, dict[str, str]] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=dict)
    _standard_of: dict[str, str] = field(default_factory=dict)

    @classmethod
    def count(
        cls,
        rubric: Rubric,
        cases: Iterable[tuple[int, Mapping[str, str | None]]],
        answers: Iterable[tuple[int, str, str]],
    ) -> CaseVerdicts:
        """Verdicts from the live cases (id, attributes) and their answers (case id, item id,
        value); answers of other items, or of cases not given, are ignored."""
        out = cls(standards=judged_standards(rubric))
        out._standard_of = {k: s for s, kqs in out.standards.items() for k in kqs}
        if not out.standards:
            return out
        for case_id, attributes in cases:
            out.applicable[case_id] = rubric.applicable_ids(attributes)
            out.answers[case_id] = {}
        for case_id, item_id, value in answers:
            marks = out.answers.get(case_id)
            if marks is not None and item_id in out._standard_of:
                marks[item_id] = value
        counted: dict[str, dict[str | None, int]] = {s: {} for s in out.standards}
        applicable: dict[str, int] = dict.fromkeys(out.standards, 0)
        for case_id, marks in out.answers.items():
            for st in out.standards:
                v = verdict(out._asked(case_id, st), marks)
                if v != NOT_ASKED:
                    applicable[st] += 1
                    counted[st][v] = counted[st].get(v, 0) + 1
        out.tallies = {
            st: Tally(
                yes=n.get(Answer.YES.value, 0),
                no=n.get(Answer.NO.value, 0),
                not_applicable=n.get(Answer.NOT_APPLICABLE.value, 0),
                applicable=applicable[st],
            )
            for st, n in counted.items()
        }
        return out

    def _asked(self, case_id: int, standard: str) -> list[str]:
        items = self.applicable[case_id]
        return [k for k in self.standards[standard] if k in items]

    def apply(self, case_id: int, item_id: str, value: str | None) -> None:
        """Move one case's verdict on the standard `item_id` belongs to (if it is judged by
        verdicts at all) as its answer becomes `value` (None: cleared)."""
        st = self._standard_of.get(item_id)
        marks = self.answers.get(case_id)
        if st is None or marks is None:
            return
        asked = self._asked(case_id, st)
        before = verdict(asked, marks)
        if value is None:
            marks.pop(item_id, None)
        else:
            marks[item_id] = value
        after = verdict(asked, marks)
        if before == after:
            return
        tally = self.tallies[st]
        changes: dict[str, int] = {}
        if before:
            changes[_FIELD[before]] = getattr(tally, _FIELD[before]) - 1
        if after:
            changes[_FIELD[after]] = getattr(tally, _FIELD[after]) + 1
        self.tallies[st] = replace(tally, **changes)
