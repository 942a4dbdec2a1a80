"""Model instances written with one plain ``INSERT … RETURNING id`` per table, without ``Model.save()``'s
machinery (the SQL compiler, per-field expression resolution, ``pre_save``/``post_save`` signals).

For the writes a registration makes on every report (the case, its assignments, events, followers; an
interface's submission): nothing listens to these models' signals (``post_save`` receivers would be skipped
here: connect none to them, or write that model with ``save()``). Field values go through each field's own
``pre_save(add=True)`` where it can do anything (``auto_now``/``auto_now_add`` timestamps: ``needs_pre_save``;
the plan of each model is worked out once) and ``get_db_prep_save`` (JSON, datetimes, foreign keys), as
``save()`` does; the instances get their ids and are marked as saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import AutoField, Field, Model

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


# The date fields whose own ``pre_save`` does something only for ``auto_now``/``auto_now_add`` and otherwise reads
# the attribute, as ``Field.pre_save`` does.
_DATE_PRE_SAVES = (models.DateField.pre_save, models.DateTimeField.pre_save, models.TimeField.pre_save)


def needs_pre_save(field) -> bool:
    """Whether the field's ``pre_save(obj, add=True)`` can return anything but the attribute as it is: a field
    class with a ``pre_save`` of its own (a file, a slug…), or a date field with ``auto_now``/``auto_now_add``.
    The others are read as ``Field.pre_save`` reads them (``getattr``), without the call."""
    pre_save = type(field).pre_save
    if pre_save is Field.pre_save:
        return False
    if pre_save in _DATE_PRE_SAVES:
        return bool(field.auto_now or field.auto_now_add)
    return True


def _plan(model: type[Model]) -> tuple[list, str]:
    """The fields written (every concrete field but an automatic primary key), each with its attribute name,
    whether its ``pre_save`` must be called, the types it takes as they are and whether it is a date and time;
    and the INSERT's head."""
    key = (model, connection.vendor)
    found = _plans.get(key)
    if found is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, AutoField))]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        head = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - a model's own names
        plan = [(f, f.attname, needs_pre_save(f), _plain_types(f), isinstance(f, models.DateTimeField)) for f in fields]
        found = _plans[key] = (plan, head)
    return found


def _values(plan: list, objs: Sequence[Model]) -> list:
    """Each object's field values in the plan's order, as ``save()`` would write them: ``pre_save`` where it
    matters, the attribute otherwise; None is NULL for every field written here (a JSON field's None too, as
    with ``save()``); a value of a plain type is its own database value, an aware datetime what
    ``DateTimeField`` ends with for it, anything else the field's ``get_db_prep_save``."""
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: each attribute of the proxy is a lookup
    adapt_datetime = db.ops.adapt_datetimefield_value
    params: list = []
    append = params.append
    for obj in objs:
        for field, attname, pre, plain, moment in plan:
            value = field.pre_save(obj, True) if pre else getattr(obj, attname)
            if value is None or type(value) in plain:
                append(value)
            elif moment and type(value) is datetime and value.tzinfo is not None:
                append(adapt_datetime(value))
            else:
                append(field.get_db_prep_save(value, db))
    return params


def _statement(objs: Sequence[Model], computed: Mapping[str, tuple[str, list]] | None = None) -> tuple[str, list]:
    """The ``INSERT … RETURNING id`` of ``objs`` and its parameters. ``computed`` (one object only): the fields
    whose value is an SQL expression (attribute name → SQL and its parameters) instead of the object's.

    A None is written as ``NULL`` in the text, not as a parameter (what psycopg's client-side binding sends for
    it anyway): a case has 49 columns, and psycopg parses a statement of more than 50 parameters afresh on each
    execution instead of keeping it, ~0.3 ms for a registration's two statements."""
    plan, head = _plan(type(objs[0]))
    values = _values(plan, objs)
    pk = connection.ops.quote_name(objs[0]._meta.pk.column)
    width = len(plan)
    params: list = []
    rows = []
    for start in range(0, len(values), width):
        marks = []
        for (_field, attname, *_rest), value in zip(plan, values[start : start + width], strict=True):
            if computed and attname in computed:
                sql, given = computed[attname]
                marks.append(sql)
                params.extend(given)
            elif value is None:
                marks.append("NULL")
            else:
                marks.append("%s")
                params.append(value)
        rows.append(f"({', '.join(marks)})")
    return f"{head}{', '.join(rows)} RETURNING {pk}", params


def _saved(objs: Sequence[Model], ids: Sequence) -> None:
    pk, alias = objs[0]._meta.pk, connection.alias
    for obj, pk_value in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
        obj._state.adding = False
        obj._state.db = alias


_builds: dict[type, list] = {}


def build(model: type[Model], **values) -> Model:
    """A new instance, as ``model(**values)`` makes it, without ``Model.__init__``'s keyword handling (a
    registration builds five of them): the values by field name (a related object for a foreign key) or by
    attribute name (``category_id``), every other field its default, set positionally as ``from_db`` does; each
    related object given is cached on the instance, as the foreign key's descriptor would."""
    fields = _builds.get(model)
    if fields is None:
        fields = _builds[model] = [(f, f.name, f.attname, f.many_to_one) for f in model._meta.concrete_fields]
    args, related, used = [], [], 0
    for field, name, attname, many_to_one in fields:
        if name in values:
            value = values[name]
            used += 1
            if many_to_one:
                related.append((field, value))
                value = None if value is None else getattr(value, field.target_field.attname)
        elif attname in values:
            value = values[attname]
            used += 1
        else:
            value = field.get_default()
        args.append(value)
    if used != len(values):  # as Model(**values) would: a name that is no field's
        known = {n for _f, name, attname, _m in fields for n in (name, attname)}
        raise TypeError(f"{model.__name__}() got unexpected keyword arguments: {sorted(set(values) - known)}")
    obj = model(*args)
    for field, value in related:
        field.set_cached_value(obj, value)
        if value is not None and obj._state.db is None:
            obj._state.db = connection.alias  # what the descriptor's router call gives with the one database
    return obj


def insert(objs: Sequence[Model]) -> None:
    """Insert instances of one model (new, primary key unset) in one statement; each gets its id."""
    if not objs:
        return
    sql, params = _statement(objs)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [pk for (pk,) in cursor.fetchall()]
    _saved(objs, ids)


def insert_computed(obj: Model, *, computed: Mapping[str, tuple[str, list]], before: tuple[str, list]) -> None:
    """``insert`` of one instance whose values for the fields of ``computed`` are SQL expressions (attribute name
    → SQL and its parameters) over the queries of ``before`` (a ``WITH`` and its parameters, PostgreSQL): one
    statement where the values would take a query of their own first. The instance gets its id and the values
    written for those fields."""
    sql, params = _statement([obj], computed)
    meta = obj._meta
    names = list(computed)
    qn = connection.ops.quote_name
    extra = "".join(f", {qn(meta.get_field(name).column)}" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"{before[0]} {sql}{extra}", [*before[1], *params])
        pk, *values = cursor.fetchone()
    _saved([obj], [pk])
    for name, value in zip(names, values, strict=True):
        setattr(obj, name, value)


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
