"""Comparing audits on two versions of a rubric: the later rubric's `[[maps_from]]` matches
renumbered key questions and standards, what has no counterpart is listed as not comparable in
every format (never dropped), broken mappings are named one line each, and rubrics with no
mapping either way are still refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit_tui.domain.errors import AuditError, RubricError
from audit_tui.domain.loader import load_rubric_file, parse_rubric
from audit_tui.scoring.matching import match
from audit_tui.store import audits
from tests.support.cli import run
from tests.support.paths import ROOT, RUBRICS

OLD, NEW = RUBRICS / "local-youth-check.toml", RUBRICS / "local-youth-check-2.toml"
CASES = "case_ref,team,tier,in_education\n" + "".join(
    f"Y-{i},north,standard,{'no' if i <= 2 else 'yes'}\n" for i in range(1, 6)
)


def _files(*extra: Path) -> tuple[str, ...]:
    return tuple(arg for path in (OLD, NEW, *extra) for arg in ("--rubric-file", str(path)))


def _audit(
    capsys: pytest.CaptureFixture[str],
    db: tuple[str, ...],
    tmp_path: Path,
    name: str,
    rubric: str,
    answers: str,
) -> None:
    (tmp_path / f"{name}-cases.csv").write_text(CASES, encoding="utf-8")
    (tmp_path / f"{name}-answers.csv").write_text(answers, encoding="utf-8")
    assert run(capsys, *db, "new", name, "--rubric", rubric)[0] == 0
    assert run(capsys, *db, "import-cases", name, str(tmp_path / f"{name}-cases.csv"))[0] == 0
    code, _, err = run(capsys, *db, "import-answers", name, str(tmp_path / f"{name}-answers.csv"))
    assert code == 0, err


@pytest.fixture
def youth_db(sqlite_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """youth-2023 on the first version (A.1 3 of 5, B.1 1 of 2) and youth-2025 on the second
    (the old A.1, now A.2, 5 of 5; the new questions answered too)."""
    db = ("--db", sqlite_target, *_files())
    old = "case_ref,A.1,B.1\nY-1,yes,yes\nY-2,yes,no\nY-3,yes,\nY-4,no,\nY-5,no,\n"
    _audit(capsys, db, tmp_path, "youth-2023", "local-youth-check", old)
    new = "case_ref,A.1,A.2,C.1,D.1\n" + "".join(f"Y-{i},yes,yes,,yes\n" for i in range(1, 6))
    _audit(capsys, db, tmp_path, "youth-2025", "local-youth-check-2", new)
    return sqlite_target


def test_mapped_key_questions_compare_and_the_rest_are_listed_as_not_comparable(
    youth_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", youth_db, *_files())
    code, out, err = run(capsys, *db, "compare", "youth-2023", "youth-2025", "--format", "json")
    assert code == 0, err
    body = json.loads(out)
    assert [k["id"] for k in body["key_questions"]] == ["A.2"]
    (a2,) = body["key_questions"]
    assert a2["a"] == {"yes": 3, "relevant": 5, "percent": 60.0}  # the old A.1
    assert a2["b"] == {"yes": 5, "relevant": 5, "percent": 100.0}
    assert body["mapping"] == {
        "a_rubric": "local-youth-check",
        "b_rubric": "local-youth-check-2",
        "declared_by": "local-youth-check-2",
        "renumbered": {"A.2": "A.1"},
    }
    gaps = {(n["audit"], n["id"], n["no_counterpart_in"]) for n in body["not_comparable"]}
    assert gaps == {
        ("youth-2023", "B.1", "youth-2025"),  # declared not comparable
        ("youth-2025", "A.1", "youth-2023"),  # new question
        ("youth-2025", "C.1", "youth-2023"),  # its old counterpart changed meaning
        ("youth-2025", "D.1", "youth-2023"),  # new standard
    }
    # standards: A by its unchanged id, B carried over as C; D has no counterpart
    assert [(s["id"], s["a"], s["b"]) for s in body["standards"]] == [
        ("A", "Requires improvement", "Good"),
        ("C", "Requires improvement", None),  # C.1 unanswered in 2025
    ]

    code, md, _ = run(capsys, *db, "compare", "youth-2023", "youth-2025")
    assert code == 0
    assert "| A.2 (was A.1) Has the worker built a relationship" in md
    assert "matched as local-youth-check-2 declares from local-youth-check" in md
    assert "## Not comparable" in md
    for audit, kq, other in gaps:
        assert any(
            line.startswith(f"| {audit} | {kq} ") and line.endswith(f"| {other} |")
            for line in md.splitlines()
        ), (audit, kq)
    html = run(capsys, *db, "compare", "youth-2023", "youth-2025", "--format", "html")[1]
    assert "<h2>Not comparable</h2>" in html and "D.1 Does a safety plan" in html
    assert "A.2 (was A.1)" in html


def test_either_order_uses_the_mapping(youth_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The later rubric declares the mapping; given newest first, it is read backwards."""
    db = ("--db", youth_db, *_files())
    code, out, err = run(capsys, *db, "compare", "youth-2025", "youth-2023", "--format", "json")
    assert code == 0, err
    body = json.loads(out)
    assert [(k["id"], k["a"]["yes"], k["b"]["yes"]) for k in body["key_questions"]] == [
        ("A.1", 5, 3)
    ]
    assert body["mapping"]["renumbered"] == {"A.1": "A.2"}
    assert body["key_questions"][0]["difference"] == -40.0


def test_a_mapping_naming_an_id_the_earlier_rubric_lacks_is_refused(
    youth_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = NEW.read_text(encoding="utf-8").replace('id = "local-youth-check-2"', 'id = "v3"')
    third = tmp_path / "v3.toml"
    third.write_text(text.replace('"B" = "C"', '"B" = "C"\n"Q.7" = "D.1"'), encoding="utf-8")
    db = ("--db", youth_db, *_files(third))
    assert run(capsys, *db, "new", "youth-v3", "--rubric", "v3")[0] == 0
    code, out, err = run(capsys, *db, "compare", "youth-2023", "youth-v3")
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == [
        'audit-tui: error: compare: v3: maps_from["local-youth-check"].items."Q.7": no key'
        ' question or standard "Q.7" in local-youth-check 0.3'
    ]


BROKEN = """
[[maps_from]]
rubric = "local-youth-check-2"

[[maps_from]]
rubric = "elsewhere"
not_comparable = ["B.1"]

[maps_from.items]
"B.1" = "A.1.a"
"X.1" = "Z.9"
"A.1" = "A.1"
"A.2" = "A.1"
"""


def test_broken_mappings_give_one_line_per_problem_naming_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    text = OLD.read_text(encoding="utf-8").replace('id = "local-youth-check"', 'id = "x"')
    path.write_text(text + BROKEN.replace('"local-youth-check-2"', '"x"'), encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path)
    assert [str(p) for p in caught.value.problems] == [
        f'{path}:107: maps_from["x"].rubric: a rubric cannot map from itself',
        f'{path}:114: maps_from["elsewhere"].items."B.1": "A.1.a" is a prompt or indicator of this'
        " rubric: map to a key question or standard",
        f'{path}:114: maps_from["elsewhere"].items."B.1": also listed in not_comparable',
        f'{path}:115: maps_from["elsewhere"].items."X.1": "Z.9" is not an id of this rubric: map to'
        " a key question or standard",
        f'{path}:117: maps_from["elsewhere"].items."A.2": "A.1" is already mapped from "A.1"',
    ]


def test_an_unknown_field_in_a_mapping_is_named(tmp_path: Path) -> None:
    text = NEW.read_text(encoding="utf-8").replace("not_comparable =", "not_comparible =")
    with pytest.raises(RubricError) as caught:
        parse_rubric(text, "v2.toml")
    assert [str(p) for p in caught.value.problems] == [
        "v2.toml:12: maps_from[0].not_comparible: unknown field"
    ]


def test_matching_is_pure_and_says_who_declared_it() -> None:
    old, new = load_rubric_file(OLD), load_rubric_file(NEW)
    forward = match(old, new)
    assert forward is not None and forward.declared_by == "local-youth-check-2"
    assert forward.key_questions == {"A.2": "A.1"}
    assert forward.standards == {"A": "A", "C": "B"}
    backward = match(new, old)
    assert backward is not None and backward.key_questions == {"A.1": "A.2"}
    assert backward.standards == {"A": "A", "B": "C"}
    same = match(new, new)
    assert same is not None and same.declared_by is None
    assert same.key_questions == {k: k for k in ("A.1", "A.2", "C.1", "D.1")}
    hmip = load_rubric_file(ROOT / "rubric/hmip-probation-pdu-2021.toml")
    assert match(hmip, new) is None and match(new, hmip) is None


def test_the_app_offers_audits_on_a_mapped_rubric_either_way(
    youth_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from audit_tui.store.comparison import comparable_with
    from audit_tui.store.database import open_repository

    assert (
        run(capsys, "--db", youth_db, "new", "hmip", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    )
    repo = open_repository(youth_db)
    old, new = audits.open_audit(repo, "youth-2023"), audits.open_audit(repo, "youth-2025")
    assert [i.name for i in comparable_with(repo, new)] == ["youth-2023"]  # new maps from old
    assert [i.name for i in comparable_with(repo, old)] == ["youth-2025"]  # read from its side
    repo.engine.dispose()


def test_two_rubrics_each_mapping_from_the_other_are_refused_in_either_order() -> None:
    """Which mapping matched their questions would depend on the order the audits are given in
    (`rubric check` and `install` refuse such a pair; two files installed before may still)."""
    new = load_rubric_file(NEW)
    text = OLD.read_text(encoding="utf-8")
    old = parse_rubric(text + '\n[[maps_from]]\nrubric = "local-youth-check-2"\n')
    for earlier, later in ((old, new), (new, old)):
        with pytest.raises(AuditError) as err:
            match(earlier, later)
        assert "each declare a mapping from the other" in str(err.value)
