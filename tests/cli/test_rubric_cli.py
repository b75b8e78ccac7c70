"""`audit-tui rubric new|check|show|install`, a broken `--rubric-file` saying why, and the README's
walkthrough of a quality team's own framework, run as written."""

from __future__ import annotations

import os
import re
import shlex
import stat
from pathlib import Path

import pytest

from audit_tui.domain.errors import Problem
from audit_tui.domain.rubric_lines import toml_positions, with_lines
from audit_tui.settings import load
from tests.support.cli import run
from tests.support.paths import ROOT, RUBRICS

BROKEN = sorted((RUBRICS / "broken").glob("*.toml"))
DA = RUBRICS / "local-domestic-abuse.toml"
Capture = pytest.CaptureFixture[str]


def rubric_dir() -> Path:
    """The user rubric folder of this test (conftest points the config folder at a temp one)."""
    return load().rubric_dir


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands run in a fresh folder, as a user would in theirs."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- new and check -------------------------------------------------------------------------------


def test_new_writes_a_commented_three_point_rubric_that_checks(here: Path, capsys: Capture) -> None:
    code, out, err = run(capsys, "rubric", "new", "my-audit")
    assert (code, err) == (0, "")
    assert out == "wrote my-audit.toml: edit it, then `audit-tui rubric check my-audit.toml`\n"
    text = (here / "my-audit.toml").read_text(encoding="utf-8")
    assert 'id = "my-audit"' in text
    assert 'ratings = ["Meets", "Partly meets", "Does not meet"]' in text
    assert text.count("\n#") > 30  # the fields are explained
    assert run(capsys, "rubric", "check", "my-audit.toml") == (
        0,
        "my-audit.toml: ok (my-audit 0.1, 2 standards, 2 key questions)\n",
        "",
    )
    assert run(capsys, "rubric", "new", "other", "--out", str(here / "sub.toml"))[0] == 0
    assert 'id = "other"' in (here / "sub.toml").read_text(encoding="utf-8")


def test_new_refuses_a_file_that_exists_and_a_name_that_is_no_id(
    here: Path, capsys: Capture
) -> None:
    (here / "taken.toml").write_text("mine\n")
    code, out, err = run(capsys, "rubric", "new", "taken")
    assert (code, out) == (1, "")
    assert err == "audit-tui: error: taken.toml: already exists: not replaced (give --out PATH)\n"
    assert (here / "taken.toml").read_text() == "mine\n"
    (here / "folder").mkdir()
    assert run(capsys, "rubric", "new", "x", "--out", "folder")[0] == 1
    os.symlink(here / "elsewhere.toml", here / "link.toml")
    assert run(capsys, "rubric", "new", "x", "--out", "link.toml")[0] == 1
    assert not (here / "elsewhere.toml").exists()  # a link is not followed
    for bad in ("My Audit", "../up", "_x", "a/b", "ok\x1b[2J"):
        code, out, err = run(capsys, "rubric", "new", bad)
        assert (code, out) == (2, ""), bad
        assert "cannot be a rubric id" in err and "\x1b" not in err
    assert sorted(p.name for p in here.iterdir()) == ["folder", "link.toml", "taken.toml"]


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_each_broken_rubric_gives_its_lines_exactly(path: Path, capsys: Capture) -> None:
    """Each file of the corpus ends with the lines it must give (`# expect: LINE: field: ...`)."""
    expected = [
        f"audit-tui: error: {path}:{line.removeprefix('# expect: ')}"
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("# expect: ")
    ]
    assert expected
    code, out, err = run(capsys, "rubric", "check", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == expected
    numbers = [int(line.split(":")[3]) for line in err.splitlines()]
    lines = path.read_text(encoding="utf-8").split("\n")
    assert all(not lines[n - 1].startswith("#") for n in numbers)  # a line of the rubric itself


def test_the_corpus_covers_what_the_issue_names() -> None:
    assert {p.stem for p in BROKEN} >= {
        "wrong-types",
        "unknown-field",
        "unknown-question-set",
        "edges-out-of-order",
        "missing-attribute",
        "band-not-on-scale",
        "maps-from-itself",
        "maps-from-missing-question",
    }


@pytest.mark.parametrize("action", ["check", "install", "show"])
def test_hostile_paths_are_one_line_each(
    action: str, here: Path, capsys: Capture, tmp_path: Path
) -> None:
    folder = here / "folder.toml"
    folder.mkdir()
    cases = [(str(folder), "is a folder, not a file"), ("missing.toml", "no such file")]
    if os.path.exists("/dev/null"):
        cases.append(("/dev/null", "is a character device, not a file"))
    if hasattr(os, "mkfifo"):
        os.mkfifo(here / "pipe.toml")
        cases.append((str(here / "pipe.toml"), "is a named pipe, not a file"))
    for path, why in cases:
        code, out, err = run(capsys, "rubric", action, path)
        assert (code, out) == (1, ""), path
        assert err.splitlines() == [f"audit-tui: error: {path}: {why}"] or (
            why == "no such file" and "cannot read rubric file (no such file)" in err
        ), err
    assert not rubric_dir().exists()


# --- show ----------------------------------------------------------------------------------------


def test_show_prints_the_structure(capsys: Capture) -> None:
    code, out, err = run(capsys, "rubric", "show", str(DA))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "local-domestic-abuse 1.0: Domestic abuse and safeguarding case audit"
    assert "scale, best first: Meets, Partly meets, Does not meet" in lines
    assert (
        "  key questions (Yes / (Yes + No), exact): Meets from 75%, Partly meets from 50%,"
        " Does not meet from 0%; edges 75%, 50%" in lines
    )
    assert "  points: Meets 2, Partly meets 1, Does not meet 0 (score out of 6)" in lines
    assert "  overall: Meets from 5, Partly meets from 3, Does not meet from 0" in lines
    assert "  children (Children in the household, Children): yes, no; required" in lines
    assert "  DA1 Enquiries and assessment (from cases)" in lines
    assert "      DA1.1.b Was a children's social care check made? [when children: yes]" in lines
    assert "indicators: none" in lines and "maps_from: none" in lines
    code, by_id, _ = run(capsys, "--rubric-file", str(DA), "rubric", "show", "local-domestic-abuse")
    assert code == 0 and by_id.splitlines()[3:] == lines[3:]  # the same, from the catalogue
    code, shipped, _ = run(capsys, "rubric", "show", "hmip-probation-pdu-2021")
    assert (
        code == 0
        and "scale, best first: Outstanding, Good, Requires improvement, Inadequate" in (shipped)
    )
    code, _, err = run(capsys, "rubric", "show", "no-such-rubric")
    assert code == 1 and 'unknown rubric "no-such-rubric"' in err


def test_show_escapes_control_characters_and_prints_markup_as_text(
    tmp_path: Path, capsys: Capture
) -> None:
    text = DA.read_text(encoding="utf-8")
    text = text.replace(
        'title = "Domestic abuse and safeguarding case audit"',
        'title = "[bold red]Loud[/] \\u001b[2Jcleared \\u202eevil \\u0007"',
    ).replace('label = "Team"', 'label = "Team\\nnext line"')
    path = tmp_path / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "rubric", "show", str(path))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "local-domestic-abuse 1.0: [bold red]Loud[/] \\x1b[2Jcleared \\u202eevil \\x07"
    )
    assert "  team (Team\\nnext line): north, south, east; required" in out.splitlines()
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", out)


# --- install -------------------------------------------------------------------------------------


def test_install_then_list_then_a_new_audit(here: Path, capsys: Capture, db_path: str) -> None:
    code, out, err = run(capsys, "rubric", "install", str(DA))
    target = rubric_dir() / "local-domestic-abuse.toml"
    assert (code, err) == (0, "")
    assert out == (
        f"installed local-domestic-abuse 1.0, 3 standards, 5 key questions as {target}\n"
    )
    assert target.read_bytes() == DA.read_bytes()
    assert stat.S_IMODE(rubric_dir().stat().st_mode) == 0o700
    assert stat.S_IMODE(rubric_dir().parent.stat().st_mode) == 0o700
    assert [p.name for p in rubric_dir().iterdir()] == [target.name]  # no temp file left
    code, out, _ = run(capsys, "rubrics")
    assert (
        code == 0
        and "local-domestic-abuse\t1.0\tDomestic abuse and safeguarding case audit"
        in (out.splitlines())
    )
    code, out, err = run(capsys, "--db", db_path, "new", "da", "--rubric", "local-domestic-abuse")
    assert (code, out, err) == (0, 'created audit "da" (local-domestic-abuse 1.0)\n', "")
    assert run(capsys, "rubric", "install", str(DA)) == (
        0,
        f"local-domestic-abuse is already installed as {target}: unchanged\n",
        "",
    )


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "audits.db")


def test_install_refuses_a_broken_file_and_writes_nothing(capsys: Capture) -> None:
    path = RUBRICS / "broken" / "wrong-types.toml"
    code, out, err = run(capsys, "rubric", "install", str(path))
    assert (code, out) == (1, "")
    assert err == run(capsys, "rubric", "check", str(path))[2]  # the check's lines, exactly
    assert not rubric_dir().exists()


def test_install_refuses_a_clash_without_replace(tmp_path: Path, capsys: Capture) -> None:
    assert run(capsys, "rubric", "install", str(DA))[0] == 0
    target = rubric_dir() / "local-domestic-abuse.toml"
    edited = tmp_path / "edited.toml"
    edited.write_text(DA.read_text().replace('version = "1.0"', 'version = "1.1"'))
    code, out, err = run(capsys, "rubric", "install", str(edited))
    assert (code, out) == (1, "")
    assert err == (
        f'audit-tui: error: {edited}: rubric "local-domestic-abuse": a different {target} is'
        " installed; give --replace to replace it\n"
    )
    assert target.read_bytes() == DA.read_bytes()
    code, out, _ = run(capsys, "rubric", "install", str(edited), "--replace")
    assert code == 0 and out.startswith("replaced local-domestic-abuse 1.1, ")
    assert target.read_text() == edited.read_text()
    # another file in the folder holding the same id is never left beside the installed one
    (rubric_dir() / "older.toml").write_text(DA.read_text())
    code, _, err = run(capsys, "rubric", "install", str(DA), "--replace")
    assert code == 1 and err == (
        f"audit-tui: error: {rubric_dir() / 'older.toml'}: also holds rubric"
        ' "local-domestic-abuse": remove it, then install again\n'
    )


def test_overriding_a_shipped_rubric_needs_replace(
    tmp_path: Path, capsys: Capture, rubric_text: str
) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_text(rubric_text.replace('version = "2021.1"', 'version = "2021.1-local"'))
    code, _, err = run(capsys, "rubric", "install", str(copy))
    assert code == 1 and "would override the shipped hmip-probation-pdu-2021.toml" in err
    assert run(capsys, "rubric", "install", str(copy), "--replace")[0] == 0
    code, out, _ = run(capsys, "rubrics")
    assert "hmip-probation-pdu-2021\t2021.1-local\t" in out


# --- a broken rubric file says why wherever it is used -------------------------------------------


def test_a_broken_rubric_file_says_why_in_new(
    tmp_path: Path, capsys: Capture, db_path: str
) -> None:
    path = RUBRICS / "broken" / "missing-text.toml"
    why = run(capsys, "rubric", "check", str(path))[2]
    for rubric in ("broken-example", "hmip-probation-pdu-2021"):  # asked for, or not
        code, out, err = run(
            capsys, "--db", db_path, "--rubric-file", str(path), "new", "a", "--rubric", rubric
        )
        assert (code, out, err) == (1, "", why)
    assert not Path(db_path).exists()
    code, out, err = run(capsys, "--rubric-file", str(path), "rubric", "show", "broken-example")
    assert (code, out, err) == (1, "", why)


def test_a_broken_rubric_file_stops_commands_that_read_no_rubric_too(
    capsys: Capture, db_path: str, rubric_text: str
) -> None:
    """`audits` and `report` read the audits' own rubric snapshots, not the file; given a
    broken one, they still say why and stop, as the README promises of any command."""
    path = RUBRICS / "broken" / "missing-text.toml"
    why = run(capsys, "rubric", "check", str(path))[2]
    assert run(capsys, "--db", db_path, "new", "a", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    for command in (("audits",), ("report", "a", "--format", "json")):
        code, out, err = run(capsys, "--db", db_path, "--rubric-file", str(path), *command)
        assert (code, out, err) == (1, "", why)
        assert run(capsys, "--db", db_path, *command)[0] == 0  # without it, as before


def test_a_broken_file_in_the_folder_warns_unless_asked_for(
    capsys: Capture, db_path: str, rubric_text: str
) -> None:
    folder = rubric_dir()
    folder.mkdir(parents=True)
    (folder / "notes.toml").write_text("not = [toml\n")
    broken = rubric_text.replace("min_percent = 65", 'min_percent = "high"')
    (folder / "hmip-probation-pdu-2021.toml").write_text(broken)  # a user's edit, broken
    code, out, err = run(capsys, "--db", db_path, "new", "a", "--rubric", "hmip-probation-pdu-2021")
    assert (code, out) == (1, "")  # not quietly the shipped one instead of the user's own
    assert err == (
        f"audit-tui: error: {folder / 'hmip-probation-pdu-2021.toml'}:34:"
        " scoring.bands[1].min_percent: Input should be a valid number, unable to parse string"
        " as a number\n"
    )
    (folder / "hmip-probation-pdu-2021.toml").unlink()
    (folder / "local-domestic-abuse.toml").write_text(DA.read_text())
    code, out, err = run(capsys, "--db", db_path, "new", "a", "--rubric", "local-domestic-abuse")
    assert (code, out) == (0, 'created audit "a" (local-domestic-abuse 1.0)\n')
    [warning] = err.splitlines()
    assert warning.startswith(f"audit-tui: warning: {folder / 'notes.toml'}: not valid TOML")
    assert warning.endswith("(not loaded)")
    code, out, _ = run(capsys, "rubrics")  # still lists what loads, and names the broken file
    assert code == 1 and "local-domestic-abuse\t1.0\t" in out


# --- line numbers --------------------------------------------------------------------------------


def test_positions_step_over_strings_comments_and_long_arrays() -> None:
    text = (
        "a = 1  # [not.a.header]\n"  # 1
        's = """\n'  # 2
        "[[standards]]\n"  # 3: inside a string
        '"""\n'  # 4
        "v = [\n"  # 5
        '  "[x]",\n'  # 6
        "]\n"  # 7
        "[[standards]]\n"  # 8
        'id = "A"\n'  # 9
        "[[standards.key_questions]]\n"  # 10
        '"quoted key" . inner = 2\n'  # 11
        "[[standards]]\n"  # 12
        "[[standards.key_questions]]\n"  # 13
        "[[standards.key_questions]]\n"  # 14
        "text = '''two\n"  # 15
        "[lines]'''\n"  # 16
        "label = 'x'\n"  # 17
    )
    at = toml_positions(text)
    assert at[("a",)] == 1 and at[("s",)] == 2 and at[("v",)] == 5
    assert at[("standards", 0)] == 8 and at[("standards", 0, "id")] == 9
    assert at[("standards", 0, "key_questions", 0, "quoted key", "inner")] == 11
    assert at[("standards", 1)] == 12 and at[("standards", 1, "key_questions", 1)] == 14
    assert at[("standards", 1, "key_questions", 1, "label")] == 17
    assert ("lines",) not in at and ("v", 0) not in at


def test_paths_lead_to_lines_by_id_and_problems_without_one_keep_their_form() -> None:
    text = DA.read_text(encoding="utf-8")
    lines = text.split("\n")

    def line(path: str, message: str = "bad") -> int | None:
        [found] = with_lines(text, [Problem("f", message, path=path)])
        return found.line

    assert lines[line('standards["DA2"].key_questions["DA2.2"].label')] == (  # type: ignore[index]
        'text = "Does the plan include work to address abusive behaviour?"'
    )
    n = line('standards["DA2"].key_questions["DA2.2"].guidance')  # missing: its table's header
    assert n is not None and lines[n - 1] == "[[standards.key_questions]]"
    n = line('items["DA1.1.b"].source')  # any answerable item, by id
    assert n is not None and lines[n - 2] == 'applies_when = { children = ["yes"] }'
    assert line("title") == 7
    assert line("publisher_email") is None and line('standards["ZZ"].title') is None
    [whole] = with_lines(text, [Problem("f", "not valid TOML")])
    assert whole.line is None and str(whole) == "f: not valid TOML"
    assert with_lines("x = [", [Problem("f", "m", path="x")])[0].line is None


# --- the README walkthrough ----------------------------------------------------------------------


def _walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("#### Writing your own framework\n")
    end = re.search(r"\n#{2,4} ", readme[start + 5 :])
    assert end is not None
    return readme[start : start + 5 + end.start()]


def _blocks(section: str, kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", section, flags=re.S)


def test_the_readme_walkthrough_runs_as_written(
    here: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The section's `sh` blocks run in order: the first on the file `rubric new` writes, the
    rest after the edit (the finished file, tests/rubrics/local-domestic-abuse.toml). Its TOML
    excerpts are in that file, and every line its `text` blocks show is printed as shown."""
    monkeypatch.setenv("AUDIT_TUI_DB", str(here / "audits.db"))
    section = _walkthrough()
    finished = DA.read_text(encoding="utf-8")
    for excerpt in _blocks(section, "toml"):
        assert excerpt in finished, excerpt
    [csv] = _blocks(section, "csv")
    (here / "cases.csv").write_text(csv, encoding="utf-8")
    first, *after = _blocks(section, "sh")
    printed: list[str] = []
    for n, block in enumerate([first, *after]):
        if n == 1:
            assert (
                'title = "A local case file audit'
                in (here / "local-domestic-abuse.toml").read_text()
            )
            (here / "local-domestic-abuse.toml").write_text(finished, encoding="utf-8")  # edited
        for command in filter(None, block.splitlines()):
            argv = shlex.split(command, comments=True)
            assert argv[0] == "audit-tui", command
            code, out, err = run(capsys, *argv[1:])
            assert code == 0 and err == "", (command, err)
            printed += out.splitlines()
    home = str(load().config_dir)
    printed = [line.replace(home, "~/.config/audit-tui") for line in printed]
    shown_ok, shown_typo = _blocks(section, "text")
    for line in shown_ok.splitlines():
        assert line in printed, line
    (here / "local-domestic-abuse.toml").write_text(
        finished.replace(
            'text = "Does the assessment analyse the risk',
            'txt = "Does the assessment analyse the risk',
        ),
        encoding="utf-8",
    )
    code, _, err = run(capsys, "rubric", "check", "local-domestic-abuse.toml")
    assert code == 1 and err.splitlines() == shown_typo.splitlines()


# --- maps_from across files ----------------------------------------------------------------------


def _mapping(text: str, new_id: str, maps_from: str) -> str:
    """The domestic-abuse rubric as `new_id`, declaring a mapping from `maps_from`."""
    text = text.replace('id = "local-domestic-abuse"', f'id = "{new_id}"', 1)
    return text.replace("\n[scale]", f'\n[[maps_from]]\nrubric = "{maps_from}"\n\n[scale]', 1)


def test_a_maps_from_cycle_with_an_installed_rubric_is_refused_on_its_line(
    here: Path, capsys: Capture
) -> None:
    text = DA.read_text(encoding="utf-8")
    (here / "a.toml").write_text(_mapping(text, "local-a", "local-b"), encoding="utf-8")
    (here / "b.toml").write_text(_mapping(text, "local-b", "local-a"), encoding="utf-8")
    assert run(capsys, "rubric", "check", "b.toml")[0] == 0  # local-a is not installed yet
    assert run(capsys, "rubric", "install", "a.toml")[0] == 0
    line = next(
        n for n, row in enumerate((here / "b.toml").read_text().splitlines(), 1) if "local-a" in row
    )
    for command in ("check", "install"):
        code, out, err = run(capsys, "rubric", command, "b.toml")
        assert (code, out) == (1, "")
        assert err == (
            f'audit-tui: error: b.toml:{line}: maps_from["local-a"].rubric: a cycle of maps_from:'
            " local-b -> local-a"
            f" -> local-b (local-a is {rubric_dir() / 'local-a.toml'}); maps_from names an"
            " earlier framework, so map one way only\n"
        )
    assert not (rubric_dir() / "local-b.toml").exists()  # nothing installed
    # a replacement of local-a itself that no longer maps from local-b is no cycle
    (here / "a2.toml").write_text(text.replace('id = "local-domestic-abuse"', 'id = "local-a"'))
    assert run(capsys, "rubric", "check", "a2.toml")[0] == 0
