"""Key questions broken down by a case attribute (gender, sentence type, risk level…).

Small groups are suppressed: a percentage of three cases says little and may point at a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audit_tui.domain.cases import NOT_RECORDED
from audit_tui.scoring.results import ItemResult, Tally

if TYPE_CHECKING:
    from audit_tui.domain.rubric import Rubric

DEFAULT_MIN_GROUP = 5
CODE_LABELS = {"practitioner": "Practitioner", "team": "Team"}
"""Breakdowns by a case's pseudonymous codes rather than by a rubric attribute."""
CAUTION = (
    "A practitioner's or a team's figures rest on the few cases reviewed: read them as prompts"
    " for supervision, not as a measure of anyone's practice."
)


@dataclass(frozen=True)
class Group:
    value: str
    cases: int
    suppressed: bool
    items: dict[str, ItemResult]
    min_group: int = DEFAULT_MIN_GROUP

    def hides(self, item_id: str) -> bool:
        """A figure is withheld when its group, or its own relevant cases, are too few."""
        return self.suppressed or self.items[item_id].relevant < self.min_group


@dataclass(frozen=True)
class Breakdown:
    attribute: str
    label: str
    groups: tuple[Group, ...]

    @property
    def caution(self) -> str | None:
        """What a reader must hear before reading figures about people or teams."""
        return CAUTION if self.attribute in CODE_LABELS else None

    @property
    def all_suppressed(self) -> bool:
        """Every figure of every group is withheld: a table would read "suppressed" throughout,
        so a report or screen says why in one sentence instead (a small audit's usual case)."""
        return all(g.hides(item_id) for g in self.groups for item_id in g.items)

    @property
    def too_small(self) -> bool:
        """Every group has fewer cases than the minimum (the reason `all_suppressed` usually
        has; otherwise some group is big enough but its questions have too few answers)."""
        return all(g.suppressed for g in self.groups)


def build_breakdown(
    rubric: Rubric,
    attribute: str,
    cases_by_value: Mapping[str, int],
    tallies_by_value: Mapping[str, Mapping[str, Tally]],
    min_group: int = DEFAULT_MIN_GROUP,
) -> Breakdown:
    """Groups in the rubric's order of values, then "not recorded"; key questions only."""
    attr = rubric.attributes_by_id.get(attribute)
    order = [*attr.values] if attr else sorted({*cases_by_value} - {NOT_RECORDED})
    order.append(NOT_RECORDED)
    kqs = [(k.id, k.text) for s in rubric.standards for k in s.key_questions]
    groups = []
    for value in sorted(cases_by_value, key=lambda v: order.index(v) if v in order else len(order)):
        n = cases_by_value[value]
        tallies = tallies_by_value.get(value, {})
        items = {kid: ItemResult.of(kid, text, tallies.get(kid, Tally())) for kid, text in kqs}
        groups.append(
            Group(value=value, cases=n, suppressed=n < min_group, items=items, min_group=min_group)
        )
    label = attr.label if attr else CODE_LABELS[attribute]
    return Breakdown(attribute=attribute, label=label, groups=tuple(groups))
