"""The team demo (`make team-demo`): on a private PostgreSQL server, a lead and two auditors with
logins of their own, and a Tameside-like audit of 28 cases shared out between the auditors and
not yet answered. `python -m audit_tui.team_demo OWNER_URL` sets it up and prints each
person's URL, a line each: `person<TAB>role<TAB>url` (scripts/team-demo.sh keeps and shows them)."""

from __future__ import annotations

import sys

from sqlalchemy import text
from sqlalchemy.engine import make_url

from audit_tui.domain.loader import read_rubric_text
from audit_tui.io.imports import import_cases
from audit_tui.paths import shipped_data_dir, shipped_rubric_dir
from audit_tui.store import audits, team
from audit_tui.store.database import open_repository
from audit_tui.store.roles import grant

PEOPLE = {"lead": "lead", "ann": "auditor", "bob": "auditor"}
AUDIT = "team-demo"


def url_for(owner_url: str, person: str) -> str:
    return make_url(owner_url).set(username=person, password=None).render_as_string(False)


def set_up(owner_url: str) -> dict[str, str]:
    owner = open_repository(owner_url)
    with owner.engine.begin() as conn:
        for person in PEOPLE:
            if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :p"), {"p": person}):
                conn.execute(text(f'CREATE ROLE "{person}" LOGIN'))
    for person in PEOPLE:
        grant(owner.engine, person)
    owner.engine.dispose()
    lead = open_repository(url_for(owner_url, "lead"))
    if AUDIT in {a.name for a in audits.list_audits(lead)}:
        audits.delete_audit(lead, AUDIT)
    audit = audits.create_audit(
        lead,
        AUDIT,
        read_rubric_text(shipped_rubric_dir() / "hmip-probation-pdu-2021.toml"),
        pdu="Tameside (team demo)",
    )
    import_cases(lead, audit, shipped_data_dir() / "demo-cases.csv")
    audit = audits.open_audit(lead, AUDIT)
    team.allocate(lead, audit, ["ann", "bob"], balance="sentence_type")
    lead.engine.dispose()
    return {person: url_for(owner_url, person) for person in PEOPLE}


if __name__ == "__main__":
    for person, url in set_up(sys.argv[1]).items():
        print(f"{person}\t{PEOPLE[person]}\t{url}")
