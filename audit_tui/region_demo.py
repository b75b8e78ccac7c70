"""The region demo: ten synthetic PDUs of one region, four quarterly audits each, with realistic
spreads between them and one PDU that differs (weak on planning to keep people safe), so the
regional view has something true to find. Loaded through the same importers as a user's CSV
files; every figure comes from a seeded generator, so the demo is the same on every machine."""

from __future__ import annotations

import csv
import random
import tempfile
from pathlib import Path

from audit_tui.domain.loader import read_rubric_text
from audit_tui.io.csvfile import read_csv
from audit_tui.io.imports import import_answers, import_cases, import_judgements
from audit_tui.paths import shipped_data_dir, shipped_rubric_dir
from audit_tui.store import audits
from audit_tui.store.repository import Repository

REGION = "Demo North (synthetic)"
RUBRIC = "hmip-probation-pdu-2021"
PDUS = (
    ("Ashworth", "AW"),
    ("Brackenfield", "BF"),
    ("Calderbrook", "CB"),
    ("Dunmore", "DM"),
    ("Elmstead", "ES"),
    ("Fernhill", "FH"),
    ("Greyholm", "GH"),
    ("Hartleigh", "HL"),
    ("Ivybridge Vale", "IV"),
    ("Juniper Moss", "JM"),
)
"""Invented names, none a real PDU."""
OUTLIER = "Dunmore"
OUTLIER_ITEM = "2.3.3"
QUARTERS = ("2026-q1", "2026-q2", "2026-q3", "2026-q4")
SEED = 2026


def audit_name(pdu: str, quarter: str) -> str:
    return f"region-{pdu.lower().replace(' ', '-')}-{quarter}"


def load_region_demo(repo: Repository, quarters: int = len(QUARTERS)) -> list[str]:
    """Create the region's audits (ten PDUs, `quarters` audits each: 40), replacing earlier
    copies; their names, oldest first."""
    data = shipped_data_dir()
    text = read_rubric_text(shipped_rubric_dir() / f"{RUBRIC}.toml")
    case_table = read_csv(data / "demo-cases.csv")
    answer_table = read_csv(data / "demo-answers.csv")
    case_rows = [row for _, row in case_table.rows]
    answer_rows = [row for _, row in answer_table.rows]
    rng = random.Random(SEED)
    created = []
    with tempfile.TemporaryDirectory(prefix="audit-tui-region-") as folder:
        work = Path(folder)
        for q, quarter in enumerate(QUARTERS[:quarters]):
            for pdu, code in PDUS:
                name = audit_name(pdu, quarter)
                audits.delete_audit(repo, name)
                audit = audits.create_audit(repo, name, text, pdu=pdu, region=REGION)
                prefix = f"{code}{q + 1}-"
                cases = _write(
                    work / "cases.csv",
                    case_table.header,
                    [{**row, "case_ref": prefix + row["case_ref"][5:]} for row in case_rows],
                )
                import_cases(repo, audit, cases)
                skill = rng.gauss(0.62 + 0.03 * q, 0.07)  # the PDU this quarter
                rows = [
                    {
                        column: _answer(rng, column, value, skill, pdu == OUTLIER)
                        for column, value in row.items()
                    }
                    | {"case_ref": prefix + row["case_ref"][5:]}
                    for row in answer_rows
                ]
                import_answers(repo, audit, _write(work / "answers.csv", answer_table.header, rows))
                import_judgements(repo, audit, data / "demo-judgements.csv")
                created.append(name)
    return created


def _answer(rng: random.Random, column: str, value: str, skill: float, outlier: bool) -> str:
    """The demo's pattern of what applies (a blank or N/A stays), answered at this PDU's level."""
    if column == "case_ref" or value in ("", "N/A"):
        return value
    chance = skill
    if outlier and column.startswith(OUTLIER_ITEM):
        chance = 0.12
    return "Yes" if rng.random() < min(0.97, max(0.03, chance)) else "No"


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path
