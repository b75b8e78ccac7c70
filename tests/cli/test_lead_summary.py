"""`audit-tui summary AUDIT --text TEXT`: the lead's own summary, kept as the audit's "summary"
events (every wording in the log), shown above the generated summary in md and html, refused
to anyone but the lead in one line, with nothing written; on SQLite and on PostgreSQL, where the
event goes through `audit_tui.log_event` as the lead's own login."""

from __future__ import annotations

import pytest

from audit_tui.reporting.render import render_report
from audit_tui.store import audits, team
from audit_tui.store.lead_summary import SUMMARY_LENGTH, lead_summary
from audit_tui.store.repository import Repository
from audit_tui.store.trail import events
from audit_tui.store.verify import verify
from tests.conftest import Person
from tests.store.test_team import _audit
from tests.support.cli import run, table_counts


def _as(repo: Repository) -> list[str]:
    """The global options that make the command line act as `repo`'s person."""
    url = repo.engine.url
    if url.get_backend_name() == "sqlite":
        return ["--db", str(url.database), "--as", repo.user]
    return ["--db", url.render_as_string(hide_password=False)]


def _summaries(repo: Repository, audit_name: str) -> list[tuple[str, str]]:
    audit = audits.open_audit(repo, audit_name)
    return [(e.by, e.detail) for e in events(repo, audit) if e.event == "summary"]


def test_the_lead_writes_changes_and_clears_it_and_every_wording_stays_in_the_log(
    people: Person, rubric_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lead = people("lead")
    audit = _audit(lead, rubric_text, n=2)
    name = audit.info.name
    words = "Keeping people safe must improve.\nLeadership is committed to it."
    code, out, err = run(capsys, *_as(lead), "summary", name, "--text", words)
    assert (code, out) == (
        0,
        "",
    ) and err.strip() == f'summary of audit "{name}" saved (kept in its log)'
    said = lead_summary(lead, audit)
    assert said is not None and said.text == words and said.by == lead.user

    md = render_report(lead, audit, "md")
    assert isinstance(md, str)
    ours = md.index("Keeping people safe must improve.\n\nLeadership is committed to it.\n")
    assert md.index("### The lead's summary") < ours < md.index("### From the figures")
    assert md.index("## Summary") < ours < md.index("## Ratings")

    assert run(capsys, *_as(lead), "summary", name, "--text", words)[0] == 0  # the same again
    assert run(capsys, *_as(lead), "summary", name, "--text", "Better wording.")[0] == 0
    code, _, err = run(capsys, *_as(lead), "summary", name, "--text", "")
    assert code == 0 and "cleared" in err
    assert lead_summary(lead, audit) is None
    assert _summaries(lead, name) == [
        (lead.user, words), (lead.user, "Better wording."), (lead.user, ""),
    ]  # fmt: skip
    md = render_report(lead, audit, "md")
    assert isinstance(md, str) and "The lead's summary" not in md and "## Summary" in md
    assert verify(lead, audit) == []  # the log's chain holds with the summaries in it


def test_anyone_but_the_lead_is_refused_in_one_line_and_nothing_is_written(
    people: Person, rubric_text: str, db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lead, ann = people("lead"), people("ann")
    audit = _audit(lead, rubric_text, n=2)
    team.set_member(lead, audit, ann.user, "auditor")
    before = table_counts(db_target)
    code, out, err = run(capsys, *_as(ann), "summary", audit.info.name, "--text", "Mine now.")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "only the lead" in err and ann.user in err, err
    assert table_counts(db_target) == before
    assert lead_summary(lead, audit) is None


def test_a_locked_audit_still_takes_its_leads_words(
    people: Person, rubric_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Locking makes the figures final; what the lead says of them may come after."""
    lead = people("lead")
    audit = _audit(lead, rubric_text, n=1)
    team.lock_audit(lead, audit)
    assert run(capsys, *_as(lead), "summary", audit.info.name, "--text", "Final.")[0] == 0
    said = lead_summary(lead, audits.open_audit(lead, audit.info.name))
    assert said is not None and said.text == "Final."


def test_bad_words_are_one_line_and_write_nothing(
    sqlite_repo: Repository,
    rubric_text: str,
    sqlite_target: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    audit = _audit(sqlite_repo, rubric_text, n=1)
    before = table_counts(sqlite_target)
    for text, words in (
        ("a\x1b[31mred", "control character (\\x1b)"),
        ("x" * (SUMMARY_LENGTH + 1), f"at most {SUMMARY_LENGTH:,}"),
    ):
        code, out, err = run(capsys, *_as(sqlite_repo), "summary", audit.info.name, "--text", text)
        assert code == 1 and out == "" and err.count("\n") == 1 and words in err, err
    assert table_counts(sqlite_target) == before
    code, _, err = run(capsys, *_as(sqlite_repo), "summary", "nope", "--text", "x")
    assert code == 1 and 'no audit named "nope"' in err


def test_the_words_print_as_themselves_in_md_and_html(
    sqlite_repo: Repository, rubric_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = _audit(sqlite_repo, rubric_text, n=1)
    hostile = "<script>alert(1)</script> [x](http://e) **bold**"
    assert run(capsys, *_as(sqlite_repo), "summary", audit.info.name, "--text", hostile)[0] == 0
    html = render_report(sqlite_repo, audit, "html")
    assert isinstance(html, str) and "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.index('id="lead-summary"') < html.index('id="findings"') < html.index("Ratings")
    md = render_report(sqlite_repo, audit, "md")
    assert isinstance(md, str) and "<script>" not in md and "\\[x\\](http://e)" in md


@pytest.mark.parametrize(
    "db_target", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_server_itself_refuses_an_auditors_summary(
    people: Person, rubric_text: str, db_target: str
) -> None:
    """Past the app, as psql would: `audit_tui.log_event` records a summary for the lead only."""
    import psycopg

    from tests.pg.test_pg_app import _sql

    lead, ann = people("lead"), people("ann")
    audit = _audit(lead, rubric_text, n=1)
    team.set_member(lead, audit, ann.user, "auditor")
    with _sql(db_target, ann.user) as conn, pytest.raises(psycopg.Error, match="only the lead"):
        conn.execute("SELECT audit_tui.log_event(%s, 'summary', 'mine')", (audit.info.id,))
    with _sql(db_target, lead.user) as conn:
        conn.execute("SELECT audit_tui.log_event(%s, 'summary', 'ours')", (audit.info.id,))
    said = lead_summary(ann, audit)  # a member reads what the lead wrote
    assert said is not None and said.text == "ours" and said.by == lead.user
