"""Every schema revision this release knows, oldest first, without loading SQLAlchemy or Alembic:
opening an up-to-date database compares one string (`migrate.upgrade`), and the audit list's
first read (`kept_list`) runs before SQLAlchemy is imported."""

REVISIONS = (
    "0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011",
    "0012", "0013", "0014", "0015", "0016", "0017",
)  # fmt: skip
"""Every revision in migrations/versions, oldest first (a test keeps them in step)."""
HEAD = REVISIONS[-1]
