"""Project-wide test set-up: the database in the header, pinned language, a clock, the demo data (committed once
per session, see ``youlin.demo.testing``), demo users, browser fixtures, and the suite's wall time at the end.

Fixtures for tests (every app's tests can use them):

- ``demo``: the three seed communities, parties and demo accounts (no cases), demo mode on. Shared: built once
  per session, each test's changes are rolled back. ``demo_cases`` adds the seed's cases (loaded in the test).
- ``demo_fresh``: the same demo loaded by the test itself on an empty database, through the real loader; for
  the few tests about the loader.
- ``demo_user("spk_staff")`` and ``users.spk_staff``: demo accounts by username.
- ``clock``: ``timezone.now`` stands still at ``clock_start`` (2026-11-27 09:00 Beijing time) until the test
  calls ``clock.advance(days=1)``. A test folder or module that needs another start overrides ``clock_start``.
- ``media``: this test's own, empty folder for uploaded files (``MEDIA_ROOT``).
- ``page``: a Playwright page in Debian's chromium (browser tests).
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest

from youlin.demo import testing as shared_demo

CHROMIUM = os.environ.get("YOULIN_CHROMIUM", "/usr/bin/chromium")
SUITE_TARGET_SECONDS = 4 * 60  # ``make test`` on a quiet 2-core machine (issue #16)
MAX_WORKERS = 4  # pytest-xdist workers of ``-n auto`` (each has its own test database and, if needed, browser)
DEFAULT_MARKEXPR = "not slow"  # pyproject's addopts
_started = pytest.StashKey[float]()


def _whole_suite(config) -> bool:
    """The run is the default selection: no paths, no ``-k``, no other ``-m`` than the default."""
    return not (config.option.file_or_dir or config.option.keyword) and config.option.markexpr in ("", DEFAULT_MARKEXPR)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (pyproject's addopts): the whole suite, or folders of it, on one worker per core (at most
    ``MAX_WORKERS``); a test file or a single test in this process, where starting workers (each setting up its own
    test database) would cost more than it saves; ``--pdb`` and ``--trace`` too; and the slow set serially, as its load tests
    measure."""
    paths = [arg.split("::")[0] for arg in config.option.file_or_dir or []]
    narrow = any("::" in arg for arg in config.option.file_or_dir or []) or any(os.path.isfile(p) for p in paths)
    debugging = config.getoption("usepdb", False) or config.getoption("trace", False)  # a debugger needs this process
    if narrow or debugging or config.option.markexpr not in ("", DEFAULT_MARKEXPR):
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = min(cores, MAX_WORKERS)
    return workers if workers > 1 else 0


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    where = db.get("HOST") or db.get("NAME")
    browser = CHROMIUM if shutil.which(CHROMIUM) else "missing"
    return [f"youlin database: {engine} ({where}) · browser: {browser}"]


def pytest_configure(config):
    config.stash[_started] = time.monotonic()


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering, which this refines
def pytest_collection_modifyitems(items):
    shared_demo.order(items)


def pytest_runtest_setup(item):
    shared_demo.check_order(item)


def pytest_runtest_teardown(item, nextitem):
    shared_demo.forget_after(item)


@pytest.hookimpl(trylast=True)  # the last line before the counts
def pytest_terminal_summary(terminalreporter, config):
    """The wall time of the run; for the whole suite, whether it met the target (printed by ``make test``)."""
    seconds = time.monotonic() - config.stash[_started]
    line = f"youlin: the run took {int(seconds // 60)} min {seconds % 60:04.1f} s"
    workers = getattr(config.option, "numprocesses", None) or 0  # pytest-xdist's, after ``-n auto`` is resolved
    if workers:
        line += f" on {workers} workers"
    if _whole_suite(config):
        met = "met" if seconds < SUITE_TARGET_SECONDS else "missed"
        line += (
            f" (target for the whole suite: under {SUITE_TARGET_SECONDS // 60} min on a quiet 2-core machine: {met})"
        )
    terminalreporter.write_line(line)


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once():
    """WhiteNoise's middleware lists every static file through the finders (a stat and a look for compressed twins
    each) when it starts, and every test client starts its own: 60 ms each time, a fifth of the permission matrix.
    The files do not change during a run: list them once for each set of the settings the listing reads."""
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    list_files = WhiteNoiseMiddleware.add_files_from_finders
    listed: dict[str, dict] = {}

    def add_files_from_finders(self):
        names = ["STATIC_URL", "STATICFILES_DIRS", "STATICFILES_FINDERS", "INSTALLED_APPS", "FORCE_SCRIPT_NAME"]
        names += [name for name in dir(settings) if name.startswith("WHITENOISE_")]
        key = repr([self.static_prefix, *((name, getattr(settings, name, None)) for name in sorted(names))])
        if key not in listed:
            before = dict(self.files)
            list_files(self)
            listed[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(listed[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = list_files


@pytest.fixture(autouse=True)
def _pin_language(settings):
    """Chinese is the default language; tests that want English ask for it explicitly."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    # Uploaded and demo photos go to a scratch folder, never into the working tree's var/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def media(settings):
    """This test's own folder for uploaded files, empty when the test starts, to look into."""
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher; tests hash many demo passwords and need not pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_place_index():
    # Process-wide indexes built from the database start afresh: a flushed and reloaded demo gives new ids.
    from youlin.cases import routing_cache
    from youlin.intake.selectors import forget_engine
    from youlin.places.index import forget_index

    forget_index()
    forget_engine()
    routing_cache.forget()
    yield
    forget_index()
    forget_engine()
    routing_cache.forget()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """pytest-django's (a test database per xdist worker), and: the in-memory SQLite test database is copied from
    a template migrated once (``youlin.demo.testing.MigratedFromTemplate``, under var/test-databases) when
    nothing it depends on has changed. ``YOULIN_TEST_MIGRATE=1`` migrates for real."""
    from django.conf import settings

    if os.environ.get("YOULIN_TEST_MIGRATE") == "1":
        yield
        return
    with shared_demo.MigratedFromTemplate(Path(settings.VAR_DIR) / "test-databases"):
        yield


@pytest.fixture(scope="session")
def _shared_demo(django_db_setup, django_db_blocker):
    # Session-scoped, so it runs before the test's transaction begins and the demo is committed underneath.
    shared_demo.load_shared_demo(django_db_blocker)


@pytest.fixture
def demo(_shared_demo, db, request, settings):
    """The three seed communities (places, parties, accounts; no cases, so tests start from a clean case table),
    loaded through the real loader, with demo mode on. Built once per session; ``demo_cases`` adds the cases."""
    settings.YOULIN_DEMO = True
    if shared_demo.is_transactional(request.node) and not shared_demo.state.committed:
        # The database is flushed after every transactional test: load the demo again, for real.
        from youlin.demo.loader import load_demo

        load_demo(with_cases=False)


@pytest.fixture
def demo_cases(demo):
    from youlin.demo.cases import load_demo_cases

    load_demo_cases()


@pytest.fixture
def demo_fresh(db, settings):
    """The demo loaded by this test, on an empty database (for tests of the loader itself; ``demo`` is faster)."""
    from youlin.demo.loader import load_demo

    settings.YOULIN_DEMO = True
    load_demo(with_cases=False)


@pytest.fixture
def demo_user(demo, django_user_model):
    def get(username: str):
        return django_user_model.objects.get(username=username)

    return get


@pytest.fixture
def users(demo_user):
    """Demo accounts as attributes: ``users.spk_staff``."""
    from django.contrib.auth import get_user_model

    class Users:
        def __getattr__(self, name):
            try:
                return demo_user(name)
            except get_user_model().DoesNotExist:
                raise AttributeError(name) from None  # hypothesis probes attributes of its arguments

    return Users()


@pytest.fixture
def clock_start():
    """Where ``clock`` starts. Override this fixture in a test folder's conftest.py to start elsewhere."""
    from youlin.testing import BEIJING

    return datetime(2026, 11, 27, 9, 0, tzinfo=BEIJING)


@pytest.fixture
def clock(monkeypatch, clock_start):
    """Time stands still at ``clock_start`` until the test moves it (``clock.advance(days=1)``)."""
    from django.utils import timezone

    from youlin.testing import Clock

    c = Clock(clock_start)
    monkeypatch.setattr(timezone, "now", c)
    return c


@pytest.fixture
def rate_window(monkeypatch):
    """The rate limiter's clock held in the middle of one window: a test's requests never straddle two (the
    limits count per fixed window, and a slow run crossing a minute's end once let a third POST through)."""
    from types import SimpleNamespace

    from youlin.api import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))


@pytest.fixture(scope="session")
def chromium_path():
    if shutil.which(CHROMIUM):
        return CHROMIUM
    message = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("YOULIN_REQUIRE_BROWSER") == "1":
        pytest.fail(message + "; YOULIN_REQUIRE_BROWSER=1 makes browser tests mandatory")
    pytest.skip(message + ": browser tests skipped")


@pytest.fixture(scope="session")
def browser(chromium_path):
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Every browser test also checks that nothing the page does breaks the Content-Security-Policy.
    blocked = page.youlin_csp_violations = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert blocked == [], f"the page broke the Content-Security-Policy: {blocked}"
