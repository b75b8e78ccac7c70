"""Unbounded inputs end in one clear error, fast; error output is bounded and printable.

A named pipe or `/dev/zero` given as a file, a header of 100,000 columns, a TOML file nested
thousands deep, or an argument holding terminal escape codes: each must give exit 1 and a few
printable lines, never a hang, a traceback or a flood. Where the bug would be a hang, the command
runs in a subprocess with a timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit_tui.domain.errors import printable, problem_lines
from audit_tui.domain.files import MAX_TOML_DEPTH, TomlTooDeep, load_toml, nesting_depth
from audit_tui.paths import shipped_rubric_dir
from audit_tui.tui.keymap import load_keymap
from tests.support.cli import run, table_counts

CASES = "case_ref,sentence_type,has_psr,gender,rosh\nC-1,community,yes,male,high\n"
SHIPPED = shipped_rubric_dir() / "hmip-probation-pdu-2021.toml"
DEPTH_LINE = f"nested deeper than {MAX_TOML_DEPTH} levels (the limit for a TOML file)"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def cli(*argv: str) -> subprocess.CompletedProcess[bytes]:
    """The real entry point in a fresh process; a hang fails the test instead of stalling it."""
    return subprocess.run(
        [sys.executable, "-m", "audit_tui", *argv], capture_output=True, timeout=60
    )


@pytest.fixture
def audit_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A SQLite database holding audit "a1" with one case."""
    target = str(tmp_path / "audits.db")
    (tmp_path / "cases.csv").write_text(CASES)
    assert run(capsys, "--db", target, "new", "a1", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    assert run(capsys, "--db", target, "import-cases", "a1", str(tmp_path / "cases.csv"))[0] == 0
    return target


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A named pipe nobody writes to: opening it for reading the ordinary way blocks forever."""
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


def lines_of(stderr: bytes) -> list[str]:
    return stderr.decode("utf-8", "backslashreplace").splitlines()


# --- huge headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "last_line"),
    [
        # 100,000 columns, each name twice: one line listing the first 20 names, counting the rest
        (
            [f"col{i % 50_000}" for i in range(100_000)],
            "columns repeat in the header: col0, col1, col10, ",
        ),
        # 100,000 distinct unknown columns and the three required ones missing: 20 lines, then
        # one counting the other 99,983
        (
            [f"col{i}" for i in range(100_000)],
            "… and 99,983 more problems (showing the first 20)",
        ),
    ],
    ids=["repeats", "unknown"],
)
def test_a_header_of_100000_columns_is_a_short_error_fast(
    audit_db: str, tmp_path: Path, columns: list[str], last_line: str
) -> None:
    before = table_counts(audit_db)
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["case_ref", *columns]) + "\n")
    proc = cli("--db", audit_db, "import-cases", "a1", str(path))
    lines = lines_of(proc.stderr)
    assert proc.returncode == 1 and proc.stdout == b""
    assert 1 <= len(lines) <= 21 and len(proc.stderr) < 100_000
    assert all(line.startswith("audit-tui: error: ") for line in lines)
    assert last_line in lines[-1]
    assert table_counts(audit_db) == before


def test_repeated_names_are_listed_once_each_and_counted(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dupes.csv"
    path.write_text("case_ref,rosh,rosh," + ",".join(f"x{i},x{i}" for i in range(30)) + "\n")
    code, _, err = run(capsys, "--db", audit_db, "import-cases", "a1", str(path))
    assert code == 1
    [line] = err.splitlines()
    assert line.startswith(
        f"audit-tui: error: {path}: row 1: columns repeat in the header: rosh, x0"
    )
    assert line.endswith(" and 11 more")  # 31 repeated names, 20 shown


# --- things that are not regular files ---------------------------------------------------------


@needs_fifo
def test_a_named_pipe_as_the_csv_is_refused_without_waiting(audit_db: str, fifo: Path) -> None:
    before = table_counts(audit_db)
    proc = cli("--db", audit_db, "import-cases", "a1", str(fifo))
    assert proc.returncode == 1 and proc.stdout == b""
    assert lines_of(proc.stderr) == [f"audit-tui: error: {fifo}: is a named pipe, not a file"]
    assert table_counts(audit_db) == before


@needs_fifo
def test_a_named_pipe_as_a_rubric_file_is_refused_without_waiting(fifo: Path) -> None:
    proc = cli("--rubric-file", str(fifo), "rubrics")
    assert proc.returncode == 1
    assert b"hmip-probation-pdu-2021" in proc.stdout  # the good rubrics are still listed
    assert lines_of(proc.stderr) == [f"audit-tui: error: {fifo}: is a named pipe, not a file"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_dev_zero_is_refused_without_reading(audit_db: str) -> None:
    before = table_counts(audit_db)
    proc = cli("--db", audit_db, "import-cases", "a1", "/dev/zero")
    assert proc.returncode == 1 and proc.stdout == b""
    assert lines_of(proc.stderr) == [
        "audit-tui: error: /dev/zero: is a character device, not a file"
    ]
    assert table_counts(audit_db) == before
    proc = cli("--rubric-file", "/dev/zero", "rubrics")
    assert proc.returncode == 1
    assert lines_of(proc.stderr) == [
        "audit-tui: error: /dev/zero: is a character device, not a file"
    ]


def test_a_folder_is_refused_as_csv_and_as_rubric(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    before = table_counts(audit_db)
    code, out, err = run(capsys, "--db", audit_db, "import-cases", "a1", str(folder))
    assert (code, out) == (1, "")
    assert err == f"audit-tui: error: {folder}: is a folder, not a CSV file\n"
    assert table_counts(audit_db) == before
    code, _, err = run(capsys, "--rubric-file", str(folder), "rubrics")
    assert code == 1 and err == f"audit-tui: error: {folder}: is a folder, not a file\n"


def test_a_csv_over_the_size_cap_is_refused(
    audit_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from audit_tui.io import csvfile

    assert csvfile.MAX_CSV_BYTES == 256 * 1024 * 1024
    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 1024)
    path = tmp_path / "big.csv"
    path.write_text(CASES.replace("C-1", "C-2") + "".join(f"C-{i},,,,\n" for i in range(3, 200)))
    before = table_counts(audit_db)
    code, out, err = run(capsys, "--db", audit_db, "import-cases", "a1", str(path))
    assert (code, out) == (1, "")
    [line] = err.splitlines()
    assert line.startswith(f"audit-tui: error: {path}: is too large (")
    assert line.endswith(" KiB; the limit is 1 KiB)")
    assert table_counts(audit_db) == before


def test_a_rubric_over_the_size_cap_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit_tui.domain import loader

    assert loader.MAX_RUBRIC_BYTES == 4 * 1024 * 1024
    monkeypatch.setattr(loader, "MAX_RUBRIC_BYTES", 40 * 1024)  # the shipped file still fits
    path = tmp_path / "big.toml"
    path.write_text(SHIPPED.read_text(encoding="utf-8") + "# padding\n" * 2000)
    code, out, err = run(capsys, "--rubric-file", str(path), "rubrics")
    assert code == 1 and "hmip-probation-pdu-2021" in out
    [line] = err.splitlines()
    assert line.startswith(f"audit-tui: error: {path}: is too large (")
    assert line.endswith("; the limit is 40 KiB)")


# --- deep nesting ------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "x = " + "[" * depth + "]" * depth + "\n"


@pytest.mark.parametrize(
    "text",
    [nested(5000), nested(40), "a." * 5000 + "a = 1\n", "x = " + "{a = " * 5000 + "1" + "}" * 5000],
    ids=["arrays-5000", "arrays-40", "dotted-5000", "inline-tables-5000"],
)
def test_a_deeply_nested_rubric_is_one_line_naming_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(text)
    code, out, err = run(capsys, "--rubric-file", str(path), "rubrics")
    assert code == 1 and "hmip-probation-pdu-2021" in out
    assert err == f"audit-tui: error: {path}: {DEPTH_LINE}\n"


def test_nesting_up_to_the_limit_is_allowed() -> None:
    assert nesting_depth(load_toml(nested(MAX_TOML_DEPTH))) == MAX_TOML_DEPTH
    assert nesting_depth(load_toml("x = 1\n[a]\ny = [1, 2]\n")) == 2
    with pytest.raises(TomlTooDeep, match=str(MAX_TOML_DEPTH)):
        load_toml(nested(MAX_TOML_DEPTH + 1))


@pytest.mark.parametrize("depth", [5000, 40])
def test_a_deeply_nested_config_is_a_keymap_problem_not_a_crash(tmp_path: Path, depth: int) -> None:
    from audit_tui.tui.app import build_app

    config_dir = Path(os.environ["AUDIT_TUI_CONFIG_DIR"])
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "config.toml"
    path.write_text('[keymap]\nanswer_yes = "j"\n' + nested(depth))
    keymap, problems = load_keymap(path)
    assert keymap == {}
    assert problems == [f"{path}: keymap not loaded: {DEPTH_LINE}"]
    app = build_app(str(tmp_path / "audits.db"))  # reads the same file from the config folder
    assert app._keymap_problems == problems


@needs_fifo
def test_a_named_pipe_as_the_config_is_a_keymap_problem(fifo: Path) -> None:
    code = (
        "import sys\nfrom pathlib import Path\nfrom audit_tui.tui.keymap import load_keymap\n"
        "print(load_keymap(Path(sys.argv[1])))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == repr(
        ({}, [f"{fifo}: keymap not loaded: is a named pipe, not a file"])
    )


def test_a_config_over_the_size_cap_is_a_keymap_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit_tui.tui import keymap

    assert keymap.MAX_CONFIG_BYTES == 1024 * 1024
    monkeypatch.setattr(keymap, "MAX_CONFIG_BYTES", 100)
    path = tmp_path / "config.toml"
    path.write_text("[keymap]\n" + 'answer_yes = "j"\n' * 10)
    assert load_keymap(path) == (
        {},
        [f"{path}: keymap not loaded: is too large (179 bytes; the limit is 100 bytes)"],
    )
    assert load_keymap(tmp_path / "absent.toml") == ({}, [])


# --- printable, bounded error lines ------------------------------------------------------------


def assert_printable(stderr: bytes) -> None:
    assert stderr.endswith(b"\n")
    for line in stderr[:-1].split(b"\n"):
        assert not any(b < 0x20 or b == 0x7F for b in line), line


def test_control_characters_in_an_argument_are_shown_escaped(audit_db: str) -> None:
    proc = cli("--db", audit_db, "import-cases", "\x1b[31mA\x07\nB", "file.csv")
    assert proc.returncode == 1
    assert_printable(proc.stderr)
    assert lines_of(proc.stderr) == [
        'audit-tui: error: audit: no audit named "\\x1b[31mA\\x07\\nB" (audits: a1)'
    ]


def test_control_characters_in_a_file_name_are_shown_escaped(audit_db: str, tmp_path: Path) -> None:
    path = tmp_path / "x\x1b]0;title\x07\ny.csv"
    path.write_text("case_ref,sentence_type,has_psr,rosh,colour\nC-9,licence,no,low,red\n")
    proc = cli("--db", audit_db, "import-cases", "a1", str(path))
    assert proc.returncode == 1
    assert_printable(proc.stderr)
    [line] = lines_of(proc.stderr)
    assert f"{tmp_path}/x\\x1b]0;title\\x07\\ny.csv: row 1, column 'colour'" in line


def test_printable_and_problem_lines() -> None:
    assert printable("a\x1b[2Jb\x07\r\n\t\x7f\x9b\u2028é\\") == (
        "a\\x1b[2Jb\\x07\\r\\n\\t\\x7f\\x9b\\u2028é\\"
    )
    assert problem_lines(["one", "two\x00"]) == ["one", "two\\x00"]
    lines = problem_lines([f"p{i}" for i in range(30_000)])
    assert lines[:2] == ["p0", "p1"] and len(lines) == 21
    assert lines[-1] == "… and 29,980 more problems (showing the first 20)"
    assert problem_lines(["a"] * 21)[-1] == "… and 1 more problem (showing the first 20)"
    [long] = problem_lines(["x" * 10_000])
    assert len(long) < 4100 and long.endswith("… (6,000 more characters)")
