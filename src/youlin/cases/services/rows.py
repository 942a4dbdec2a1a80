"""Model instances written with one plain ``INSERT … RETURNING id`` per table, without ``Model.save()``'s
machinery (the SQL compiler, per-field expression resolution, ``pre_save``/``post_save`` signals).

For the writes a registration makes on every report (the case, its assignments, events, followers; an
interface's submission): nothing listens to these models' signals (``post_save`` receivers would be skipped
here: connect none to them, or write that model with ``save()``). Field values go through each field's own
``pre_save(add=True)`` (``auto_now``/``auto_now_add`` timestamps) and ``get_db_prep_save`` (JSON, datetimes,
foreign keys), as ``save()`` does; the instances get their ids and are marked as saved.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import AutoField, Model

_plans: dict[tuple[type, str], tuple[list, str]] = {}


def _plan(model: type[Model]) -> tuple[list, str]:
    """The fields written (every concrete field but an automatic primary key) and the INSERT's head."""
    key = (model, connection.vendor)
    found = _plans.get(key)
    if found is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, AutoField))]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        head = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - a model's own names
        found = _plans[key] = (fields, head)
    return found


def insert(objs: Sequence[Model]) -> None:
    """Insert instances of one model (new, primary key unset) in one statement; each gets its id."""
    if not objs:
        return
    model = type(objs[0])
    fields, head = _plan(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params: list = []
    for obj in objs:
        for f in fields:
            value = f.pre_save(obj, True)
            # None is NULL for every field written here (a JSON field's None too, as with save()).
            params.append(None if value is None else f.get_db_prep_save(value, connection))
    pk = model._meta.pk
    sql = f"{head}{', '.join([row] * len(objs))} RETURNING {connection.ops.quote_name(pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = cursor.fetchall()
    alias = connection.alias
    for obj, (pk_value,) in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
        obj._state.adding = False
        obj._state.db = alias
