"""Moving many rows at once, at close to the driver's own speed (10,000-case imports and exports)."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Select, Table, insert


def bulk_insert(
    conn: Connection,
    table: Table,
    keys: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    **constants: Any,
) -> None:
    """INSERT many rows through the driver's executemany, binding constant columns once.

    Core's per-row parameter processing costs several times the insert itself on large imports;
    rows here hold only plain str/int values, which need no processing.
    """
    if not rows:
        return
    dialect = conn.dialect
    fixed = {}
    for key, value in constants.items():
        # the dialect's own type (SQLite's DATETIME writes its string form), not the generic one
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        fixed[key] = process(value) if process else value
    names = [*keys, *fixed]
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    if compiled.positional:
        reorder = itemgetter(*(names.index(n) for n in compiled.positiontup or ()))
        tail = tuple(fixed.values())
        params: list[Any] = [reorder(row + tail) for row in rows]
    else:
        params = [{**dict(zip(keys, row, strict=True)), **fixed} for row in rows]
    conn.exec_driver_sql(compiled.string, params)


def driver_rows(conn: Connection, query: Select[Any]) -> list[tuple[Any, ...]]:
    """Run a SELECT on the driver's cursor, as plain tuples.

    For wide reads of plain str/int columns (every answer of an audit), where building a Row per
    result costs more than the query itself.
    """
    compiled = query.compile(dialect=conn.dialect)
    params = compiled.params
    bound: Any = (
        tuple(params[name] for name in compiled.positiontup or ())
        if compiled.positional
        else params
    )
    cursor = conn.connection.cursor()
    try:
        cursor.execute(compiled.string, bound)
        return cursor.fetchall()
    finally:
        cursor.close()
