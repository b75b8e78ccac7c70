"""Which key questions and standards of one audit's rubric are which of another's: the same id on
the same rubric, or as a rubric's `[[maps_from]]` declares for an earlier rubric (renumbered ids,
questions that no longer compare). Without either, two audits cannot be compared at all.

Pure: the rubrics come from the audits' snapshots, so a mapping added to a rubric file later
never changes how existing audits compare.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.rubric import ItemMapping, Rubric


@dataclass(frozen=True)
class Matching:
    """Later id -> earlier id, for the key questions and standards that carry over."""

    key_questions: dict[str, str]
    standards: dict[str, str]
    declared_by: str | None = None
    """The rubric whose `[[maps_from]]` made the match; None on the same rubric."""
    same: bool = False
    """An audit matched with itself: every id stands for itself."""

    def earlier_kq(self, later_id: str) -> str | None:
        return later_id if self.same else self.key_questions.get(later_id)

    def earlier_standard(self, later_id: str) -> str | None:
        return later_id if self.same else self.standards.get(later_id)


def _kq_ids(r: Rubric) -> list[str]:
    return [kq.id for st in r.standards for kq in st.key_questions]


def _same_ids(earlier: Rubric, later: Rubric) -> Matching:
    kqs, sts = set(_kq_ids(earlier)), set(earlier.standards_by_id)
    return Matching(
        key_questions={i: i for i in _kq_ids(later) if i in kqs},
        standards={s.id: s.id for s in later.standards if s.id in sts},
    )


def _mapped(old: Rubric, new: Rubric, m: ItemMapping) -> tuple[dict[str, str], dict[str, str]]:
    """(key questions, standards) as new id -> old id, following `new`'s mapping from `old`.
    An old id the mapping does not name keeps its id, unless that id is taken by a mapped one or
    listed as not comparable; a named id must exist in `old` and be of the same kind."""
    where = f'{new.id}: maps_from["{old.id}"].items'
    problems = [
        f'"{k}": no key question or standard "{k}" in {old.id} {old.version}'
        for k in m.items
        if k not in old.standards_by_id and k not in set(_kq_ids(old))
    ]
    explicit = set(m.items.values())
    out: list[dict[str, str]] = []
    for old_ids, new_ids, kind in (
        (_kq_ids(old), set(_kq_ids(new)), "key question"),
        (list(old.standards_by_id), set(new.standards_by_id), "standard"),
    ):
        pairs: dict[str, str] = {}
        for old_id in old_ids:
            if old_id in m.not_comparable:
                continue
            target = m.items.get(old_id)
            if target is None and old_id in new_ids and old_id not in explicit:
                target = old_id
            if target is None:
                continue
            if target not in new_ids:
                problems.append(f'"{old_id}": a {kind} in {old.id}, but "{target}" is not one here')
                continue
            pairs[target] = old_id
        out.append(pairs)
    if problems:
        raise AuditError([Problem("compare", f"{where}.{p}") for p in problems])
    return out[0], out[1]


def match(earlier: Rubric, later: Rubric) -> Matching | None:
    """How `earlier`'s items stand for `later`'s; None when the rubrics differ and neither maps
    from the other. A mapping declared by either rubric serves (the later one's first), so the
    audits may be given in either order."""
    if earlier.id == later.id:
        return _same_ids(earlier, later)
    forward = later.mapping_from(earlier.id)
    if forward is not None and earlier.mapping_from(later.id) is not None:
        raise AuditError.at(
            "compare",
            f'"{later.id}" and "{earlier.id}" each declare a mapping from the other'
            " ([[maps_from]]): which one matches their questions would depend on the order"
            " the audits are given in; keep the mapping in the later framework only",
        )
    if forward is not None:
        kqs, sts = _mapped(earlier, later, forward)
        return Matching(key_questions=kqs, standards=sts, declared_by=later.id)
    backward = earlier.mapping_from(later.id)
    if backward is not None:
        kqs, sts = _mapped(later, earlier, backward)
        return Matching(
            key_questions={later_id: earlier_id for earlier_id, later_id in kqs.items()},
            standards={later_id: earlier_id for earlier_id, later_id in sts.items()},
            declared_by=earlier.id,
        )
    return None


def unmatched_refusal(earlier: tuple[str, str], later: tuple[str, str]) -> AuditError:
    """One line: which audits, on which rubrics, and why they cannot be set side by side."""
    (a, a_rubric), (b, b_rubric) = earlier, later
    return AuditError.at(
        "compare",
        f'"{a}" ({a_rubric}) and "{b}" ({b_rubric}) use different rubrics and neither declares'
        " a mapping from the other ([[maps_from]]): their key questions cannot be matched",
    )
