"""The case walk's panes, worked out from the rubric and the case's attributes before anything
is drawn: one per case standard (its prompts, then its key question), then the unrated
indicators; each row knows whether it applies to the case and, if not, why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.widgets.item_row import ItemRow

if TYPE_CHECKING:
    from audit_tui.domain.rubric import Rubric


class Section:
    """A pane of the walk: one case standard, or the unrated indicators."""

    def __init__(self, index: int, key: str, title: str, headline: str) -> None:
        self.index, self.key, self.title, self.headline = index, key, title, headline
        self.rows: list[ItemRow] = []

    @property
    def applicable(self) -> list[ItemRow]:
        return [r for r in self.rows if r.applies]

    @property
    def why_not(self) -> str:
        """Why none of it applies, in the rubric's words ("no pre-sentence report")."""
        return next((r.why_not for r in self.rows if not r.applies and r.why_not), "")


def build_sections(rubric: Rubric, attributes: dict[str, str]) -> list[Section]:
    sections: list[Section] = []
    for st in rubric.standards:
        if st.method != "cases":
            continue
        # rubric text: an audit's snapshot of it is stored text like any other
        sec = Section(len(sections), st.id, one_line(f"{st.id} {st.title}"), one_line(st.headline))
        for kq in st.key_questions:
            if _other_set(rubric, kq.set, attributes):
                continue
            for item in (*kq.prompts, kq):
                applies = rubric.applies(item.id, attributes)
                why = rubric.why_not_applies(item.id, attributes)
                kind = "key_question" if item is kq else "prompt"
                sec.rows.append(
                    ItemRow(
                        item.id,
                        item.shown_text,
                        kind,
                        applies=applies,
                        why_not=why,
                        section=sec.index,
                    )
                )
        sections.append(sec)
    if rubric.indicators:
        sec = Section(
            len(sections),
            "indicators",
            "Other findings",
            "Case-level findings reported, not rated.",
        )
        for ind in rubric.indicators:
            applies = rubric.applies(ind.id, attributes)
            sec.rows.append(
                ItemRow(
                    ind.id,
                    ind.shown_text,
                    "indicator",
                    applies=applies,
                    why_not=rubric.why_not_applies(ind.id, attributes),
                    section=sec.index,
                    heading=ind.label or ind.id,
                )
            )
        sections.append(sec)
    return sections


def _other_set(rubric: Rubric, set_id: str | None, attributes: dict[str, str]) -> bool:
    """Whether a key question belongs to a question set this case was not given (its deciding
    attributes recorded, and not the set's): the other set is a choice made, not items to skip.
    While they are not recorded, every set shows, each saying why it does not apply."""
    chosen = rubric.question_sets_by_id.get(set_id or "")
    if chosen is None or any(not attributes.get(name) for name in chosen.applies_when):
        return False
    return not chosen.asked_of(attributes)


def case_facts(rubric: Rubric, attributes: dict[str, str]) -> str:
    """The attributes the rubric shows beside a case, e.g. `Sentence: Community · PSR: Yes ·
    Male`: named by their short label where they have one (a bare "Yes" says nothing)."""
    from audit_tui.domain.words import value_label

    facts = []
    for attr in rubric.attributes_shown_in("case_header"):
        value = attributes.get(attr.id)
        if value is not None:
            label = value_label(value)
            facts.append(f"{attr.short_label}: {label}" if attr.short_label else label)
    return one_line(" · ".join(facts))  # stored values: any tool may have written them
