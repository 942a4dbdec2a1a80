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
from datetime import datetime

from django.db import connection, models
from django.db.models import AutoField, Model

_plans: dict[tuple[type, str], tuple[list, str]] = {}

# Fields whose database value is the Python value itself when it has one of these types (what their own
# ``get_db_prep_save`` returns for it): such values skip the field's conversion chain.
_PLAIN = (
    (models.CharField, (str,)),
    (models.TextField, (str,)),
    (models.BooleanField, (bool,)),
    (models.IntegerField, (int,)),
    (models.FloatField, (float,)),
    (models.ForeignKey, (int,)),  # the id (``attname``): the targets here are integer primary keys
)


def _plain_types(field) -> tuple:
    if isinstance(field, models.ForeignKey) and not isinstance(field.target_field, models.AutoField):
        return ()
    for kind, types in _PLAIN:
        if isinstance(field, kind):
            return types
    return ()


def _plan(model: type[Model]) -> tuple[list, str]:
    """The fields written (every concrete field but an automatic primary key), each with the types it takes
    as they are and whether it is a date and time, and the INSERT's head."""
    key = (model, connection.vendor)
    found = _plans.get(key)
    if found is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, AutoField))]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        head = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - a model's own names
        plan = [(f, _plain_types(f), isinstance(f, models.DateTimeField)) for f in fields]
        found = _plans[key] = (plan, head)
    return found


def _value(field, plain: tuple, moment: bool, obj: Model):
    value = field.pre_save(obj, True)
    if value is None:
        return None  # NULL for every field written here (a JSON field's None too, as with save())
    if type(value) in plain:
        return value
    if moment and type(value) is datetime and value.tzinfo is not None:
        return connection.ops.adapt_datetimefield_value(value)  # what DateTimeField ends with for an aware time
    return field.get_db_prep_save(value, connection)


def _statement(objs: Sequence[Model]) -> tuple[str, list]:
    plan, head = _plan(type(objs[0]))
    row = "(" + ", ".join(["%s"] * len(plan)) + ")"
    params = [_value(f, plain, moment, obj) for obj in objs for f, plain, moment in plan]
    pk = connection.ops.quote_name(objs[0]._meta.pk.column)
    return f"{head}{', '.join([row] * len(objs))} RETURNING {pk}", params


def _saved(objs: Sequence[Model], ids: Sequence) -> None:
    pk, alias = objs[0]._meta.pk, connection.alias
    for obj, pk_value in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
        obj._state.adding = False
        obj._state.db = alias


def insert(objs: Sequence[Model]) -> None:
    """Insert instances of one model (new, primary key unset) in one statement; each gets its id."""
    if not objs:
        return
    sql, params = _statement(objs)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [pk for (pk,) in cursor.fetchall()]
    _saved(objs, ids)


def insert_together(*groups: Sequence[Model]) -> None:
    """``insert`` for several groups (one model each). On PostgreSQL in one statement, each ``INSERT`` a query
    of its ``WITH`` (one round trip instead of one per table); elsewhere one statement per group (SQLite runs in
    the process: a statement costs no round trip). Within a group the ids are handed out in order, as for a
    multi-row ``INSERT``."""
    groups = [g for g in groups if g]
    if connection.vendor != "postgresql" or len(groups) < 2:
        for objs in groups:
            insert(objs)
        return
    parts, params = [], []
    for i, objs in enumerate(groups):
        sql, values = _statement(objs)
        parts.append(f"i{i} AS ({sql})")
        params.extend(values)
    union = " UNION ALL ".join(
        f"SELECT {i} AS g, {connection.ops.quote_name(objs[0]._meta.pk.column)} AS id FROM i{i}"  # noqa: S608
        for i, objs in enumerate(groups)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} {union} ORDER BY 1, 2", params)
        found = cursor.fetchall()
    for i, objs in enumerate(groups):
        _saved(objs, [pk for g, pk in found if g == i])
