"""Who a person is, said one way everywhere: the rule for a login name.

Every name a user gives (`--as`, `grant`, `member add`, `allocate --auditors`, `moderate
--marker`, `import-answers --second-marker`, `history --by`, the app's dialogs) goes through
`login_name`, so a name stored in one place is found in every other.

Letter case: on SQLite a name is as typed (stripped), and any name is accepted. On PostgreSQL
a name is the login as the server knows it (`session_user`, `pg_roles.rolname`), compared
exactly; where the name typed is not a login but its lower-case form is, that login is meant
(PostgreSQL folds unquoted names to lower case: `CREATE ROLE Ann` makes `ann`). The server's
side of the rule is `store/logins.py`.
"""

from __future__ import annotations

import os
import pwd
import unicodedata

from audit_tui.domain.errors import AuditError, printable

NAME_BYTES = 63
"""Longest login name in bytes: PostgreSQL's NAMEDATALEN (64) less its terminating zero. The
server cuts a longer name short without a word, so the one typed would never match it."""


def login_name(text: str, what: str = "user") -> str:
    """`text` as a login name: stripped; not empty; no spaces or control characters inside;
    at most NAME_BYTES bytes of UTF-8. Otherwise an AuditError naming `what`."""
    name = text.strip()
    if not name:
        raise AuditError.at(what, "a login name cannot be empty")
    bad = next((ch for ch in name if unicodedata.category(ch).startswith("C")), None)
    if bad is not None:
        shown = printable(bad) if printable(bad) != bad else f"U+{ord(bad):04X}"
        raise AuditError.at(
            what, f"'{printable(name)}' holds a control character ({shown}): give the login name"
        )
    if any(ch.isspace() for ch in name):
        raise AuditError.at(what, f"'{name}' has spaces: give the login name")
    size = len(name.encode("utf-8"))
    if size > NAME_BYTES:
        raise AuditError.at(
            what,
            f"{printable(name[:20])}… is {size} bytes long: a login name has at most"
            f" {NAME_BYTES} (PostgreSQL's limit)",
        )
    return name


def account_name() -> str:
    """The account this process runs as, for a person who gave no name."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # no entry for this uid in some containers
        return "unknown"


def local_name(claimed: str | None, claimed_by: str, account_by: str) -> str:
    """Who is acting on SQLite: the name claimed (an error naming `claimed_by` if it breaks the
    rule), else the account's (naming `account_by`)."""
    if claimed:
        return login_name(claimed, claimed_by)
    return login_name(account_name(), account_by)


def folded(name: str) -> str:
    """`name` as PostgreSQL folds an unquoted name: ASCII letters to lower case, nothing else."""
    return "".join(chr(ord(ch) + 32) if "A" <= ch <= "Z" else ch for ch in name)
