"""The framework as data: rubric model and loader, answer values, case attributes. No I/O but reading a file."""
