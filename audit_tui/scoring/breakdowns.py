"""Key questions broken down by a case attribute (gender, sentence type, risk level…).

Small groups are suppressed: a percentage of three cases says little and may point at a person.
Suppression is complementary: the report gives each key question's total, so a row with one
figure withheld would give it away by subtraction (the total less the groups shown); the next
smallest figure of that row is withheld with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
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
    withheld: frozenset[str] = frozenset()
    """Figures withheld though big enough, so that a withheld one cannot be worked out from
    the key question's total (complementary suppression: `build_breakdown`)."""

    def too_few(self, item_id: str) -> bool:
        """Its group, or its own relevant cases, are too few to show; no relevant case at all
        in a group big enough is shown as such (there is nothing to withhold)."""
        relevant = self.items[item_id].relevant
        return self.suppressed or 0 < relevant < self.min_group

    def hides(self, item_id: str) -> bool:
        """A figure is withheld when it is too few cases, or would give one away."""
        return self.too_few(item_id) or item_id in self.withheld


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
        """Every figure of every group is withheld (or has no relevant case): a table would
        read "suppressed" throughout, so a report or screen says why in one sentence instead
        (a small audit's usual case)."""
        return all(
            g.hides(item_id) or not g.items[item_id].relevant
            for g in self.groups
            for item_id in g.items
        )

    @property
    def gives_away(self) -> bool:
        """Some figure is withheld only because it would give a smaller group's away."""
        return any(g.withheld for g in self.groups)

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
    withheld: dict[str, set[str]] = {g.value: set() for g in groups}
    for kid, _text in kqs:
        for g in _complements(groups, kid):
            withheld[g.value].add(kid)
    label = attr.label if attr else CODE_LABELS[attribute]
    return Breakdown(
        attribute=attribute,
        label=label,
        groups=tuple(replace(g, withheld=frozenset(withheld[g.value])) for g in groups),
    )


def _complements(groups: list[Group], item_id: str) -> list[Group]:
    """The groups whose figure for `item_id` must be withheld with the one too small: when
    exactly one group with relevant cases is too small, the shown group with the fewest
    relevant cases (else the total less the shown groups gives the small one away)."""
    small = [g for g in groups if g.too_few(item_id) and g.items[item_id].relevant]
    shown = [g for g in groups if not g.too_few(item_id) and g.items[item_id].relevant]
    if len(small) != 1 or not shown:
        return []
    return [min(shown, key=lambda g: g.items[item_id].relevant)]
