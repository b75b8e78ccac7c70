"""CSV import and export with validation. Every import is checked in full before anything is written."""
