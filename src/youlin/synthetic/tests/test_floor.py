"""The benchmarks' floor views exist only for the benchmarks: not routed unless YOULIN_BENCH_FLOOR is on, and 404
even when routed with the setting off. On, the insert floor writes one row and the list floor answers rows."""

import pytest
from django.db import connection

from youlin.cases.tests import factories as f
from youlin.synthetic import floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def table():
    floor.create_table()
    yield
    floor.drop_table()


def rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {floor.TABLE}")  # noqa: S608 - fixed name
        return cursor.fetchone()[0]


def test_not_routed_by_default(client, settings):
    assert settings.YOULIN_BENCH_FLOOR is False
    assert floor.urlpatterns() == []
    assert client.post("/_bench/insert", {"body": "x"}).status_code == 404
    assert client.get("/_bench/list").status_code == 404


def test_routed_only_when_on(settings):
    settings.YOULIN_BENCH_FLOOR = True
    assert [str(p.pattern) for p in floor.urlpatterns()] == ["_bench/insert", "_bench/list"]


def test_a_routed_floor_still_answers_404_when_off(client, settings, table):
    settings.ROOT_URLCONF = "youlin.synthetic.tests.floor_urls"
    settings.YOULIN_BENCH_FLOOR = False
    assert client.post("/_bench/insert", {"body": "x"}).status_code == 404
    assert rows() == 0


def test_the_insert_floor_writes_one_row(client, settings, table):
    settings.ROOT_URLCONF = "youlin.synthetic.tests.floor_urls"
    settings.YOULIN_BENCH_FLOOR = True
    response = client.post("/_bench/insert", {"body": "楼道堆物"})
    assert response.status_code == 201 and response.json() == {"ok": True}
    assert rows() == 1


def test_the_list_floor_answers_the_cases_of_the_window(client, settings, users, clock):
    settings.ROOT_URLCONF = "youlin.synthetic.tests.floor_urls"
    settings.YOULIN_BENCH_FLOOR = True
    case = f.register(users.spk_grid)
    at = case.registered_at.isoformat()
    response = client.get("/_bench/list", {"start": at, "end": at})
    assert response.status_code == 200
    assert [r["number"] for r in response.json()] == [case.number]
    assert response.json()[0]["category__code"] == case.category.code
