"""Pure scoring: counts in, key-question results, standard ratings, score and overall out.

No database and no Textual: the store hands over small aggregated counts (SQL GROUP BY) and this
package does the arithmetic, with exact fractions so band edges never wobble.
"""

from audit_tui.scoring.bands import band_for, overall_for, percent_for_banding
from audit_tui.scoring.intervals import wilson_interval
from audit_tui.scoring.results import (
    AuditResult,
    ItemResult,
    KeyQuestionResult,
    StandardResult,
    Tally,
    score_audit,
)

__all__ = [
    "AuditResult",
    "ItemResult",
    "KeyQuestionResult",
    "StandardResult",
    "Tally",
    "band_for",
    "overall_for",
    "percent_for_banding",
    "score_audit",
    "wilson_interval",
]
