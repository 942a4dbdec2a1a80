"""Every index on the tables a case write fills is paid for on every write (a report, an Open311 post, each row
of an import): none may be a leading part of another index of the same table (the longer one serves the same
look-ups), and the foreign keys empty for most rows by design are indexed only where they are set."""

from __future__ import annotations

import pytest
from django.db import connection

from youlin.cases.models import Case, CaseAssignment, CaseEvent, CaseFollower, CaseNumberCounter, FollowUpVisit

pytestmark = pytest.mark.django_db

WRITTEN_PER_CASE = (Case, CaseEvent, CaseAssignment, CaseFollower, FollowUpVisit, CaseNumberCounter)
# Foreign-key columns most rows leave empty: a hotline order has no reporter, a command-line import no registrant
# and no actor on its events, merges and recurrences are rare, most places lie in no zone.
SPARSE = {
    Case: ("zone_id", "reporter_id", "registered_by_id", "merged_into_id", "recurrence_of_id"),
    CaseEvent: ("actor_id",),
    FollowUpVisit: ("by_id",),
}


def _indexes(model) -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: c for name, c in found.items() if c["index"] or c["unique"]}


@pytest.mark.parametrize("model", WRITTEN_PER_CASE, ids=lambda m: m.__name__)
def test_no_index_is_a_leading_part_of_another(model):
    indexes = _indexes(model)
    redundant = [
        (name, other)
        for name, c in indexes.items()
        if not c["unique"] and not c["primary_key"]
        for other, o in indexes.items()
        if other != name and len(o["columns"]) > len(c["columns"]) and o["columns"][: len(c["columns"])] == c["columns"]
    ]
    assert redundant == []


@pytest.mark.parametrize("model", list(SPARSE), ids=lambda m: m.__name__)
def test_sparse_foreign_keys_are_indexed_where_set(model):
    indexes = _indexes(model)
    for column in SPARSE[model]:
        on_it = [name for name, c in indexes.items() if c["columns"] == [column]]
        assert len(on_it) == 1, (column, on_it)
        query = (
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s"
            if connection.vendor == "postgresql"
            else "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, on_it[0:1])
            (definition,) = cursor.fetchone()
        plain = definition.replace('"', "").replace("(", " ").replace(")", " ")
        assert f"WHERE {column} IS NOT NULL" in " ".join(plain.split()), definition
