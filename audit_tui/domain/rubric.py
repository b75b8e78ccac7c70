"""The rubric model: a framework (standards, key questions, prompts, indicators, bands) as plain data.

Pydantic does the shape checks (types, unknown fields); `audit_tui.domain.loader` adds the checks
that span items (ids, bands, applicability) and turns both into one problem per line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from audit_tui.domain.ratings import rank_of

Source = Literal["T", "P", "R"]
"""How sure we are of a fact: printed in the report (T), press releases (P), recalled rules (R)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


PLAN_PERCENT = 50.0
"""Where a sample plan is read when the rubric does not say: the textbook planning figure, since
a percentage of 50 has the widest margin, so a size planned at it holds for any other."""


class Scale(_Model):
    """The framework's ratings, best first, as `[scale]` declares them (or as its bands list them,
    in a rubric without one). Screens and reports list ratings in this order and colour and mark
    each by its place (`rank`), never by its name, so the words are the rubric's alone."""

    ratings: tuple[str, ...] = ()
    """Empty for a framework that reports percentages only (no bands, `standard_rule = "none"`)."""
    plan_percent: float = Field(default=PLAN_PERCENT, gt=0, lt=100)
    """The percentage a sample plan is read at: near the band edge a sample must tell apart."""
    source: Source

    def rank(self, rating: str | None) -> int | None:
        """A rating's place counted from the lowest (0) up (`ratings.rank_of`)."""
        return rank_of(self.ratings, rating)

    @property
    def lowest_first(self) -> tuple[str, ...]:
        return self.ratings[::-1]


class Band(_Model):
    rating: str = Field(min_length=1)
    min_percent: float = Field(ge=0, le=100)
    points: int = Field(ge=0)
    source: Source


class OverallBand(_Model):
    rating: str = Field(min_length=1)
    min_score: int = Field(ge=0)
    source: Source


WORD = r"^[^\x00-\x1f\x7f-\x9f]+$"
"""A word or a few, shown inside sentences and headings: one line, not empty."""
WORD_OR_NONE = r"^[^\x00-\x1f\x7f-\x9f]*$"

StandardRule = Literal["lowest_key_question", "all_key_questions", "none"]
"""How a standard is rated: by the band of its lowest key question (HMIP's PDU rule), by the band
of the share of its cases meeting every key question asked of them (`all_key_questions`, as a
local checklist audit rates), or not at all (`none`: a framework such as HMIP's 2025
public-protection inspection reports shares only)."""


class Scoring(_Model):
    """The rubric's scale at each level, any of which may be `none`: `bands` place a key
    question's percentage (empty: not placed), `standard_rule` rates a standard, `overall` turns
    the standards' points into a score and an overall rating (empty: no score)."""

    rounding: Literal["exact", "whole"] = "exact"
    standard_rule: StandardRule = "lowest_key_question"
    bands: tuple[Band, ...] = ()
    overall: tuple[OverallBand, ...] = ()
    shares: bool = False
    """Report, per standard, the share of cases meeting it (the case's key question answered
    Yes) and, across standards, the share of assignments (case x standard) meeting it."""
    standard_noun: str = Field(default="standard", pattern=WORD)
    """What the shares call one standard, as the framework's reports do ("stage" in DIPP's:
    "cases at each stage", "an assignment is one case at one stage")."""
    standard_noun_plural: str = Field(default="", pattern=WORD_OR_NONE)
    """Its plural where an "s" would not make it (empty: the noun and "s")."""
    source: Source

    @property
    def standard_nouns(self) -> str:
        return self.standard_noun_plural or f"{self.standard_noun}s"

    @property
    def edges(self) -> tuple[float, ...]:
        """The percentages where one band gives way to the next: what a bar marks."""
        return tuple(b.min_percent for b in self.bands if b.min_percent > 0)

    @property
    def names_lowest_first(self) -> tuple[str, ...]:
        """The bands' ratings from the lowest band up: one more than there are `edges`."""
        return tuple(b.rating for b in reversed(self.bands))

    @property
    def rated_edges(self) -> tuple[tuple[float, str], ...]:
        """Each edge with the rating that starts there: what a chart labels its lines with."""
        return tuple((b.min_percent, b.rating) for b in self.bands if b.min_percent > 0)


Place = Literal["case_list", "case_header"]
"""Where an attribute is shown beside a case: a column of the dashboard's case list, and the
line at the top of a case being walked."""


class Attribute(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    short_label: str = ""
    """For narrow places (a column heading): "RoSH" for "Risk of serious harm"."""
    values: tuple[str, ...] = Field(min_length=1)
    required: bool = False
    shown_in: tuple[Place, ...] = ()
    guidance: str = ""
    source: Source
    value_words: dict[str, str] = Field(default_factory=dict)
    """How a case with a value reads in a sentence: `{ no = "no pre-sentence report" }`. Says
    why an item does not apply to a case; a value without words reads `Pre-sentence report: no`."""

    @model_validator(mode="after")
    def _words_for_known_values(self) -> Attribute:
        unknown = sorted(set(self.value_words) - set(self.values))
        if unknown:
            raise ValueError(
                f"attribute {self.id}: value_words for {', '.join(unknown)}, not among its "
                f"values ({', '.join(self.values)})"
            )
        return self

    @property
    def column_label(self) -> str:
        return self.short_label or self.label

    def describe(self, value: str | None) -> str:
        """A case's value in words: the rubric's own (`value_words`), else `Label: value`."""
        if value is None or value == "":
            return f"{self.label} not recorded"
        return self.value_words.get(value) or f"{self.label}: {value}"

    def canonical(self, text: str) -> str | None:
        """The declared spelling of a value as people type it (`spellings.match`: any letter
        case, or initials such as `y`); None if not allowed."""
        from audit_tui.domain.spellings import match

        return match(self.values, text)


def admits(rule: Mapping[str, tuple[str, ...]], attributes: Mapping[str, str | None]) -> bool:
    """Whether a case with these attributes meets an `applies_when` rule (each attribute named
    has one of its allowed values)."""
    return all(attributes.get(name) in allowed for name, allowed in rule.items())


class QuestionSet(_Model):
    """A set of key questions (core, adjusted) and the case attribute rule that picks a case's
    set: a key question with `set = ID` applies only to the cases the set's rule admits."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    label: str = Field(min_length=1)
    applies_when: dict[str, tuple[str, ...]] = Field(min_length=1)
    guidance: str = ""
    source: Source

    def asked_of(self, attributes: Mapping[str, str | None]) -> bool:
        """Whether a case with these attributes is asked this set."""
        return admits(self.applies_when, attributes)


class Item(_Model):
    """Anything answered per case: a key question, a prompt or an indicator."""

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    guidance: str = ""
    source: Source
    applies_when: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    reconstructed_from: str = ""
    """Where a question whose published wording could not be read was rebuilt from ("2021 PDU
    framework, 2.4.3"): the app and reports mark it [R], so no one takes it for verbatim."""

    @property
    def shown_text(self) -> str:
        """The text as screens and reports print it: a reconstruction marked `[R]`."""
        return f"[R] {self.text}" if self.reconstructed_from else self.text


class Prompt(Item):
    pass


class KeyQuestion(Item):
    label: str = ""
    set: str | None = None
    """The question set (`[[question_sets]]` id) it belongs to; None: asked of every case."""
    prompts: tuple[Prompt, ...] = ()

    @property
    def shown_label(self) -> str:
        """The short label as tables print it: a reconstruction marked `[R]` here too."""
        return f"[R] {self.label}" if self.label and self.reconstructed_from else self.label


class Indicator(Item):
    label: str = ""
    standard: str | None = None


class Standard(_Model):
    id: str = Field(min_length=1)
    domain: int = Field(ge=1)
    domain_title: str = ""
    title: str = Field(min_length=1)
    headline: str = ""
    method: Literal["cases", "judgement"]
    rated: bool = True
    guidance: str = ""
    source: Source
    applies_when: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    key_questions: tuple[KeyQuestion, ...] = ()


class ItemMapping(_Model):
    """How an earlier rubric's key questions and standards carry over into this one, so an audit
    on this rubric can be compared with an audit on that one. `items` names the ids that moved
    (earlier id = this rubric's id); any other earlier id stands for the same id here, unless it
    is listed in `not_comparable` (the same id now asks something else)."""

    rubric: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    items: dict[str, str] = Field(default_factory=dict)
    not_comparable: tuple[str, ...] = ()


ItemKind = Literal["key_question", "prompt", "indicator"]


class ItemRef(_Model):
    """An answerable item with where it sits, flattened for lookups and CSV columns."""

    item: KeyQuestion | Prompt | Indicator
    kind: ItemKind
    standard_id: str | None
    key_question_id: str | None
    applies_when: dict[str, tuple[str, ...]]

    @property
    def id(self) -> str:
        return self.item.id


class Rubric(_Model):
    schema_: int = Field(alias="schema", ge=1, le=1)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    publisher: str = ""
    description: str = ""
    source: Source
    declared_scale: Scale | None = Field(default=None, alias="scale")
    scoring: Scoring
    attributes: tuple[Attribute, ...] = ()
    question_sets: tuple[QuestionSet, ...] = ()
    standards: tuple[Standard, ...]
    indicators: tuple[Indicator, ...] = ()
    maps_from: tuple[ItemMapping, ...] = ()
    nested_ids: bool = True
    """Key question ids start with their standard's id and a dot (2.2.1 under 2.2), as HMIP's
    PDU framework numbers them; false for a framework numbered otherwise (DIPP's C1 and A1)."""

    @cached_property
    def items(self) -> dict[str, ItemRef]:
        """Every answerable item by id, in walk order: per standard its key questions' prompts then
        the key question itself (the overall judgement comes last), then the indicators."""
        out: dict[str, ItemRef] = {}
        sets = self.question_sets_by_id
        for st in self.standards:
            for kq in st.key_questions:
                chosen = sets[kq.set].applies_when if kq.set in sets else {}
                inherited = {**st.applies_when, **chosen, **kq.applies_when}
                for pr in kq.prompts:
                    out[pr.id] = ItemRef(
                        item=pr,
                        kind="prompt",
                        standard_id=st.id,
                        key_question_id=kq.id,
                        applies_when={**inherited, **pr.applies_when},
                    )
                out[kq.id] = ItemRef(
                    item=kq,
                    kind="key_question",
                    standard_id=st.id,
                    key_question_id=kq.id,
                    applies_when=inherited,
                )
        for ind in self.indicators:
            out[ind.id] = ItemRef(
                item=ind,
                kind="indicator",
                standard_id=ind.standard,
                key_question_id=None,
                applies_when=dict(ind.applies_when),
            )
        return out

    @cached_property
    def scale(self) -> Scale:
        """The `[scale]` the file declares; without one, its bands' ratings in their order (highest
        first), so a rubric written before scales were declared reads as it always did."""
        if self.declared_scale is not None:
            return self.declared_scale
        return Scale(
            ratings=tuple(b.rating for b in self.scoring.bands), source=self.scoring.source
        )

    @cached_property
    def column_order(self) -> list[str]:
        """Item ids in the order a spreadsheet lists them: key question, then its prompts."""
        cols: list[str] = []
        for st in self.standards:
            for kq in st.key_questions:
                cols.append(kq.id)
                cols.extend(p.id for p in kq.prompts)
        cols.extend(i.id for i in self.indicators)
        return cols

    @cached_property
    def attributes_by_id(self) -> dict[str, Attribute]:
        return {a.id: a for a in self.attributes}

    def attributes_shown_in(self, place: Place) -> tuple[Attribute, ...]:
        """The attributes the rubric shows in `place`. A rubric that says nothing (one written
        before it could) shows its required attributes in the list and all in the header."""
        if any(a.shown_in for a in self.attributes):
            return tuple(a for a in self.attributes if place in a.shown_in)
        if place == "case_list":
            return tuple(a for a in self.attributes if a.required)
        return self.attributes

    @cached_property
    def standards_by_id(self) -> dict[str, Standard]:
        return {s.id: s for s in self.standards}

    @cached_property
    def question_sets_by_id(self) -> dict[str, QuestionSet]:
        return {q.id: q for q in self.question_sets}

    @property
    def has_ratings(self) -> bool:
        """Whether standards are rated at all (False: percentages and shares only)."""
        return self.scoring.standard_rule != "none"

    @property
    def rates_by_cases(self) -> bool:
        """Whether a standard is rated by the share of its cases meeting every key question
        (`all_key_questions`), each case's answers taken together, not by its lowest one."""
        return self.scoring.standard_rule == "all_key_questions"

    @property
    def has_score(self) -> bool:
        """Whether rated standards add up to a score and an overall rating."""
        return self.has_ratings and bool(self.scoring.overall)

    def mapping_from(self, rubric_id: str) -> ItemMapping | None:
        """What this rubric declares about an earlier one (None: nothing)."""
        return next((m for m in self.maps_from if m.rubric == rubric_id), None)

    @property
    def rated_standards(self) -> Iterator[Standard]:
        return (s for s in self.standards if s.rated and self.has_ratings)

    @cached_property
    def score_max(self) -> int:
        """Zero for a rubric without a score (`has_score` says which)."""
        if not self.has_score or not self.scoring.bands:
            return 0
        top = max(b.points for b in self.scoring.bands)
        return top * sum(1 for _ in self.rated_standards)

    @cached_property
    def rule_attributes(self) -> tuple[str, ...]:
        """The case attributes that decide whether some item applies (for HMIP: has_psr)."""
        return tuple(sorted({name for ref in self.items.values() for name in ref.applies_when}))

    @cached_property
    def key_question_ids(self) -> frozenset[str]:
        """The items ratings, scores and progress rest on: a view that shows only those (the
        audit list, the regional view) counts the answers to these alone, a quarter of them."""
        return frozenset(kq.id for st in self.standards for kq in st.key_questions)

    @cached_property
    def items_by_rule(self) -> tuple[tuple[dict[str, tuple[str, ...]], tuple[str, ...]], ...]:
        """The items grouped by their `applies_when` rule, each rule once: counting which cases
        an item applies to then costs one pass per rule (a handful), not one per item (70)."""
        grouped: dict[tuple[tuple[str, tuple[str, ...]], ...], list[str]] = {}
        for item_id, ref in self.items.items():
            grouped.setdefault(tuple(sorted(ref.applies_when.items())), []).append(item_id)
        return tuple((dict(rule), tuple(ids)) for rule, ids in grouped.items())

    @cached_property
    def _applicable_cache(self) -> dict[tuple[str | None, ...], frozenset[str]]:
        return {}

    def applicable_ids(self, attributes: Mapping[str, str | None]) -> frozenset[str]:
        """The items that apply to a case; cached per combination of the deciding attributes,
        so checking a 10,000-case import costs a set lookup per cell."""
        key = tuple(attributes.get(name) for name in self.rule_attributes)
        cache = self._applicable_cache
        if key not in cache:
            cache[key] = frozenset(i for i in self.items if self.applies(i, attributes))
        return cache[key]

    def applicable_count(self, attributes: Mapping[str, str | None]) -> int:
        return len(self.applicable_ids(attributes))

    def why_not_applies(self, item_id: str, attributes: Mapping[str, str | None]) -> str:
        """Why an item does not apply to a case, in the rubric's words: `no pre-sentence
        report` (empty where it applies)."""
        rule = self.items[item_id].applies_when
        declared = {a.id: a for a in self.attributes}
        reasons = [
            declared[name].describe(attributes.get(name))
            if name in declared
            else f"{name} is not {' or '.join(allowed)}"
            for name, allowed in rule.items()
            if attributes.get(name) not in allowed
        ]
        return "; ".join(reasons)

    def applies(self, item_id: str, attributes: Mapping[str, str | None]) -> bool:
        """Whether an item applies to a case with these attributes (court work needs a PSR)."""
        return admits(self.items[item_id].applies_when, attributes)
