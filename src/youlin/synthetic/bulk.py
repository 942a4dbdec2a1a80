"""Bulk writes for the loader: ``COPY`` on PostgreSQL, ``executemany`` elsewhere, explicit primary keys.

The synthetic city allocates primary keys itself (so cases can point at each other before they are written)
and resets the sequences afterwards. It assumes nobody else writes those tables while it runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.management.color import no_style
from django.db import connection
from django.db.models import DateTimeField, Max, Model
from django.utils import timezone


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def next_id(model: type[Model]) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def reset_sequences(*models: type[Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def analyze(*models: type[Model]) -> None:
    """Fresh planner statistics after a bulk load (autovacuum would get there, later)."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _column(model: type[Model], name: str) -> str:
    return model._meta.get_field(name).column


def _default(field):
    value = field.get_default()
    if isinstance(value, dict | list):
        return as_json(value)
    if value is None and isinstance(field, DateTimeField):
        return timezone.now()  # auto_now / auto_now_add
    return value


def write_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence], *, chunk: int = 20_000) -> int:
    """Write ``rows`` (values in the order of ``fields``; JSON as ``str``, datetimes aware) into ``model``'s table."""
    table = connection.ops.quote_name(model._meta.db_table)
    # Columns the loader does not know about (added to the model later) get the model's default.
    given = {model._meta.get_field(f).attname for f in fields}
    extra = [f for f in model._meta.concrete_fields if f.attname not in given and not f.primary_key and not f.null]
    extra_values = tuple(_default(f) for f in extra)
    if extra:
        fields = [*fields, *(f.name for f in extra)]
        rows = (tuple(row) + extra_values for row in rows)
    columns = ", ".join(connection.ops.quote_name(_column(model, f)) for f in fields)
    written = 0
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # psycopg 3
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        adapt = connection.ops.adapt_datetimefield_value
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608 - names from _meta
        batch: list[list] = []
        for row in rows:
            batch.append([adapt(v) if isinstance(v, datetime) else v for v in row])
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
