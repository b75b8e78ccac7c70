"""Persistence: SQLModel tables, the engine factory, migrations and a repository of plain objects."""
