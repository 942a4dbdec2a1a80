"""The database side of the import's bulk writes, without model instances: primary keys reserved up front, rows
written from plain tuples (``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` of one plain ``INSERT`` on
SQLite), and a temporary staging table that set-based statements (``INSERT … SELECT``) read from.

Values go in as given: no ``save()``, no signals, no field ``pre_save`` (callers pass every timestamp). JSON
columns take JSON text (``json.dumps``). On PostgreSQL ``COPY`` is binary, typed by the columns' own types."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from django.db import connection

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


# PostgreSQL's binary ``COPY``: each column typed, so psycopg writes every value in the server's own binary form
# (nothing formatted as text here, nothing parsed there: half the client's CPU of the text format on a case row,
# bench/NOTES.md). A JSON column goes as jsonb's binary form, a version byte and the text, written as raw bytes.
_BINARY_NAMES = {"timestamp with time zone": "timestamptz", "double precision": "float8", "jsonb": "bytea"}
JSONB_VERSION = b"\x01"


def _binary_type(db_type: str) -> str:
    base = db_type.split("(")[0].strip()
    return _BINARY_NAMES.get(base, base)


def _jsonb_rows(rows: Iterable[tuple], positions: Sequence[int]) -> Iterator[list]:
    """The rows with the JSON text at ``positions`` as jsonb's binary form."""
    for row in rows:
        row = list(row)
        for i in positions:
            if row[i] is not None:
                row[i] = JSONB_VERSION + row[i].encode()
        yield row


def write_rows(table: str, columns: Sequence[str], rows: Sequence[tuple], db_types: Sequence[str]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``; JSON as its text) into ``table``; ``db_types``: the
    columns' database types (``bigint``, ``varchar(16)``, ``jsonb``, ``timestamp with time zone`` …)."""
    if not rows:
        return
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            json = [i for i, t in enumerate(db_types) if t == "jsonb"]
            with cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([_binary_type(t) for t in db_types])
                write = copy.write_row
                for row in _jsonb_rows(rows, json) if json else rows:
                    write(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})", _sqlite_rows(rows))  # noqa: S608


def model_rows(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """``write_rows`` into a model's table; ``columns`` are its fields' attribute names (``case_id``)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    chosen = [fields[c] for c in columns]
    write_rows(model._meta.db_table, [f.column for f in chosen], rows, [f.db_type(connection) for f in chosen])


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
        write_rows(name, list(columns), rows, [types[t] for t in columns.values()])
    yield table
    # Not in a ``finally``: after an error the transaction is rolled back, and the table with it.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
