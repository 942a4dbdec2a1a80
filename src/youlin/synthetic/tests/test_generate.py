"""The synthetic city: deterministic for a seed, and coherent (places, states, numbers) at a small size."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from shapely.geometry import Point

from youlin.cases.models import CLOSED_STATUSES, Case, CaseEvent, CaseNumberCounter, EventKind, Status
from youlin.parties.models import Responsibility
from youlin.places.geo import shape_from_geojson
from youlin.places.models import Building, Community, District, Grid
from youlin.synthetic.generate import CitySpec, GenerateError, generate_city

pytestmark = pytest.mark.django_db

SPEC = CitySpec(subdistricts=2, communities_per=2, cases=1500, seed=11, grids_per=4, end=date(2026, 11, 1))


class _Rollback(Exception):
    pass


def _snapshot(spec: CitySpec) -> list[tuple]:
    """What the generator wrote, by natural keys (ids differ between databases, the data must not)."""
    try:
        with transaction.atomic():
            generate_city(spec)
            rows = list(
                Case.objects.order_by("number").values_list(
                    "number",
                    "category__code",
                    "lon",
                    "lat",
                    "community__code",
                    "grid__code",
                    "status",
                    "registered_at",
                    "closed_at",
                    "satisfaction",
                    "channel",
                    "tracking_token",
                )
            )
            raise _Rollback
    except _Rollback:
        return rows


def test_the_same_seed_gives_the_same_city_and_another_seed_another():
    first = _snapshot(SPEC)
    assert len(first) == SPEC.cases
    assert _snapshot(SPEC) == first
    other = _snapshot(CitySpec(**{**SPEC.__dict__, "seed": 12}))
    assert other != first


@pytest.fixture
def city():
    counts = generate_city(SPEC)
    return District.objects.get(code=SPEC.code), counts


def test_places_cover_every_grid_and_every_case_lies_in_its_community_and_grid(city):
    district, counts = city
    assert counts["grids"] == Grid.objects.filter(community__subdistrict__district=district).count() == 16
    outlines = {c.pk: shape_from_geojson(c.geometry) for c in Community.objects.all()}
    grids = {g.pk: shape_from_geojson(g.geometry) for g in Grid.objects.all()}
    for case in Case.objects.only("lon", "lat", "community_id", "grid_id"):
        point = Point(case.lon, case.lat)
        assert outlines[case.community_id].covers(point)
        assert case.grid_id is not None and grids[case.grid_id].covers(point)


def test_states_agree_with_their_timestamps_and_timelines(city):
    cases = Case.objects.all()
    assert cases.filter(status__in=CLOSED_STATUSES, closed_at=None).count() == 0
    assert cases.exclude(status__in=CLOSED_STATUSES).exclude(closed_at=None).count() == 0
    assert cases.filter(status=Status.EVALUATED, satisfaction="").count() == 0
    assert cases.filter(satisfaction="", evaluated_at__isnull=False).count() == 0
    for case in cases.filter(closed_at__isnull=False)[:200]:
        assert case.registered_at <= case.dispatched_at <= case.closed_at
    # The last status change on the timeline is the case's status.
    last = {}
    for case_id, to_status in (
        CaseEvent.objects.exclude(to_status="").order_by("at", "id").values_list("case_id", "to_status")
    ):
        last[case_id] = to_status
    assert all(last[pk] == status for pk, status in cases.values_list("pk", "status"))
    assert CaseEvent.objects.filter(kind=EventKind.REGISTERED).count() == cases.count()


def test_the_shares_are_plausible(city):
    total = Case.objects.count()
    share = {s: Case.objects.filter(status=s).count() / total for s in Status.values}
    assert share[Status.EVALUATED] + share[Status.CLOSED] > 0.8
    assert 0.01 < share[Status.VOIDED] < 0.06
    assert 0.01 < Case.objects.filter(recurrence_of__isnull=False).count() / total < 0.1
    hotline = Case.objects.filter(channel="hotline").count() / total
    assert 0.35 < hotline < 0.55
    overdue_open = Case.objects.filter(
        status__in=[Status.IN_PROGRESS, Status.DISPATCHED, Status.ACCEPTED],
        deadline__lt=datetime(2026, 11, 1, tzinfo=UTC),
    ).count()
    assert overdue_open > 0


def test_numbers_are_unique_and_the_counters_carry_on_from_them(city):
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    counter = CaseNumberCounter.objects.order_by("-last").first()
    prefix = Community.objects.get(pk=counter.community_id).case_prefix
    assert Case.objects.filter(number=f"{prefix}{counter.day:%Y%m%d}{counter.last:03d}").exists()


def test_recurrences_point_at_the_first_case_of_their_chain(city):
    for case in Case.objects.filter(recurrence_of__isnull=False).select_related("recurrence_of")[:100]:
        root = case.recurrence_of
        assert root.recurrence_of_id is None
        assert (root.lon, root.lat, root.category_id) == (case.lon, case.lat, case.category_id)
        assert root.registered_at < case.registered_at


def test_generating_the_same_district_twice_is_refused(city):
    with pytest.raises(GenerateError, match=SPEC.code):
        generate_city(SPEC)


def test_the_command_reports_what_it_made(capsys):
    call_command("generate", "--subdistricts", "1", "--communities-per", "1", "--cases", "50", "--seed", "21")
    assert "Generated district 990021" in capsys.readouterr().out
    assert Case.objects.count() == 50


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_the_places_and_parties_written_have_planner_statistics(city):
    """Routing reads places and responsibilities by joins; without statistics (autovacuum off, or not yet
    round) PostgreSQL planned them by guesswork, reading every building of the city per community."""
    with connection.cursor() as cursor:
        for model in (Building, Responsibility):
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [model._meta.db_table])
            assert cursor.fetchone()[0] == model.objects.count(), model
