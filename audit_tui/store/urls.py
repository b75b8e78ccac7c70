"""Database URLs as text: telling one from a file path, and keeping their passwords out of output.

Light on purpose (no SQLAlchemy): the command line scrubs every error line with it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

SECRET_QUERY_KEYS = frozenset({"password", "sslpassword"})
URL_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?P<userinfo>[^/?#]*)@")


def is_url(target: str) -> bool:
    return "://" in target


def secrets_in(target: str | None) -> list[str]:
    """Every spelling of the password a target may carry (in the user part, up to the last '@',
    or as a `password=` parameter; raw and percent-decoded), longest first.

    Belt and braces: no message is built from the URL itself. Strings under four characters are
    left alone, or scrubbing would mangle every message they happen to occur in."""
    if not target or not is_url(target):
        return []
    found: set[str] = set()
    match = URL_USERINFO.match(target)
    if match and ":" in match.group("userinfo"):
        found.add(match.group("userinfo").split(":", 1)[1])
    for key, value in re.findall(r"[?&]([^=&#]+)=([^&#]*)", target):
        if key.lower() in SECRET_QUERY_KEYS:
            found.add(value)
    found |= {unquote(s) for s in found}
    return sorted((s for s in found if len(s) >= 4), key=len, reverse=True)


def redact(text: str, target: str | None) -> str:
    """`text` with any password of `target` replaced by ***."""
    for secret in secrets_in(target):
        text = text.replace(secret, "***")
    return text
