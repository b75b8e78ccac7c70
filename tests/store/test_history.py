"""`audit-tui history`: the audit trail as a person reads it (a golden table) and as a script
reads it (CSV and the JSON contract), with its filters, on a clock fixed by the test."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from audit_tui.domain.answers import Answer, NoteTag
from audit_tui.domain.records import Judgement
from audit_tui.store import answers, audits, judgements, team
from audit_tui.store.database import open_repository
from tests.reports.test_reports import _golden
from tests.store.test_team import _answer_all, _audit, _case
from tests.support.cli import run

ANSWER_KEYS = {"at", "by", "case", "item", "old", "new", "via", "reason"}
EVENT_KEYS = {"at", "by", "event", "detail"}


@pytest.fixture
def trail_db(
    sqlite_target: str, rubric_text: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:
    """lee leads; ann answers C-1 (a yes, a change of mind with a note), lee judges 1.1,
    signs C-1 off, locks and unlocks with a reason. A minute passes between steps."""
    ticks = iter(
        datetime(2026, 11, 26, 9, 0, tzinfo=UTC) + timedelta(minutes=i) for i in range(999)
    )

    def clock() -> datetime:
        return next(ticks)

    for module in (
        "audit_tui.store.audits",
        "audit_tui.store.cases",
        "audit_tui.store.events",
        "audit_tui.store.answers",
        "audit_tui.store.judgements",
        "audit_tui.store.team",
    ):
        monkeypatch.setattr(f"{module}.utcnow", clock)
    lee, ann = (
        open_repository(sqlite_target, user="lee"),
        open_repository(sqlite_target, user="ann"),
    )
    audit = _audit(lee, rubric_text, n=2, name="tameside")
    audit = audits.rename_audit(lee, audit, "tameside-q3")
    team.allocate(lee, audit, ["ann"], cases=["C-1"])
    c1 = _case(ann, audit, "C-1")
    answers.save_answer(ann, audit, c1, "2.2.1", Answer.YES)
    answers.save_answer(
        ann, audit, c1, "2.2.1", Answer.NO, note='=HYPERLINK("x")', note_tag=NoteTag.IMPROVEMENT
    )
    judgements.save_judgements(lee, audit, [Judgement(standard_id="1.1", rating="Good")])
    _answer_all(ann, audit, c1)
    team.sign_off(lee, audit, "C-1")
    team.lock_audit(lee, audit)
    team.unlock_audit(lee, audit, "moderation found a slip")
    for repo in (lee, ann):
        repo.engine.dispose()
    yield sqlite_target, audit.info.name


def test_history_table_is_golden(
    trail_db: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, name = trail_db
    code, out, err = run(
        capsys, "--db", db, "--as", "lee", "history", name, "--case", "C-1", "--item", "2.2.1"
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "When (UTC)           Who  What       Change          Via / why",
        "2026-11-26 09:06:00  ann  C-1 2.2.1  - → Yes         tui",
        "2026-11-26 09:07:00  ann  C-1 2.2.1  Yes → No, note  tui",
        "2026-11-26 09:09:00  ann  C-1 2.2.1  No → Yes        import",
    ]
    code, out, _ = run(capsys, "--db", db, "history", name)
    _golden("history.txt", out)


def test_history_json_is_the_contract(
    trail_db: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, name = trail_db
    code, out, _ = run(capsys, "--db", db, "history", name, "--format", "json")
    entries = json.loads(out)
    assert code == 0 and entries
    for entry in entries:
        assert set(entry) in (ANSWER_KEYS, EVENT_KEYS), entry
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    mine = [e for e in entries if e.get("case") == "C-1" and e.get("item") == "2.2.1"]
    assert [(e["old"], e["new"], e["by"], e["via"]) for e in mine] == [
        (None, "yes", "ann", "tui"),
        ("yes", "no", "ann", "tui"),
        ("no", "yes", "ann", "import"),
    ]
    judged = [e for e in entries if "case" in e and e["case"] is None]
    assert [(e["item"], e["new"], e["by"]) for e in judged] == [("1.1", "Good", "lee")]
    events = [(e["event"], e["detail"]) for e in entries if "event" in e]
    assert events[-3:] == [("sign-off", "C-1"), ("lock", ""), ("unlock", "moderation found a slip")]
    assert events[:2] == [
        ("create", "against hmip-probation-pdu-2021 2021.1; lee leads it"),
        ("add-cases", "2 cases added: C-1, C-2"),
    ]


def test_history_filters_and_csv(
    trail_db: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, name = trail_db
    code, out, _ = run(capsys, "--db", db, "history", name, "--by", "lee", "--format", "json")
    assert {e["by"] for e in json.loads(out)} == {"lee"}
    code, out, _ = run(capsys, "--db", db, "history", name, "--case", "C-2", "--format", "json")
    assert json.loads(out) == []  # nobody answered C-2; events belong to no case
    code, out, _ = run(capsys, "--db", db, "history", name, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0].keys() == {
        "at",
        "by",
        "case",
        "item",
        "old",
        "new",
        "via",
        "reason",
        "event",
        "detail",
    }
    assert len(rows) == len(
        json.loads(run(capsys, "--db", db, "history", name, "--format", "json")[1])
    )
    assert all(not (v or "").startswith(("=", "+", "@")) for row in rows for v in row.values())
    code, out, err = run(capsys, "--db", db, "history", "nope")
    assert code == 1 and out == "" and len(err.splitlines()) == 1
