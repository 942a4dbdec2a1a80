"""The database side of the import's bulk writes, without model instances: primary keys reserved up front, rows
written from plain tuples (``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` of one plain ``INSERT`` on
SQLite), and a temporary staging table that set-based statements (``INSERT … SELECT``) read from.

Values go in as given: no ``save()``, no signals, no field ``pre_save`` (callers pass every timestamp). JSON
columns take JSON text (``json.dumps``)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, models

# Column types of a staging table, per database.
TYPES = {
    "postgresql": {"id": "bigint", "json": "jsonb", "time": "timestamptz", "text": "text"},
    "sqlite": {"id": "integer", "json": "text", "time": "text", "text": "text"},
}


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for a block that makes a file's worth of objects (rows, plans,
    tuples): each collection walks the whole heap, and tens of thousands of new containers set off several
    (a third of the time of reading and checking 50,000 rows). Those objects make no cycles to speak of; what
    cycles there are wait for the next collection after the block."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def reserve_ids(model, count: int) -> list[int]:
    """``count`` primary keys for ``model``'s table, in ascending order. PostgreSQL draws them from the table's
    sequence (safe beside concurrent inserts), named once by its oid: ``pg_get_serial_sequence`` per row made
    each id cost ≈ 7 µs of the server's time instead of ≈ 0.8; SQLite continues after the largest id ever given (its
    ``AUTOINCREMENT`` counter, which the rows inserted with these ids move on): the caller already holds the
    database's write lock (the case numbers were reserved first, in the same transaction)."""
    if count <= 0:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)::regclass::oid", [meta.db_table, meta.pk.column])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT nextval(%s::bigint::oid::regclass) FROM generate_series(1, %s)", [sequence, count])
            return sorted(pk for (pk,) in cursor.fetchall())
        cursor.execute(f"SELECT MAX({qn(meta.pk.column)}) FROM {qn(meta.db_table)}")  # noqa: S608 - fixed names
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
        found = cursor.fetchone()
        start = max(largest, found[0] if found else 0) + 1
    return list(range(start, start + count))


def _sqlite_rows(rows: Iterable[tuple]) -> Iterator[tuple]:
    adapt = connection.ops.adapt_datetimefield_value
    for row in rows:
        yield tuple(adapt(v) if isinstance(v, datetime) else v for v in row)


def _times_as_text(rows: Iterable[tuple], positions: Sequence[int]) -> Iterator[list]:
    """The rows with the date-times at ``positions`` given as ISO 8601 text (their offset included), each
    datetime object formatted once: the server reads the same instant, and psycopg's own datetime dumper costs
    ~1.4 µs a value against ~0.1 for text (a case row has eight date-times, most of them the import's ``now``
    and the call's time twice)."""
    seen: dict[int, tuple[datetime, str]] = {}  # id → (the object, kept alive so its id stays its own; text)
    for row in rows:
        row = list(row)
        for i in positions:
            value = row[i]
            if type(value) is datetime:
                found = seen.get(id(value))
                if found is None:
                    found = seen[id(value)] = (value, value.isoformat())
                row[i] = found[1]
        yield row


def write_rows(table: str, columns: Sequence[str], rows: Sequence[tuple], times: Sequence[int] = ()) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; ``times``: the positions of its
    date-time columns (written as text on PostgreSQL)."""
    if not rows:
        return
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in _times_as_text(rows, times) if times else rows:
                    write(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})", _sqlite_rows(rows))  # noqa: S608


def model_rows(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """``write_rows`` into a model's table; ``columns`` are its fields' attribute names (``case_id``)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    times = [i for i, c in enumerate(columns) if isinstance(fields[c], models.DateTimeField)]
    write_rows(model._meta.db_table, [fields[c].column for c in columns], rows, times)


@contextmanager
def staging(name: str, columns: dict[str, str], rows: Sequence[tuple]) -> Iterator[str]:
    """A temporary table ``name`` (``columns``: name → ``id``/``json``/``time``/``text``; the first is the
    primary key) holding ``rows``, dropped after the block. Yields its quoted name."""
    types = TYPES[connection.vendor]
    table = qn(name)
    spec = ", ".join(
        f"{qn(c)} {types[t]}{' PRIMARY KEY' if i == 0 else ''}" for i, (c, t) in enumerate(columns.items())
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ({spec})")
        write_rows(name, list(columns), rows, [i for i, t in enumerate(columns.values()) if t == "time"])
    yield table
    # Not in a ``finally``: after an error the transaction is rolled back, and the table with it.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
