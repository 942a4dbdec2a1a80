"""Liveness and readiness, and how the site answers when the database or the shared cache is gone (issue #13
item 15, issue #17): ``/health`` checks the database; the API and Open311 answer a lost database in their own
error shapes (503, a stable code), not with an HTML error page."""

from __future__ import annotations

import logging
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import Client


@pytest.fixture
def broken_database(transactional_db):
    """The default connection pointed at a database that is not there: a closed port on PostgreSQL, a file in
    a folder that does not exist on SQLite. The open connection is put aside (an in-memory test database lives
    only as long as it does) and given back afterwards."""
    saved_connection, saved_settings = connection.connection, dict(connection.settings_dict)
    connection.connection = None
    if connection.vendor == "postgresql":
        connection.settings_dict["PORT"] = 1  # nothing listens there
    else:
        connection.settings_dict["NAME"] = "/nonexistent-youlin-folder/youlin.sqlite3"
    yield
    connection.settings_dict.clear()
    connection.settings_dict.update(saved_settings)
    connection.connection = saved_connection


def test_health_and_ready_answer_ok(client, db, settings):
    settings.YOULIN_WORKER_HEARTBEAT_MAX_AGE = 0  # no worker expected here
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "worker": "not used"},
    }
    assert "no-cache" in ready["Cache-Control"]


def test_ready_says_degraded_until_a_worker_beats(client, db, settings):
    from youlin.scheduling.periodic import beat

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.YOULIN_WORKER_HEARTBEAT_MAX_AGE = 120
    body = client.get("/ready").json()
    assert body["status"] == "degraded" and body["checks"]["worker"] == "stale"
    beat("node-b:4242")
    body = client.get("/ready").json()
    assert body == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "storage": "ok", "worker": "ok"}}


def test_health_fails_without_the_database(broken_database):
    client = Client(raise_request_exception=False)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}}
    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "unavailable"


def test_api_answers_a_lost_database_in_its_own_shape(broken_database):
    client = Client(raise_request_exception=False)
    for path in ("/api/v1/categories", "/api/v1/cases"):
        response = client.get(path, headers={"Authorization": "Bearer some-token"})
        assert response.status_code == 503, path
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["code"] == "unavailable" and "数据库" in body["message"] and body["fields"] == {}
        assert response["Retry-After"] == "30"


def test_open311_answers_a_lost_database_in_its_own_shape(broken_database):
    client = Client(raise_request_exception=False)
    xml = client.get("/open311/v2/services.xml")
    assert xml.status_code == 503 and xml["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(xml.content)  # noqa: S314 - our own answer
    assert root.tag == "errors" and root.find("error/code").text == "503"
    json = client.get("/open311/v2/requests.json")
    assert json.status_code == 503
    assert json.json()[0]["code"] == 503 and "数据库" in json.json()[0]["description"]


def test_api_answers_a_lost_database_outside_an_endpoint_too(broken_database, settings):
    """A database error in middleware (a session cookie read before any view) reaches the error handler, which
    still answers in the API's shape."""
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session-key"
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "youlin.core.tests.test_health.TouchUserMiddleware"]
    response = client.get("/api/v1/categories")
    assert response.status_code == 503 and response.json()["code"] == "unavailable"
    page = client.get("/")
    assert page.status_code == 500  # pages keep the usual error page


class TouchUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user.is_authenticated  # noqa: B018 - reads the session from the database
        return self.get_response(request)


@pytest.fixture
def redis_down(settings):
    """The shared cache on a Redis that is not there (a closed port). Django's settings signal builds the cache
    handler afresh, and again when the test puts the setting back."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


def test_redis_down_ready_says_so_and_rate_limits_fail_open(client, db, redis_down, settings, caplog):
    from youlin.api import ratelimit

    settings.YOULIN_WORKER_HEARTBEAT_MAX_AGE = 0
    ready = client.get("/ready")
    assert ready.status_code == 200  # the node still serves
    assert ready.json()["status"] == "degraded" and ready.json()["checks"]["cache"] == "unavailable"
    with caplog.at_level(logging.WARNING, logger="youlin.api.ratelimit"):
        verdict = ratelimit.hit("api-anon", "10.0.0.1", ratelimit.Rate(1, 60))
    assert verdict.allowed
    assert "not enforced" in caplog.text
    settings.YOULIN_API_ANON_POST_RATE = "1/m"
    # An anonymous POST is counted first, then refused for want of a token: not a 500 for want of Redis.
    for _ in range(3):
        assert client.post("/api/v1/cases", {}, content_type="application/json").status_code == 401


def test_metrics_report_the_queue_and_overdue_cases(db, rf):
    from youlin.core.metrics import metrics_view

    body = metrics_view(rf.get("/metrics")).content.decode()
    assert "youlin_task_queue_depth 0.0" in body
    assert "youlin_cases_overdue 0.0" in body
    assert "youlin_worker_heartbeat_age_seconds -1.0" in body


def test_redis_down_login_throttling_on_the_cache_fails_closed(db, redis_down, settings):
    """With the login throttle's counts in the shared cache (``YOULIN_LOGIN_THROTTLE_STORE=cache``) and that
    cache gone, a login cannot be counted and is refused, right password or not: no guessing during an outage."""
    from django.contrib.auth import get_user_model

    settings.AXES_HANDLER = "youlin.accounts.throttle.CacheHandler"
    get_user_model().objects.create_user("ops", password="a-long-password-for-ops")
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": "ops", "password": "a-long-password-for-ops"})
    assert response.status_code != 302
    assert "_auth_user_id" not in client.session
