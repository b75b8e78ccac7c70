"""The report formats, in one place (light to import: the CLI builds its parser from it)."""

FORMATS = ("json", "md", "html", "csv", "xlsx")
BINARY = frozenset({"xlsx"})
