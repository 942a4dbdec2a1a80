import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from youlin.core.privacy import mask_name, mask_phone


def test_production_hasher_is_argon2():
    from youlin import settings as module

    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_chinese_first_and_shanghai_time():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def _serve(env, var_dir):
    base = {"PATH": "/usr/bin:/bin", "YOULIN_VAR_DIR": str(var_dir)}  # this test's own: workers run side by side
    return subprocess.run(
        [sys.executable, "-m", "youlin", "serve", "--bind", "127.0.0.1:0"],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_refuses_debug(tmp_path):
    result = _serve({"YOULIN_DEBUG": "1", "YOULIN_SECRET_KEY": "x" * 50}, tmp_path)
    assert result.returncode != 0
    assert "YOULIN_DEBUG" in result.stderr


def test_serve_refuses_missing_secret_key(tmp_path):
    result = _serve({}, tmp_path)
    assert result.returncode != 0
    assert "YOULIN_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(("phone", "masked"), [("13812345678", "138****5678"), ("", ""), ("12345", "*****")])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_name():
    assert mask_name("孙居民") == "孙**"
    assert mask_name("李") == "李*"
    assert mask_name("Alice") == "A***"


def test_demo_mode_does_not_turn_on_debug_pages(monkeypatch):
    """``youlin demo`` turns on demo accounts, not Django's technical pages (they list every URL pattern)."""
    import django.core.management

    from youlin import cli

    monkeypatch.delenv("YOULIN_DEBUG", raising=False)
    monkeypatch.delenv("YOULIN_DEMO", raising=False)
    monkeypatch.delenv("YOULIN_TASKS_BACKEND", raising=False)
    monkeypatch.setattr(django.core.management, "execute_from_command_line", lambda argv: None)
    cli.main(["youlin", "demo"])
    import os

    assert os.environ.get("YOULIN_DEMO") == "1"
    assert "YOULIN_DEBUG" not in os.environ


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "页面不存在"), ("en", "Page not found")])
def test_404_is_the_sites_own_page_in_both_languages(client, db, settings, language, text):
    settings.YOULIN_DEMO = True
    response = client.get("/no-such-page/", headers={"Accept-Language": language})
    assert response.status_code == 404
    html = response.content.decode()
    assert text in html and 'data-testid="not-found"' in html
    assert "URLconf" not in html and "urlpatterns" not in html


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "服务器出错"), ("en", "Server error")])
def test_500_is_the_sites_own_page_in_both_languages(rf, language, text):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override(language):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert text in html and 'data-testid="server-error"' in html


def _settings_in(env: dict, var_dir, shown: str = "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE") -> str:
    code = f"import youlin.settings as s; print({shown})"
    result = subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "YOULIN_VAR_DIR": str(var_dir), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({}, "False False"),
        ({"YOULIN_HTTPS": "1"}, "True True"),
        ({"YOULIN_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}, "True True"),
        ({"YOULIN_PROXY_SSL_HEADER": "X-Forwarded-Proto: https", "YOULIN_SECURE_COOKIES": "0"}, "False False"),
    ],
)
def test_cookies_are_secure_behind_https(env, secure, tmp_path):
    assert _settings_in(env, tmp_path) == secure


@pytest.mark.parametrize(
    ("env", "kept"),
    [
        ({}, "60 True"),  # SQLite too: a new connection reads the whole schema again
        ({"YOULIN_DATABASE_URL": "postgres://youlin@db:5432/youlin"}, "60 True"),
        ({"YOULIN_DATABASE_CONN_MAX_AGE": "0"}, "0 True"),
    ],
)
def test_connections_are_kept_between_requests_on_either_database(env, kept, tmp_path):
    shown = "s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS']"
    assert _settings_in(env, tmp_path, shown) == kept


PRIMARY = "postgres://youlin@db:5432/youlin"
REPLICA = "postgres://youlin@replica:5432/youlin?sslmode=require"


@pytest.mark.parametrize(
    ("env", "primary", "replica"),
    [
        ({}, "True 5 None", "True 5 require"),
        ({"YOULIN_DATABASE_PREPARED": "0"}, "None None None", "None None require"),
    ],
)
def test_postgresql_binds_on_the_server_and_prepares_unless_turned_off(env, primary, replica, tmp_path):
    def options(alias: str) -> str:
        o = f"s.DATABASES['{alias}'].get('OPTIONS', {{}})"
        return f"{o}.get('server_side_binding'), {o}.get('prepare_threshold'), {o}.get('sslmode')"

    env = {"YOULIN_DATABASE_URL": PRIMARY, "YOULIN_DATABASE_REPLICA_URLS": REPLICA, **env}
    assert _settings_in(env, tmp_path, options("default")) == primary
    assert _settings_in(env, tmp_path, options("replica1")) == replica


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_query_run_often_is_planned_once_on_the_server(db):
    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%is_staff%"])
            return cursor.fetchone()[0]

    before = prepared()
    for _ in range(6):
        assert not get_user_model().objects.filter(is_staff=True, username="nobody").exists()
    assert prepared() == before + 1


def test_serve_runs_gunicorn_with_the_worker_model_the_benchmarks_measured_fastest(monkeypatch, settings):
    # server_workers in a quiet `make bench SIZE=small` (Open311 POST, 8 clients): sync 73.9 req/s (p99 149 ms) over
    # gthread ×4 67.5 (p99 941 ms) on SQLite, 62.6 over 60.2 on PostgreSQL. (A loaded machine favoured gthread.)
    from django.core.management import call_command

    settings.DEBUG = False
    settings.SECRET_KEY_FROM_ENV = True
    for name in ("YOULIN_WORKER_CLASS", "YOULIN_THREADS", "YOULIN_WORKERS", "YOULIN_BIND"):
        monkeypatch.delenv(name, raising=False)
    started = []
    monkeypatch.setattr("os.execv", lambda path, argv: started.append(argv))
    call_command("serve")
    (argv,) = started
    options = dict(zip(argv[4::2], argv[5::2], strict=False))
    assert options["--worker-class"] == "sync" and options["--threads"] == "1" and options["--workers"] == "2"
