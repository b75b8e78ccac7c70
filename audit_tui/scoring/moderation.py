"""What a moderation found: agreement between first and second marks at every level, the ratings
each set of marks gives over the moderated cases, the disagreements and how many are settled,
and each marker's agreement round by round.

Pure: the store hands over the moderated cases (only those the second marker completed), with
both marks as they were moderated. A settled disagreement compares the marks it settled, not
the agreed answer that has since replaced the first mark.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from audit_tui.domain.rubric import Rubric
from audit_tui.domain.words import plural
from audit_tui.scoring.agreement import CATEGORIES, Agreement, agreement
from audit_tui.scoring.results import AuditResult, Tally, score_audit
from audit_tui.scoring.verdicts import CaseVerdicts


@dataclass(frozen=True)
class Mark:
    value: str | None
    note: str = ""


@dataclass(frozen=True)
class Settled:
    """A disagreement settled: both marks as they stood, and the answer agreed."""

    first: str | None
    second: str | None
    agreed: str | None
    reason: str
    by: str
    at: datetime | None = None


@dataclass(frozen=True)
class RoundInfo:
    number: int
    marker: str
    rule: str
    seed: int | None
    created_at: datetime | None
    created_by: str
    cases: int
    completed: int


@dataclass(frozen=True)
class ModeratedCase:
    """One case of a round, marked by both markers (the second marker completed it)."""

    round: int
    case_ref: str
    first_marker: str
    second_marker: str
    attributes: Mapping[str, str]
    first: Mapping[str, Mark]
    second: Mapping[str, Mark]
    settled: Mapping[str, Settled] = field(default_factory=dict)

    def pair(self, item_id: str) -> tuple[str, str] | None:
        """(first, second) for an item both markers answered, as moderated; else None."""
        settled = self.settled.get(item_id)
        if settled is not None:
            first, second = settled.first, settled.second
        else:
            given, other = self.first.get(item_id), self.second.get(item_id)
            first = given.value if given is not None else None
            second = other.value if other is not None else None
        return (first, second) if first and second else None

    def pairs(self) -> dict[str, tuple[str, str]]:
        """Every item both markers answered (item -> pair): only items with a second mark or a
        settlement can pair, so those are all that is looked at."""
        found = {}
        for item in {*self.second, *self.settled}:
            pair = self.pair(item)
            if pair is not None and pair[0] in CATEGORIES and pair[1] in CATEGORIES:
                found[item] = pair
        return found

    def marks(self, side: int) -> dict[str, str]:
        """One marker's answers as moderated (0: the first, 1: the second)."""
        given = self.first if side == 0 else self.second
        found = {item: mark.value for item, mark in given.items() if mark.value}
        for item, settled in self.settled.items():
            value = settled.first if side == 0 else settled.second
            if value:
                found[item] = value
            else:
                found.pop(item, None)
        return found


@dataclass(frozen=True)
class Level:
    """Agreement over one group of items: a prompt, a key question, a standard, or everything."""

    id: str
    title: str
    agreement: Agreement


@dataclass(frozen=True)
class StandardLevel(Level):
    first_rating: str | None = None
    second_rating: str | None = None
    rated: bool = True

    @property
    def differs(self) -> bool:
        return self.rated and self.first_rating != self.second_rating


@dataclass(frozen=True)
class PairLevel(Level):
    """Agreement between one first marker and one second marker, over every case they shared."""

    first: str = ""
    second: str = ""


@dataclass(frozen=True)
class Disagreement:
    round: int
    case_ref: str
    item_id: str
    first_marker: str
    second_marker: str
    first: Mark
    second: Mark
    settled: Settled | None = None
    item_text: str = ""
    """The item in the rubric's words: a key question's or finding's label, else its question."""


@dataclass(frozen=True)
class MarkerRound:
    """One marker's agreement with the other marker in one round they took part in."""

    marker: str
    round: int
    at: datetime | None
    role: str
    """"first" (their marks were checked) or "second" (they did the checking)."""
    agreement: Agreement


@dataclass(frozen=True)
class Moderation:
    rounds: tuple[RoundInfo, ...]
    cases: int
    """Moderated cases the second marker completed (a case in two rounds counts twice)."""
    prompts: tuple[Level, ...]
    key_questions: tuple[Level, ...]
    standards: tuple[StandardLevel, ...]
    overall: Level
    pairs: tuple[PairLevel, ...]
    markers: tuple[MarkerRound, ...]
    disagreements: tuple[Disagreement, ...]

    @property
    def settled(self) -> int:
        return sum(1 for d in self.disagreements if d.settled is not None)

    @property
    def ratings_differ(self) -> tuple[StandardLevel, ...]:
        return tuple(s for s in self.standards if s.differs)


def moderate(
    rubric: Rubric, rounds: Sequence[RoundInfo], cases: Sequence[ModeratedCase]
) -> Moderation:
    """Every figure of the moderation section, from the completed moderated cases (each case's
    pairs are read once, then grouped by item, standard, marker pair and marker)."""
    paired = [(case, case.pairs()) for case in cases]
    by_item: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for _case, pairs in paired:
        for item, pair in pairs.items():
            by_item[item].append(pair)
    prompts, key_questions, standards = [], [], []
    everything: list[tuple[str, str]] = []
    for st in rubric.standards:
        in_standard: list[tuple[str, str]] = []
        for kq in st.key_questions:
            key_questions.append(Level(kq.id, kq.text, agreement(by_item[kq.id])))
            in_standard += by_item[kq.id]
            for prompt in kq.prompts:
                prompts.append(Level(prompt.id, prompt.text, agreement(by_item[prompt.id])))
                in_standard += by_item[prompt.id]
        everything += in_standard
        standards.append((st, in_standard))
    for indicator in rubric.indicators:
        everything += by_item[indicator.id]
    first_result, second_result = _ratings(rubric, cases)
    first_by_id = {s.id: s for s in first_result.standards}
    second_by_id = {s.id: s for s in second_result.standards}
    standard_levels = tuple(
        StandardLevel(
            st.id,
            st.title,
            agreement(pairs),
            first_rating=first_by_id[st.id].rating,
            second_rating=second_by_id[st.id].rating,
            rated=first_by_id[st.id].rated and st.method == "cases",
        )
        for st, pairs in standards
        if st.key_questions
    )
    by_pair: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for case, pairs in paired:
        by_pair[case.first_marker, case.second_marker] += pairs.values()
    return Moderation(
        rounds=tuple(rounds),
        cases=len(cases),
        prompts=tuple(prompts),
        key_questions=tuple(key_questions),
        standards=standard_levels,
        overall=Level("overall", "Every item of every moderated case", agreement(everything)),
        pairs=tuple(
            PairLevel(
                f"{first} → {second}",
                f"{first} marked first, {second} second",
                agreement(p),
                first=first,
                second=second,
            )
            for (first, second), p in sorted(by_pair.items())
        ),
        markers=_markers(rounds, paired),
        disagreements=_disagreements(rubric, paired),
    )


def reading(a: Agreement) -> str:
    """Which coefficient to read, and why, in words."""
    if a.too_few or a.observed is None or a.ac1 is None:
        return (
            f"{plural(a.n, 'item')} answered by both markers: fewer than 10, so"
            " no statistic is meaningful yet."
        )
    word, share = prevalence(a)
    strength = strength_of(a.ac1)
    if share >= HIGH_PREVALENCE:
        kappa = "undefined" if a.kappa is None else f"{a.kappa:.2f}"
        return (
            f"{share:.0%} of answers are {word}: kappa ({kappa}) is held down by that"
            f" prevalence, not by disagreement; read AC1 ({a.ac1:.2f}, {strength})."
        )
    return (
        f"Answers are spread across categories, so kappa and AC1 tell the same story;"
        f" AC1 {a.ac1:.2f} ({strength})."
    )


HIGH_PREVALENCE = 0.8
"""From this share of one answer, kappa is held down by chance agreement: read AC1."""


def which(a: Agreement) -> str:
    """Which coefficient to read, in a table cell: `AC1 (94% Yes)` where one answer prevails
    (kappa paradox), `kappa or AC1` where answers are spread; "—" with too few items."""
    if a.too_few:
        return "—"
    word, share = prevalence(a)
    return f"AC1 ({share:.0%} {word})" if share >= HIGH_PREVALENCE else "kappa or AC1"


def prevalence(a: Agreement) -> tuple[str, float]:
    """The commonest answer over both markers, and its share of their answers."""
    share: Counter[str] = Counter()
    for (first, second), count in a.table.items():
        share[first] += count
        share[second] += count
    if not a.n:
        return "yes", 0.0
    value, count = share.most_common(1)[0]
    return {"yes": "Yes", "no": "No", "na": "N/A"}[value], count / (2 * a.n)


def strength_of(value: float) -> str:
    """Landis and Koch's words for a chance-corrected coefficient."""
    for edge, word in ((0.8, "almost perfect"), (0.6, "substantial"), (0.4, "moderate"),
                       (0.2, "fair"), (0.0, "slight")):  # fmt: skip
        if value > edge:
            return word
    return "poor"


def _ratings(rubric: Rubric, cases: Sequence[ModeratedCase]) -> tuple[AuditResult, AuditResult]:
    """The audit's scoring run twice over the moderated cases: on the first marks, then on the
    second (each as moderated). Which items apply is counted per set of applicable items."""
    applies = Counter(rubric.applicable_ids(case.attributes) for case in cases)
    applicable: Counter[str] = Counter()
    for items, n in applies.items():
        for item in items:
            applicable[item] += n
    results: list[AuditResult] = []
    for side in (0, 1):
        counted: dict[str, Counter[str]] = defaultdict(Counter)
        for case in cases:
            items = rubric.applicable_ids(case.attributes)
            for item, value in case.marks(side).items():
                if item in items:
                    counted[item][value] += 1
        tallies = {
            item: Tally(
                yes=counted[item]["yes"],
                no=counted[item]["no"],
                not_applicable=counted[item]["na"],
                applicable=applicable[item],
            )
            for item in applicable
        }
        verdicts = CaseVerdicts.count(
            rubric,
            ((i, case.attributes) for i, case in enumerate(cases)),
            (
                (i, item, value)
                for i, case in enumerate(cases)
                for item, value in case.marks(side).items()
            ),
        )
        results.append(score_audit(rubric, "moderation", len(cases), tallies, {}, verdicts.tallies))
    return results[0], results[1]


def _markers(
    rounds: Sequence[RoundInfo], paired: Sequence[tuple[ModeratedCase, dict[str, tuple[str, str]]]]
) -> tuple[MarkerRound, ...]:
    when = {r.number: r.created_at for r in rounds}
    found: dict[tuple[str, int, str], list[tuple[str, str]]] = defaultdict(list)
    for case, pairs in paired:
        found[case.first_marker, case.round, "first"] += pairs.values()
        found[case.second_marker, case.round, "second"] += pairs.values()
    return tuple(
        MarkerRound(marker, number, when.get(number), role, agreement(pairs))
        for (marker, number, role), pairs in sorted(found.items())
    )


def _disagreements(
    rubric: Rubric, paired: Sequence[tuple[ModeratedCase, dict[str, tuple[str, str]]]]
) -> tuple[Disagreement, ...]:
    """In round, case and rubric order."""
    order = {item: i for i, item in enumerate(rubric.column_order)}
    found = []
    for case, pairs in paired:
        differ = sorted((i for i, (a, b) in pairs.items() if a != b), key=lambda i: order.get(i, 0))
        for item in differ:
            found.append(
                Disagreement(
                    round=case.round,
                    case_ref=case.case_ref,
                    item_id=item,
                    first_marker=case.first_marker,
                    second_marker=case.second_marker,
                    first=case.first.get(item) or Mark(None),
                    second=case.second.get(item) or Mark(None),
                    settled=case.settled.get(item),
                    item_text=_item_words(rubric, item),
                )
            )
    return tuple(found)


def _item_words(rubric: Rubric, item_id: str) -> str:
    ref = rubric.items.get(item_id)
    if ref is None:
        return ""
    return getattr(ref.item, "label", "") or ref.item.text
