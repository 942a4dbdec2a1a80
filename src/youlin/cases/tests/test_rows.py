"""``cases.services.rows``: the plain INSERTs a registration writes, and what they skip of ``save()``."""

import pytest
from django.db import models
from django.db.models import Field

from youlin.cases.models import Case, CaseAssignment, CaseEvent, CaseFollower
from youlin.cases.services import rows
from youlin.cases.tests import factories as f
from youlin.open311.models import Submission

pytestmark = pytest.mark.django_db


def test_pre_save_is_read_only_for_the_fields_that_need_it():
    """Only the timestamps set on insert (``auto_now``/``auto_now_add``) need their field's ``pre_save``; every
    other field's is ``getattr``."""
    for model in (Case, CaseAssignment, CaseEvent, CaseFollower, Submission):
        needing = {f.name for f in model._meta.concrete_fields if rows.needs_pre_save(f)}
        auto = {
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
        }
        assert needing == auto, model
    assert rows.needs_pre_save(models.FileField(name="upload"))  # a pre_save of its own: always called


def test_a_registration_calls_pre_save_only_for_the_timestamps(users, clock, monkeypatch):
    for model in (Case, CaseAssignment, CaseEvent, CaseFollower):
        rows._plan(model)  # each model's plan is worked out once, from the fields' own pre_save: before the spies
    called: list[tuple[str, str]] = []
    for cls in (Field, models.DateTimeField):
        original = cls.pre_save

        def spy(self, obj, add, original=original):
            called.append((type(obj).__name__, self.name))
            return original(self, obj, add)

        monkeypatch.setattr(cls, "pre_save", spy)
    case = f.register(users.spk_grid)
    assert sorted(set(called)) == [
        ("Case", "created_at"),
        ("Case", "updated_at"),
        ("CaseAssignment", "created_at"),
        ("CaseFollower", "created_at"),
    ]
    # … and the rows hold what save() would have written: the timestamps set, the rest as given.
    case.refresh_from_db()
    assert case.created_at == case.updated_at == clock.now
    assert case.hotline_data == {} and case.number.startswith("SPK")
    assert all(a.created_at == clock.now for a in case.assignments.all())
    assert [e.data["channel"] for e in case.events.filter(kind="registered")] == [case.channel]


def _state(obj) -> dict:
    """What an instance holds: every field's attribute, the related objects it caches, its database."""
    fields = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    cached = {f.name: f.get_cached_value(obj, default="—") for f in obj._meta.concrete_fields if f.many_to_one}
    return {"fields": fields, "cached": cached, "db": obj._state.db, "adding": obj._state.adding}


def test_build_makes_the_instance_the_model_would(users, clock):
    """``rows.build`` sets the same fields, defaults (a fresh one for each callable default), cached related
    objects and state as ``Model(**values)``."""
    case = f.register(users.spk_grid)
    values = {
        "category": case.category,
        "description": "楼道堆物",
        "lon": case.lon,
        "lat": case.lat,
        "community": case.community,
        "compound": case.compound,
        "building": None,
        "reporter": case.reporter,
        "registered_by": None,
        "channel": case.channel,
        "urgency": case.urgency,
        "registered_at": clock.now,
        "deadline": clock.now,
        "recurrence_of_id": case.pk,
    }
    built, made = rows.build(Case, **values), Case(**values)
    assert _state(built) == _state(made)
    assert built.hotline_data == {} and built.hotline_data is not rows.build(Case, **values).hotline_data
    assert built.community is case.community and built.recurrence_of_id == case.pk
    event = {"case": case, "kind": "registered", "actor": None, "at": clock.now, "data": {"a": 1}}
    assert _state(rows.build(CaseEvent, **event)) == _state(CaseEvent(**event))
    assert rows.build(CaseEvent, **event).case is case
    with pytest.raises(TypeError, match="nonsense"):
        rows.build(CaseEvent, nonsense=1, **event)


def test_a_registrations_statements_stay_within_what_psycopg_keeps_parsed(users, clock):
    """psycopg parses a statement of more than 50 parameters (or 4,096 characters) afresh on every execution;
    a case alone has 49 columns, and on PostgreSQL its statement carries the number's counter too. NULLs are
    written in the text, so every statement of a registration stays within the limits."""
    from django.db import connection
    from psycopg import _queries

    executed: list[tuple[str, int]] = []

    def record(execute, sql, params, many, context):
        executed.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        f.register(users.spk_grid)
        f.register(users.spk_staff, point=f.courtyard_point(), reporter_name="王", reporter_phone="13800000000")
    inserts = [(sql, n) for sql, n in executed if "INSERT" in sql]
    assert len(inserts) >= 4
    for sql, n in inserts:
        assert n <= _queries.MAX_CACHED_STATEMENT_PARAMS and len(sql) <= _queries.MAX_CACHED_STATEMENT_LENGTH, sql
