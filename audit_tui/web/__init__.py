"""`audit-tui serve`'s parts: who may open the app in a browser, and how each tab's app starts.

Loaded only by `serve` (aiohttp, textual-serve, psycopg), except `pipe`, which every app reads.
"""
