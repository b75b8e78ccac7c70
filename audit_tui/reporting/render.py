"""One entry point for every report format, used by the CLI and the TUI's export."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.domain.safe_text import guard
from audit_tui.reporting.formats import FORMATS as FORMATS  # re-exported
from audit_tui.scoring.breakdowns import DEFAULT_MIN_GROUP
from audit_tui.store import answers, scores
from audit_tui.store import cases as case_ops
from audit_tui.store.repository import Repository


def render_report(
    repo: Repository,
    audit: OpenAudit,
    fmt: str,
    include_notes: bool = False,
    min_group: int = DEFAULT_MIN_GROUP,
    section: str | None = None,
) -> str | bytes:
    """The report as text, or bytes for xlsx; with `section` ("moderation") only that section.
    Refused to a second marker still marking blind: it would show them the first marks."""
    from audit_tui.store.moderation import refuse_if_blind
    from audit_tui.store.settlement import summary

    refuse_if_blind(repo, audit, "report")
    if section == "moderation":
        from audit_tui.reporting.model import moderation_title
        from audit_tui.reporting.moderation_section import render_moderation

        title = moderation_title(repo, audit)
        return render_moderation(audit, summary(repo, audit), fmt, include_notes, title)
    if fmt == "json":
        from audit_tui.reporting.json_report import render_json
        from audit_tui.store.sampling import sample

        drawn = sample(repo, audit)
        cases = case_ops.list_cases(repo, audit, progress=False) if drawn is not None else []
        return render_json(
            scores.score(repo, audit),
            audit.info,
            summary(repo, audit),
            (drawn, cases),
            include_notes,
        )
    if fmt == "csv":
        from audit_tui.reporting.case_csv import render_case_csv

        return render_case_csv(
            audit,
            case_ops.list_cases(repo, audit, progress=False),
            answers.answer_values(repo, audit),
            answers.all_answers(repo, audit) if include_notes else None,
        )
    from audit_tui.reporting.model import build_report

    data = build_report(repo, audit, include_notes=include_notes, min_group=min_group)
    if fmt == "md":
        from audit_tui.reporting.markdown import render_markdown

        return render_markdown(data)
    if fmt == "html":
        from audit_tui.reporting.html_report import render_html

        return render_html(data)
    if fmt == "xlsx":
        from audit_tui.reporting.xlsx_report import render_xlsx

        return render_xlsx(
            data,
            answers.answer_values(repo, audit),
            answers.all_answers(repo, audit) if include_notes else None,
        )
    raise ValueError(f"unknown report format {fmt!r}")


SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")
KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def export_detail(fmt: str, notes: bool, where: str, purpose: str | None) -> str:
    """What the audit's log keeps of an export: `md report with notes to /path: purpose`."""
    why = " ".join((purpose or "").split()) or "no purpose given"
    return f"{fmt} report{' with notes' if notes else ''} to {where}: {why}"


def database_files(repo: Repository) -> list[Path]:
    """The SQLite file a repository reads (none on PostgreSQL): what a report must never replace."""
    url = repo.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return [Path(url.database)]
    return []


def refusal(path: Path, protect: Iterable[str | os.PathLike[str]] = ()) -> str | None:
    """Why `path` must not be replaced by a report, or None. A report replaces only a regular file
    that is neither a database nor a symbolic link: `--out audits.db` once destroyed the audits,
    and writing to a pipe, a device or through a link would hang or clobber something else."""
    parent = path.parent
    if not parent.is_dir():
        missing = "does not exist" if not parent.exists() else "is not a folder"
        return f"cannot write: {parent} {missing}"
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot write ({exc.strerror or exc})"
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "is a symbolic link: refusing to replace it or what it points to"
    kind = next((name for test, name in KINDS if test(mode)), None)
    if kind is None and not stat.S_ISREG(mode):
        kind = "not a regular file"
    if kind:
        return f"is {kind}, not a report file: refusing to replace it"
    if (st.st_dev, st.st_ino) in _identities(protect):
        return "is the database this report was read from: refusing to replace it"
    try:
        header = _first_bytes(path, len(SQLITE_HEADER))
    except OSError as exc:
        return f"cannot check what it holds ({exc.strerror or exc}): refusing to replace it"
    if header == SQLITE_HEADER:
        return "is a database, not a report: refusing to replace it"
    return None


def _identities(protect: Iterable[str | os.PathLike[str]]) -> set[tuple[int, int]]:
    """(device, inode) of each protected database and its -wal/-shm/-journal files, so a hard
    link or another spelling of the same path is caught too."""
    out = set()
    for db in protect:
        for suffix in SQLITE_COMPANIONS:
            try:
                st = os.stat(os.fspath(db) + suffix)
            except OSError:
                continue
            out.add((st.st_dev, st.st_ino))
    return out


def _first_bytes(path: Path, n: int) -> bytes:
    """Read without following a link or waiting on a pipe swapped in since the check."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return os.read(fd, n)
    finally:
        os.close(fd)


def write_atomically(
    path: Path, content: str | bytes, protect: Iterable[str | os.PathLike[str]] = ()
) -> None:
    """Replace `path` whole or not at all: write an owner-only temp file beside it, fsync, rename,
    fsync the folder. Refuses (AuditError, one line) what `refusal` names; on any OSError (disk
    full) the temp file goes and the old file stays as it was. `protect`: the database files the
    report was read from. Text passes through `guard` on its way: no control character a
    renderer let through reaches the file."""
    path = Path(path)
    protect = list(protect)
    why = refusal(path, protect)
    if why:
        raise AuditError.at(str(path), why)
    data = guard(content).encode("utf-8") if isinstance(content, str) else content
    tmp = None
    try:
        # mkstemp creates the file 0600 whatever the umask: exports hold case data
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        why = refusal(path, protect)  # something may have appeared there meanwhile
        if why:
            raise AuditError.at(str(path), why)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise AuditError.at(
            str(path), f"cannot write ({exc.strerror or exc}); nothing was replaced"
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    try:
        _fsync_folder(path.parent)
    except OSError as exc:
        raise AuditError.at(
            str(path), f"written, but not yet safely on disk ({exc.strerror or exc})"
        ) from None


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable. Some file systems cannot sync a folder: that is no error."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF):
            raise
    finally:
        os.close(fd)
