"""A synthetic large audit: N cases answered on the 14 key questions, as CSV files."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from audit_tui.domain.rubric import Rubric


def key_question_ids(rubric: Rubric) -> list[str]:
    return [k.id for s in rubric.standards for k in s.key_questions]


def write_csvs(rubric: Rubric, folder: Path, n_cases: int, seed: int = 10_000) -> tuple[Path, Path]:
    """Cases (about 4 in 10 with a PSR) and wide answers to every key question that applies."""
    rng = random.Random(seed)
    cases_path, answers_path = folder / "cases.csv", folder / "answers.csv"
    kqs = key_question_ids(rubric)
    with cases_path.open("w", newline="") as cf, answers_path.open("w", newline="") as af:
        cw, aw = csv.writer(cf), csv.writer(af)
        cw.writerow(["case_ref", "sentence_type", "has_psr", "gender", "rosh"])
        aw.writerow(["case_ref", *kqs])
        for i in range(n_cases):
            attrs = {
                "sentence_type": rng.choice(["community", "community", "licence"]),
                "has_psr": "yes" if rng.random() < 0.43 else "no",
                "gender": "female" if rng.random() < 0.1 else "male",
                "rosh": rng.choice(["low", "medium", "high", "very high"]),
            }
            ref = f"B-{i:06d}"
            cw.writerow([ref, *attrs.values()])
            row = [
                rng.choice(["yes", "no", "yes", "n/a"]) if rubric.applies(k, attrs) else ""
                for k in kqs
            ]
            aw.writerow([ref, *row])
    return cases_path, answers_path
