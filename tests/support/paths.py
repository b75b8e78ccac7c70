"""Where the tests' fixed files live, said once (the test folders sit at different depths)."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
GOLDEN = TESTS / "golden"
RUBRICS = TESTS / "rubrics"
DATA = ROOT / "data"
