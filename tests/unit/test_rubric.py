"""The shipped rubric, and what loading a broken one says: the file and the path of the bad item."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audit_tui.cli import main
from audit_tui.domain.errors import RubricError
from audit_tui.domain.loader import load_rubric_file, parse_rubric
from audit_tui.domain.registry import discover
from audit_tui.domain.rubric import Rubric
from audit_tui.paths import shipped_rubric_dir
from audit_tui.store.repository import Repository
from tests.support.paths import RUBRICS


def test_shipped_rubric_shape(rubric: Rubric) -> None:
    assert rubric.id == "hmip-probation-pdu-2021"
    assert [s.id for s in rubric.standards] == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "2.1",
        "2.2",
        "2.3",
        "2.4",
        "2.5",
        "2.6",
    ]
    assert [s.id for s in rubric.standards if not s.rated] == ["2.6"]
    assert [s.id for s in rubric.standards if s.method == "judgement"] == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
    ]
    kqs = [k.id for s in rubric.standards for k in s.key_questions]
    assert kqs == [
        "2.1.1",
        "2.2.1",
        "2.2.2",
        "2.2.3",
        "2.3.1",
        "2.3.2",
        "2.3.3",
        "2.4.1",
        "2.4.2",
        "2.4.3",
        "2.5.1",
        "2.5.2",
        "2.5.3",
        "2.6.1",
    ]
    prompts = {k.id: [p.id for p in k.prompts] for s in rubric.standards for k in s.key_questions}
    assert prompts["2.2.3"] == ["2.2.3.a", "2.2.3.b", "2.2.3.c"]
    assert len(prompts["2.3.3"]) == 5
    assert "ind.oversight" in {i.id for i in rubric.indicators}
    assert rubric.scoring.rounding == "exact"


def test_every_item_has_text_guidance_and_a_source(rubric: Rubric) -> None:
    for ref in rubric.items.values():
        assert ref.item.text and ref.item.guidance, ref.id
        assert ref.item.source in {"T", "P", "R"}
    assert all(s.headline and s.source for s in rubric.standards)


def test_court_work_applies_only_with_a_psr(rubric: Rubric) -> None:
    with_psr = {"has_psr": "yes", "sentence_type": "community"}
    without = {"has_psr": "no", "sentence_type": "community"}
    assert rubric.applies("2.1.1", with_psr) and rubric.applies("2.1.1.c", with_psr)
    assert not rubric.applies("2.1.1", without) and not rubric.applies("2.1.1.g", without)
    assert rubric.applies("2.2.1", without)


def test_why_an_item_does_not_apply_reads_in_the_rubrics_words(
    rubric: Rubric, rubric_text: str
) -> None:
    """`value_words` names the case's condition; without them, the attribute's label and value."""
    without = {"has_psr": "no", "sentence_type": "community"}
    assert rubric.why_not_applies("2.1.1.g", without) == "no pre-sentence report"
    assert rubric.why_not_applies("2.1.1", {}) == "Pre-sentence report not recorded"
    assert rubric.why_not_applies("2.2.1", without) == ""
    plain = parse_rubric(
        rubric_text.replace(
            'value_words = { yes = "a pre-sentence report", no = "no pre-sentence report" }', ""
        ),
        "plain.toml",
    )
    assert plain.why_not_applies("2.1.1", without) == "Pre-sentence report: no"
    with pytest.raises(RubricError, match="value_words for maybe"):
        parse_rubric(
            rubric_text.replace('no = "no pre-sentence', 'maybe = "no pre-sentence'), "x.toml"
        )


def test_walk_order_puts_prompts_before_their_key_question(rubric: Rubric) -> None:
    order = list(rubric.items)
    assert order.index("2.2.3.c") < order.index("2.2.3") < order.index("2.3.1.a")


def _broken(rubric_text: str, old: str, new: str, tmp_path: Path) -> Path:
    assert old in rubric_text
    path = tmp_path / "broken.toml"
    path.write_text(rubric_text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'id = "2.2.3"',
            'id = "2.3.9"',
            'standards["2.2"].key_questions["2.3.9"].id: key question id must start with "2.2."',
        ),
        ('id = "2.2.3.b"', 'id = "2.2.3.a"', 'prompts["2.2.3.a"].id: id "2.2.3.a" is already used'),
        (
            'applies_when = { has_psr = ["yes"] }',
            'applies_when = { has_psr = ["maybe"] }',
            '"maybe" is not a value of has_psr',
        ),
        (
            'applies_when = { has_psr = ["yes"] }',
            'applies_when = { psr = ["yes"] }',
            "applies_when.psr: unknown case attribute",
        ),
        ('method = "judgement"', 'method = "vibes"', 'standards["1.1"].method: Input should be'),
        ("min_percent = 65", "min_percent = 85", "scoring.bands: list bands highest first"),
        (
            'rounding = "exact"',
            'rounding = "exact"\ncolour = "red"',
            "scoring.colour: unknown field",
        ),
        (
            '"Good", "Requires improvement", "Inadequate"]',
            '"Good", "Inadequate"]',
            'scoring.bands[2].rating: "Requires improvement" is not a rating of the scale'
            " (Outstanding, Good, Inadequate)",
        ),
        (
            'ratings = ["Outstanding", "Good",',
            'ratings = ["Good", "Outstanding",',
            "scoring.overall: list ratings in the scale's order, best first",
        ),
        ('"Requires improvement", "Inadequate"]', '"Good", "Inadequate"]', "scale.ratings: each"),
        ("plan_percent = 70", "plan_percent = 100", "scale.plan_percent: Input should be less"),
        (
            'ratings = ["Outstanding",',
            'ratings = ["Outstanding\\u001b[2J",',
            "scale.ratings[0]: Outstanding\\x1b[2J holds a control character",
        ),
    ],
)
def test_broken_rubric_names_file_and_item(
    rubric_text: str, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = _broken(rubric_text, old, new, tmp_path)
    with pytest.raises(RubricError) as info:
        load_rubric_file(path)
    lines = str(info.value).splitlines()
    at = re.compile(rf"{re.escape(str(path))}:\d+: ")  # the file, then the line
    assert any(at.match(line) and expected in line for line in lines), lines


def test_not_toml_and_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("id = [unclosed\n")
    with pytest.raises(RubricError, match=r"bad.toml: not valid TOML"):
        load_rubric_file(bad)
    bad.write_bytes(b"id = '\xff\xfe'\n")
    with pytest.raises(RubricError, match=r"bad.toml: not UTF-8"):
        load_rubric_file(bad)
    with pytest.raises(RubricError, match=r"missing.toml: cannot read"):
        load_rubric_file(tmp_path / "missing.toml")


def test_a_user_copy_overrides_and_extra_files_add(rubric_text: str, tmp_path: Path) -> None:
    user = tmp_path / "rubrics"
    user.mkdir()
    (user / "edited.toml").write_text(
        rubric_text.replace('version = "2021.1"', 'version = "2021.1-local"')
    )
    extra = tmp_path / "other.toml"
    extra.write_text(
        rubric_text.replace('id = "hmip-probation-pdu-2021"', 'id = "local-spo-check"')
    )
    cat = discover([shipped_rubric_dir(), user], [extra])
    assert cat.rubrics["hmip-probation-pdu-2021"].rubric.version == "2021.1-local"
    assert "local-spo-check" in cat.rubrics and not cat.problems


def test_rubrics_command(
    capsys: pytest.CaptureFixture[str], rubric_text: str, tmp_path: Path
) -> None:
    assert main(["rubrics"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [  # both shipped frameworks, by id
        "hmip-dipp-2025\t2025.1\tHMIP dynamic inspection of public protection (DIPP, 2025)",
        "hmip-probation-pdu-2021\t2021.1\tHMIP adult probation PDU inspection (2021 framework)",
    ]
    broken = _broken(rubric_text, "min_percent = 65", 'min_percent = "high"', tmp_path)
    assert main(["--rubric-file", str(broken), "rubrics"]) == 1
    captured = capsys.readouterr()
    assert "hmip-probation-pdu-2021" in captured.out
    assert captured.err.strip().splitlines() == [
        f"audit-tui: error: {broken}:34: scoring.bands[1].min_percent: "
        "Input should be a valid number, unable to parse string as a number"
    ]


def test_rubric_parses_identically_twice(rubric_text: str) -> None:
    assert parse_rubric(rubric_text, "a") == parse_rubric(rubric_text, "b")


def test_the_scale_is_the_rubrics_own(rubric: Rubric) -> None:
    """`[scale]` names the ratings, best first, and where a plan is read; places count up from
    the lowest, so a scale's lowest rating looks the same in every framework."""
    assert rubric.scale.ratings == ("Outstanding", "Good", "Requires improvement", "Inadequate")
    assert rubric.scale.plan_percent == 70
    assert [rubric.scale.rank(r) for r in rubric.scale.ratings] == [3, 2, 1, 0]
    assert rubric.scale.rank(None) is None and rubric.scale.rank("Excellent") is None
    assert rubric.scoring.names_lowest_first == rubric.scale.lowest_first


@pytest.mark.parametrize("name", ["local-youth-check.toml", "local-youth-check-2.toml"])
def test_a_rubric_without_a_scale_reads_it_from_its_bands(name: str) -> None:
    youth = load_rubric_file(RUBRICS / name)
    assert youth.declared_scale is None
    assert youth.scale.ratings == ("Good", "Requires improvement", "Inadequate")
    assert youth.scale.rank("Good") == 2 and youth.scale.rank("Inadequate") == 0
    assert youth.scale.plan_percent == 50  # the textbook figure, not a framework's


def _without_scale(rubric_text: str) -> str:
    """The shipped text as an audit stored it before `[scale]` existed."""
    start = rubric_text.index("[scale]")
    end = rubric_text.index("[scoring]")
    return rubric_text[:start] + rubric_text[end:]


def test_a_stored_rubric_from_before_scales_reads_its_frameworks_scale(rubric_text: str) -> None:
    """An audit made before `[scale]` (its snapshot has none) plans at its framework's figure,
    as it did then, not the textbook 50: the shipped rubric of the same id and version says."""
    old = parse_rubric(_without_scale(rubric_text), 'audit "a" rubric snapshot')
    assert old.declared_scale is not None and old.scale.plan_percent == 70
    assert old.scale == parse_rubric(rubric_text).scale
    other = _without_scale(rubric_text).replace('version = "2021.1"', 'version = "local-1"', 1)
    assert parse_rubric(other).declared_scale is None  # another version: its bands alone say
    assert parse_rubric(other).scale.plan_percent == 50


def test_a_stored_rubric_from_before_scales_plans_as_before_in_the_store(
    rubric_text: str, sqlite_repo: Repository
) -> None:
    from audit_tui.store import audits

    audits.create_audit(sqlite_repo, "old", _without_scale(rubric_text))
    assert audits.open_audit(sqlite_repo, "old").rubric.scale.plan_percent == 70


def test_a_framework_with_other_words(rubric_text: str, tmp_path: Path) -> None:
    """Five ratings of its own: bands and overall ratings name them, screens rank them."""
    text = rubric_text
    for old, new in (
        ("Outstanding", "Excellent"),
        ("Requires improvement", "Fair"),
        ("Inadequate", "Poor"),
    ):
        text = text.replace(f'"{old}"', f'"{new}"')
    text = text.replace('"Fair", "Poor"]', '"Fair", "Poor", "Failing"]')
    path = tmp_path / "other.toml"
    path.write_text(text, encoding="utf-8")
    other = load_rubric_file(path)
    assert other.scale.ratings == ("Excellent", "Good", "Fair", "Poor", "Failing")
    assert [b.rating for b in other.scoring.bands] == ["Excellent", "Good", "Fair", "Poor"]
    assert other.scale.rank("Failing") == 0 and other.scale.rank("Excellent") == 4


def test_a_snapshot_shared_by_many_audits_is_parsed_once_and_errors_name_each_origin(
    rubric_text: str,
) -> None:
    """1,000 audits of one framework hold one text: parsed once, whatever audit names it."""
    first = parse_rubric(rubric_text, 'audit "a" rubric snapshot')
    assert all(
        parse_rubric(rubric_text, f'audit "{n}" rubric snapshot') is first for n in range(100)
    )
    broken = rubric_text.replace('id = "', 'id = 7 #"', 1)
    for name in ("x", "y"):
        with pytest.raises(RubricError) as caught:
            parse_rubric(broken, f'audit "{name}" rubric snapshot')
        assert {p.file for p in caught.value.problems} == {f'audit "{name}" rubric snapshot'}


def test_a_stored_dipp_rubric_from_before_its_word_still_says_stage() -> None:
    """A DIPP audit made before the rubric named its standards "stages" (its snapshot names
    none) reads the word its framework now states; another version, or a rubric that names its
    own, keeps its own."""
    text = (shipped_rubric_dir() / "hmip-dipp-2025.toml").read_text(encoding="utf-8")
    line = 'standard_noun = "stage"  # what DIPP\'s reports call a standard in their shares\n'
    old = text.replace(line, "")
    assert old != text
    assert parse_rubric(text).scoring.standard_nouns == "stages"
    assert parse_rubric(old).scoring.standard_noun == "stage"
    other = old.replace('version = "2025.1"', 'version = "local-1"', 1)
    assert parse_rubric(other).scoring.standard_noun == "standard"
    own = text.replace(line, 'standard_noun = "step"\n')
    assert parse_rubric(own).scoring.standard_nouns == "steps"
