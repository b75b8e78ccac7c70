"""audit-tui: case-file audits against the HMIP probation framework."""

__version__ = "0.1.0"
