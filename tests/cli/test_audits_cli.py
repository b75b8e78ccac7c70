"""`audit-tui audits`: the audits a person may see, with what the app's list shows, as an aligned
table or JSON; on PostgreSQL only those the login may read; a blind second marker sees "hidden"
where the app hides a figure."""

from __future__ import annotations

import json

import pytest

from audit_tui.store import audits, scores, team
from audit_tui.store.moderation import start_round
from audit_tui.store.repository import Repository
from tests.conftest import Person, is_pg
from tests.store.test_team import _answer_all, _audit, _case
from tests.support.cli import run

KEYS = {
    "name",
    "rubric",
    "pdu",
    "region",
    "kind",
    "cases",
    "progress",
    "score",
    "score_max",
    "rating",
    "locked",
}


def _as(repo: Repository, target: str) -> list[str]:
    """The command line's way of being `repo`'s person: their own login's URL on PostgreSQL,
    `--as` on SQLite."""
    if is_pg(target):
        return ["--db", repo.engine.url.render_as_string(hide_password=False)]
    return ["--db", target, "--as", repo.user]


def _audits(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, *argv, "audits", "--format", "json")
    assert (code, err) == (0, ""), err
    found: list[dict[str, object]] = json.loads(out)
    return found


def test_the_list_holds_what_the_app_shows(
    people: Person, rubric_text: str, db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lead = people("lead")
    audit = _audit(lead, rubric_text, n=3, name="b-audit")
    _answer_all(lead, audit, _case(lead, audit, "C-1"))
    other = audits.create_audit(lead, "a-audit", rubric_text, pdu="Tameside")
    team.lock_audit(lead, audits.open_audit(lead, other.info.name))
    found = _audits(capsys, *_as(lead, db_target))
    assert [a["name"] for a in found] == ["a-audit", "b-audit"]  # by name, as the app
    assert all(set(a) == KEYS for a in found)
    first, second = found
    assert first["rubric"] == {
        "id": "hmip-probation-pdu-2021",
        "version": audit.rubric.version,
        "title": audit.rubric.title,
    }
    assert (first["pdu"], first["cases"], first["score"], first["rating"]) == (
        "Tameside",
        0,
        None,
        None,
    )
    locked = first["locked"]
    assert isinstance(locked, dict) and locked["by"] == lead.user and locked["at"]
    assert second["locked"] is None and second["cases"] == 3
    progress = second["progress"]
    assert isinstance(progress, dict)
    answered, applicable = scores.score(lead, audit, exact=False).progress
    assert (progress["answered"], progress["applicable"]) == (answered, applicable) != (0, 0)
    assert progress["percent"] == round(100 * answered / applicable, 2)
    assert second["score_max"] == 27

    code, out, err = run(capsys, *_as(lead, db_target), "audits")
    assert (code, err) == (0, "")
    head, *rows = out.splitlines()
    assert head.split() == [
        "Audit",
        "Cases",
        "Progress",
        "Score",
        "Rating",
        "Locked",
        "PDU",
        "Rubric",
    ]
    assert rows[0].split()[:7] == ["a-audit", "0", "-", "-/27", "not", "yet", "rated"]
    locked_at = head.index("Locked")
    assert rows[0][locked_at:].startswith(f"by {lead.user} ")
    assert rows[1][locked_at:].startswith("no ")
    # aligned: words start where their heading does, figures end where theirs does
    for heading in ("Locked", "PDU", "Rubric"):
        at = head.index(heading)
        assert all(row[at - 1] == " " and row[at] != " " for row in rows), heading
    for heading in ("Cases", "Progress", "Score"):
        end = head.index(heading) + len(heading) - 1
        assert all(row[end] != " " and row[end + 1] == " " for row in rows), heading


def test_no_command_still_opens_the_app_and_audits_does_not(
    monkeypatch: pytest.MonkeyPatch, db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from audit_tui import cli

    opened: list[str | None] = []

    def open_tui(args: object, audit: str | None) -> int:
        opened.append(audit)
        return 0

    monkeypatch.setattr(cli, "_open_tui", open_tui)
    assert run(capsys, "--db", db_target, "new", "x", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    assert run(capsys, "--db", db_target)[0] == 0 and opened == [None]
    code, out, _ = run(capsys, "--db", db_target, "audits")
    assert code == 0 and out.startswith("Audit") and opened == [None]


def test_an_app_that_fails_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The app's own return code reaches the shell: one that closed on an error had exited 0."""
    from audit_tui.tui import app

    class Failed:
        return_code = 1

        def run(self) -> None:
            pass

    monkeypatch.setattr(app, "build_app", lambda *args, **kwargs: Failed())
    assert run(capsys, "--db", db_target)[0] == 1


def test_an_empty_list_says_so(db_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db_target, "new", "x", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    run(capsys, "--db", db_target, "delete", "x", "--confirm", "x")
    code, out, _ = run(capsys, "--db", db_target, "audits")
    assert (code, out) == (
        0,
        "no audits you may see (audit-tui new AUDIT --rubric ID creates one)\n",
    )
    assert _audits(capsys, "--db", db_target) == []


def test_a_blind_second_marker_sees_hidden_figures(
    people: Person, rubric_text: str, db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lead, ann, kim = people("lead"), people("ann"), people("kim")
    audit = _audit(lead, rubric_text, n=2)
    team.allocate(lead, audit, [ann.user])
    _answer_all(ann, audit, _case(ann, audit, "C-1"))
    start_round(lead, audit, kim.user, cases=["C-1"])
    [seen] = _audits(capsys, *_as(kim, db_target))
    assert (seen["progress"], seen["score"], seen["rating"]) == ("hidden",) * 3
    assert seen["cases"] == 2  # the app shows how many cases, as here
    code, out, _ = run(capsys, *_as(kim, db_target), "audits")
    assert code == 0 and out.splitlines()[1].split()[2:5] == ["hidden"] * 3
    [lead_sees] = _audits(capsys, *_as(lead, db_target))
    assert isinstance(lead_sees["progress"], dict)


def test_names_are_shown_escaped(
    people: Person, rubric_text: str, db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lead = people("lead")
    audit = audits.create_audit(lead, "plain", rubric_text)
    with lead.engine.begin() as conn:  # a name written by another tool, control characters and all
        from sqlalchemy import text

        table = "audit_tui.audit" if is_pg(db_target) else "audit"
        conn.execute(text(f"UPDATE {table} SET pdu = :p WHERE id = :i"),
                     {"p": "T\x1b[2Jx", "i": audit.info.id})  # fmt: skip
    code, out, _ = run(capsys, *_as(lead, db_target), "audits")
    assert code == 0 and "\x1b" not in out and "T\\x1b[2Jx" in out


@pytest.mark.postgres
@pytest.mark.parametrize("db_target", ["postgres"], indirect=True)
def test_on_postgresql_a_login_sees_only_its_audits(
    people: Person, rubric_text: str, db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lead, vic, eve = people("lead"), people("vic"), people("eve")
    mine = _audit(lead, rubric_text, n=2, name="theirs")
    _audit(lead, rubric_text, n=1, name="not-vics")
    team.set_member(lead, mine, vic.user, "viewer")
    assert _audits(capsys, *_as(eve, db_target)) == []
    code, out, _ = run(capsys, *_as(eve, db_target), "audits")
    assert code == 0 and out.startswith("no audits you may see")
    [seen] = _audits(capsys, *_as(vic, db_target))
    assert seen["name"] == "theirs" and seen["cases"] == 2
    assert [a["name"] for a in _audits(capsys, *_as(lead, db_target))] == ["not-vics", "theirs"]


def test_progress_halves_round_up_as_the_app_shows_them(
    sqlite_repo: Repository, rubric_text: str
) -> None:
    """37 of 40 is 92.5%: the list and the app both say 93%, as every report rounds halves."""
    from dataclasses import replace

    from audit_tui.audits_cli import _cells
    from audit_tui.store.listing import audit_summaries
    from audit_tui.tui.screens.audit_list import progress_text

    audits.create_audit(sqlite_repo, "half", rubric_text)
    (summary,) = audit_summaries(sqlite_repo)
    half = replace(summary, answered=37, applicable=40)
    assert "93%" in _cells(half) and progress_text(37, 40).endswith(" 93%")
