"""The Textual app: screens, widgets, `app.tcss` and command palette providers."""
