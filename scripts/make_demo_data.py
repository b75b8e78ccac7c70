"""Write the synthetic, pseudonymous demo sample in data/ (deterministic: run it, diff nothing).

28 cases shaped like the Tameside sample (12 with a pre-sentence report, 7 on licence, about one in
ten women, mixed risk levels), answered so that every key question's Yes count is the inspection's.
Usage: python scripts/make_demo_data.py
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audit_tui.domain.loader import load_rubric_file  # noqa: E402

RUBRIC = load_rubric_file(ROOT / "rubric" / "hmip-probation-pdu-2021.toml")
DATA = ROOT / "data"

# fmt: off
# Yes counts printed in the Tameside report (court work over the 12 PSR cases, the rest over 28).
KEY_QUESTIONS = {
    "2.1.1": 7, "2.2.1": 11, "2.2.2": 16, "2.2.3": 8, "2.3.1": 18, "2.3.2": 21, "2.3.3": 12,
    "2.4.1": 20, "2.4.2": 13, "2.4.3": 11, "2.5.1": 20, "2.5.2": 15, "2.5.3": 11, "2.6.1": 9,
}
# Prompts: (yes, not applicable). Where the report gives a figure it is used; the rest are plausible.
PROMPTS = {
    "2.1.1.a": (11, 0), "2.1.1.b": (9, 2), "2.1.1.c": (9, 0), "2.1.1.d": (8, 0), "2.1.1.e": (10, 0),
    "2.1.1.f": (10, 0), "2.1.1.g": (12, 0),
    "2.2.1.a": (9, 0), "2.2.1.b": (10, 0), "2.2.1.c": (20, 0),
    "2.2.2.a": (17, 0), "2.2.2.b": (13, 0), "2.2.2.c": (15, 0),
    "2.2.3.a": (13, 0), "2.2.3.b": (21, 0), "2.2.3.c": (11, 0),
    "2.3.1.a": (19, 0), "2.3.1.b": (18, 0), "2.3.1.c": (16, 0), "2.3.1.d": (17, 0),
    "2.3.2.a": (20, 0), "2.3.2.b": (13, 0), "2.3.2.c": (15, 0),
    "2.3.3.a": (14, 2), "2.3.3.b": (14, 0), "2.3.3.c": (15, 0), "2.3.3.d": (9, 0), "2.3.3.e": (10, 0),
    "2.4.1.a": (24, 0), "2.4.1.b": (21, 0), "2.4.1.c": (20, 0), "2.4.1.d": (18, 0),
    "2.4.2.a": (12, 0), "2.4.2.b": (14, 0), "2.4.2.c": (13, 0), "2.4.2.d": (10, 0),
    "2.4.3.a": (11, 0), "2.4.3.b": (10, 0), "2.4.3.c": (9, 0), "2.4.3.d": (13, 2),
    "2.5.1.a": (17, 0), "2.5.1.b": (16, 0), "2.5.1.c": (15, 0), "2.5.1.d": (18, 0),
    "2.5.2.a": (15, 0), "2.5.2.b": (14, 0), "2.5.2.c": (13, 0), "2.5.2.d": (14, 0),
    "2.5.3.a": (12, 0), "2.5.3.b": (9, 0), "2.5.3.c": (10, 0), "2.5.3.d": (12, 0),
    "2.6.1.a": (7, 0), "2.6.1.b": (4, 0), "2.6.1.c": (12, 0),
}
INDICATORS = {  # (yes, not applicable): oversight 57% insufficient, enforcement 10 of 14 required
    "ind.oversight": (12, 0), "ind.continuity": (18, 0), "ind.enforcement": (10, 14),
    "ind.no_further_offending": (23, 0),
}
# The report found women's assessments worse on sources of information, offending and harm.
WEAKER_FOR_WOMEN = {"2.2.2", "2.2.3", "2.2.2.a", "2.2.2.c", "2.2.3.a", "2.2.3.b"}

NOTES = [
    ("TS23-003", "2.2.3", "improvement", "Police call-out history for domestic abuse was available but not used in the risk of harm analysis."),
    ("TS23-003", "2.3.3.d", "improvement", "No contingency plan for a return to the former partner's address."),
    ("TS23-007", "2.1.1.a", "strength", "Domestic abuse and children's social care enquiries were made and returned before sentence."),
    ("TS23-007", "2.4.1.b", "strength", "Consistent, warm contact; the practitioner adapted appointment times to the person's shift work."),
    ("TS23-012", "2.2.1.b", "improvement", "Neurodiversity mentioned in the PSR was not considered in planning how to engage."),
    ("TS23-015", "2.4.3.d", "improvement", "Information from the MASH was not shared with the accredited programme team."),
    ("TS23-019", "2.5.3.d", "improvement", "New relationship disclosed at week ten; no checks made and the plan was not reviewed."),
    ("TS23-021", "2.3.2.a", "strength", "Referral to the accommodation service sequenced ahead of ETE work, which made sense for the person."),
    ("TS23-024", "2.2.2.c", "improvement", "Assessment relied on self-report; previous convictions and pre-cons not analysed."),
    ("TS23-026", "2.4.2.b", "strength", "Work built on the person's existing family support and their voluntary work."),
]

JUDGEMENTS = [
    ("1.1", "Requires improvement",
     "Leaders were open, visible and had a clear plan aligned with the regional strategy; "
     "Strong strategic relationships with the local authority and police",
     "Strong leadership had not yet translated into sufficient practice in the cases inspected; "
     "Management oversight was insufficient in 57 per cent of cases"),
    ("1.2", "Good",
     "A positive one-team culture; Staff at all grades received regular supervision; "
     "Low attrition and sickness absence",
     "A shortage of probation officers, with POs over 120 per cent on the workload measurement tool; "
     "Half of staff surveyed did not think their workload was manageable"),
    ("1.3", "Requires improvement",
     "Impressive devolved commissioning arrangements; Co-located partner services including a women's centre",
     "Services to protect others did not translate into casework; "
     "Long waits for accredited programmes"),
    ("1.4", "Good",
     "Accessible information, learning resources and an office suited to neurodiverse needs",
     "Too few quality development officers in post across the region"),
]

# fmt: on


def cases() -> list[dict[str, str]]:
    rng = random.Random(2023)
    rows = []
    licence = set(rng.sample(range(28), 7))
    community = [i for i in range(28) if i not in licence]
    psr = set(rng.sample(community, 11)) | {sorted(licence)[0]}
    women = set(rng.sample(range(28), 3))
    rosh = ["very high"] * 2 + ["high"] * 9 + ["medium"] * 12 + ["low"] * 5
    rng.shuffle(rosh)
    ethnicity = ["white"] * 24 + ["mixed", "asian", "asian", "black"]
    rng.shuffle(ethnicity)
    grades = ["PO"] * 12 + ["PSO"] * 12 + ["PQiP"] * 4
    rng.shuffle(grades)
    for i in range(28):
        rows.append(
            {
                "case_ref": f"TS23-{i + 1:03d}",
                "sentence_type": "licence" if i in licence else "community",
                "has_psr": "yes" if i in psr else "no",
                "gender": "female" if i in women else "male",
                "ethnicity": ethnicity[i],
                "rosh": rosh[i],
                "practitioner_grade": grades[i],
            }
        )
    return rows


def answers(case_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    rng = random.Random(28)
    quality = {c["case_ref"]: rng.random() for c in case_rows}
    out = {c["case_ref"]: {"case_ref": c["case_ref"]} for c in case_rows}

    def assign(item_id: str, yes: int, na: int, lean: dict[str, float]) -> None:
        relevant = [c for c in case_rows if RUBRIC.applies(item_id, c)]
        for c in relevant:
            out[c["case_ref"]].setdefault(item_id, "")
        na_cases = set(c["case_ref"] for c in rng.sample(relevant, na))
        ranked = sorted(
            (c for c in relevant if c["case_ref"] not in na_cases),
            key=lambda c: (
                -(
                    quality[c["case_ref"]]
                    + lean.get(c["case_ref"], 0.0)
                    + rng.random() * 0.6
                    - (1.5 if c["gender"] == "female" and item_id in WEAKER_FOR_WOMEN else 0)
                )
            ),
        )
        for rank, c in enumerate(ranked):
            out[c["case_ref"]][item_id] = "Yes" if rank < yes else "No"
        for ref in na_cases:
            out[ref][item_id] = "N/A"

    for kq_id, yes in KEY_QUESTIONS.items():
        assign(kq_id, yes, 0, {})
        kq_yes = {ref: 0.8 if row.get(kq_id) == "Yes" else 0.0 for ref, row in out.items()}
        for prompt in RUBRIC.items[kq_id].item.prompts:  # type: ignore[union-attr]
            assign(prompt.id, *PROMPTS[prompt.id], kq_yes)
    for ind_id, (yes, na) in INDICATORS.items():
        assign(ind_id, yes, na, {})
    columns = ["case_ref", *RUBRIC.column_order]
    return [{col: row.get(col, "") for col in columns} for row in out.values()]


def write(name: str, rows: list[dict[str, str]] | list[tuple[str, ...]], header: list[str]) -> None:
    with (DATA / name).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([row[h] for h in header] if isinstance(row, dict) else row)


def main() -> None:
    DATA.mkdir(exist_ok=True)
    (DATA / "templates").mkdir(exist_ok=True)
    case_rows = cases()
    attrs = ["case_ref", *(a.id for a in RUBRIC.attributes)]
    write("demo-cases.csv", case_rows, attrs)
    write("demo-answers.csv", answers(case_rows), ["case_ref", *RUBRIC.column_order])
    write("demo-judgements.csv", JUDGEMENTS, ["standard_id", "rating", "strengths", "improvements"])
    write("demo-notes.csv", NOTES, ["case_ref", "item_id", "tag", "note"])
    write("templates/cases.csv", [], attrs)
    write("templates/answers.csv", [], ["case_ref", *RUBRIC.column_order])
    write("templates/judgements.csv", [], ["standard_id", "rating", "strengths", "improvements"])


if __name__ == "__main__":
    main()
