"""A write that cannot get the database in time is a 503 with Retry-After, never a 500, in each interface's shape
(``core.edges.BusyDatabaseMiddleware``). Another connection holds the write lock while the request runs: on
SQLite a ``BEGIN IMMEDIATE`` (the test database shares one in-memory cache, so the request fails at once), on
PostgreSQL an exclusive lock on the case table with a short ``lock_timeout`` for the request."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from django.core.cache import cache
from django.db import connection

from youlin.cases.models import Case
from youlin.cases.tests.factories import jia_point
from youlin.open311.tests.schema import xml_rows

pytestmark = pytest.mark.django_db(transaction=True)  # the lock is held by a second connection


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@contextlib.contextmanager
def write_lock_held_elsewhere():
    """Another connection holds the write lock on the database (SQLite) or the case table (PostgreSQL)."""
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
        other.execute("PRAGMA busy_timeout = 100")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 100")  # a short wait for this test's requests
        other.execute("BEGIN IMMEDIATE")
        other.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) VALUES ('lock', '', '2099-01-01')"
        )
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
    else:
        import psycopg

        params = connection.get_connection_params()
        other = psycopg.connect(**{k: v for k, v in params.items() if k not in {"cursor_factory", "context"}})
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        other.execute(f"LOCK TABLE {Case._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            other.rollback()
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")


def _point():
    lon, lat = jia_point()
    return {"lat": f"{lat:.7f}", "long": f"{lon:.7f}"}


@pytest.fixture
def open311_key(demo):
    from youlin.open311.services import apikey_create

    return apikey_create(name="12345平台")[1]


def _open311(client, key, fmt, point):
    data = {"api_key": key, "service_code": "06080", "description": "楼道里堆了旧家具", "phone": "139", **point}
    return client.post(f"/open311/v2/requests.{fmt}", data)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_post_while_the_database_is_locked_is_503(client, open311_key, fmt):
    point = _point()
    with write_lock_held_elsewhere():
        response = _open311(client, open311_key, fmt, point)
    assert response.status_code == 503, response.content[:300]
    assert int(response["Retry-After"]) >= 1
    if fmt == "json":
        [error] = response.json()
        assert error["code"] == 503 and "重试" in error["description"]
    else:
        [error] = xml_rows(response.content, "error")
        assert error["code"] == "503"
    assert Case.objects.count() == 0
    # Sent again once the lock is gone, it is recorded.
    assert _open311(client, open311_key, fmt, point).status_code == 201
    assert Case.objects.count() == 1


def test_api_post_while_the_database_is_locked_is_503(client, demo_user):
    from youlin.api.services import token_create

    raw = token_create(user=demo_user("spk_resident"), name="t")[1]
    lon, lat = jia_point()
    with write_lock_held_elsewhere():
        response = client.post(
            "/api/v1/cases",
            {"category": "06080", "description": "楼道里堆了旧家具", "lon": lon, "lat": lat},
            headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"},
        )
    assert response.status_code == 503, response.content[:300]
    assert response.json()["code"] == "busy" and "Try again" in response.json()["message"]
    assert int(response["Retry-After"]) >= 1
    assert Case.objects.count() == 0


def test_report_page_while_the_database_is_locked_is_a_503_page(client, demo):
    from youlin.cases.tests.factories import category

    lon, lat = jia_point()
    data = {
        "category": category("06080").pk,
        "description": "楼道里堆了旧家具",
        "lon": lon,
        "lat": lat,
        "reporter_phone": "13912345678",
    }
    with write_lock_held_elsewhere():
        response = client.post("/report/", data)
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert "系统正忙" in response.content.decode()
    assert Case.objects.count() == 0


def test_other_database_errors_still_fail_loudly(rf):
    from django.db import OperationalError

    from youlin.core.edges import is_busy

    assert is_busy(OperationalError("database is locked"))
    assert not is_busy(OperationalError("no such table: x"))
    assert not is_busy(ValueError("database is locked"))
