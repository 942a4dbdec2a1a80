"""Settings, read only from the environment (``YOULIN_*``), with working defaults for the embedded demo.

Nothing here reaches outside the process at import time; the database URL is parsed, not opened.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("YOULIN_BASE_DIR", Path.cwd())).resolve()
VAR_DIR = Path(os.environ.get("YOULIN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("YOULIN_DEBUG", False)
# Demo mode: demo accounts can log in only while this is on (``youlin demo`` turns it on).
YOULIN_DEMO = env_bool("YOULIN_DEMO", False)

# An unset key is allowed only for the embedded demo and tests; ``youlin serve`` refuses to start without one.
SECRET_KEY = os.environ.get("YOULIN_SECRET_KEY") or "insecure-youlin-development-key-do-not-use-in-production"
SECRET_KEY_FROM_ENV = bool(os.environ.get("YOULIN_SECRET_KEY"))
ALLOWED_HOSTS = env_list("YOULIN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("YOULIN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # the API docs from the package's own static files, not a CDN
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",  # login throttling: youlin.accounts.throttle
    "youlin.core",
    "youlin.domain",
    "youlin.accounts",
    "youlin.places",
    "youlin.parties",
    "youlin.access",
    "youlin.photos",
    "youlin.files",
    "youlin.notifications",
    "youlin.jobs",
    "youlin.verification",
    "youlin.cases",
    "youlin.intake",
    "youlin.deliberation",
    "youlin.projects",
    "youlin.ledgers",
    "youlin.volunteers",
    "youlin.dashboards",
    "youlin.alerts",
    "youlin.api",
    "youlin.open311",
    "youlin.scheduling",
    "youlin.backup",
    "youlin.synthetic",
    "youlin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "youlin.core.edges.InputMiddleware",  # text only, readable forms: refused in each interface's shape
    "youlin.core.edges.BusyDatabaseMiddleware",  # database locked → 503 with Retry-After, not 500
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # a locked-out login gets the locked-out page (youlin.accounts.throttle)
]

ROOT_URLCONF = "youlin.urls"
WSGI_APPLICATION = "youlin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "youlin.core.context_processors.youlin",
            ],
        },
    },
]

# PostgreSQL (the primary and the replicas): parameters bound by the server and a statement prepared at its fifth
# use on a connection: planning was most of PostgreSQL's time per request (bench/NOTES.md). Off
# (YOULIN_DATABASE_PREPARED=0) behind a pooler that cannot keep prepared statements (PgBouncer before 1.21).
_PREPARED = {"server_side_binding": True, "prepare_threshold": 5} if env_bool("YOULIN_DATABASE_PREPARED", True) else {}
DATABASE_URL = os.environ.get("YOULIN_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'youlin.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
# Connections are kept between requests (CONN_MAX_AGE) and checked before reuse, so a restarted database or a
# pooler (PgBouncer in transaction mode: set YOULIN_DATABASE_CONN_MAX_AGE=0) costs no failed request. SQLite too:
# a new connection reads the whole schema again (≈ 1.3 ms of CPU a request, half of a bare insert's; bench/NOTES.md).
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("YOULIN_DATABASE_CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE avoids lock upgrades that deadlock.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # How long a write waits for another writer (SQLite has one at a time) before the request gets 503.
        "timeout": float(os.environ.get("YOULIN_SQLITE_BUSY_TIMEOUT", "10")),
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {}).update(_PREPARED)
# Read replicas (comma-separated URLs), for the pages marked to read from one (dashboards, public pages); every
# write, and every page that shows what was just written, stays on the primary (``youlin.core.replicas``).
for _number, _url in enumerate(env_list("YOULIN_DATABASE_REPLICA_URLS", ""), start=1):
    DATABASES[f"replica{_number}"] = dj_database_url.parse(_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES[f"replica{_number}"]["CONN_HEALTH_CHECKS"] = True
    DATABASES[f"replica{_number}"].setdefault("OPTIONS", {}).update(_PREPARED)
    DATABASES[f"replica{_number}"]["TEST"] = {"MIRROR": "default"}
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["youlin.core.replicas.ReplicaRouter"]
# A request that still cannot get the database when the busy timeout runs out gets 503 and this Retry-After.
YOULIN_BUSY_RETRY_AFTER = int(os.environ.get("YOULIN_BUSY_RETRY_AFTER", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "youlin.accounts.throttle.ThrottledBackend",  # first: refuses a locked-out login before any password check
    "youlin.accounts.backends.DemoAwareModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login throttling (django-axes, see youlin.accounts.throttle): failed logins per account at an address, and per
# address (a higher limit: an office shares one address behind NAT); locked until the cool-off has passed or an
# administrator resets it (``youlin axes_reset_username <name>``, ``youlin axes_reset_ip <address>``, or the admin).
YOULIN_LOGIN_FAILURE_LIMITS = [
    int(os.environ.get("YOULIN_LOGIN_FAILURE_LIMIT", "5")),
    int(os.environ.get("YOULIN_LOGIN_FAILURE_LIMIT_PER_ADDRESS", "30")),
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = YOULIN_LOGIN_FAILURE_LIMITS[0]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("YOULIN_LOGIN_COOLOFF_MINUTES", "15")))
AXES_HANDLER = {
    "database": "youlin.accounts.throttle.DatabaseHandler",
    "cache": "youlin.accounts.throttle.CacheHandler",  # only with a cache shared by every process (Redis)
}[os.environ.get("YOULIN_LOGIN_THROTTLE_STORE", "database")]
AXES_LOCKOUT_CALLABLE = "youlin.accounts.throttle.locked_out"
# The client's address as the API's rate limits see it (core.edges.client_address: behind our own proxies,
# YOULIN_PROXY_HOPS, the entry they appended to X-Forwarded-For, else REMOTE_ADDR), None when it is not an address.
AXES_CLIENT_IP_CALLABLE = "youlin.accounts.throttle.client_address"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("YOULIN_MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files are served by youlin (``/media/…``, after an access check: ``youlin.files``). Behind nginx or
# Apache the proxy can send the bytes: ``x-accel-redirect`` (nginx, an internal location at the prefix below that
# aliases MEDIA_ROOT) or ``x-sendfile`` (Apache mod_xsendfile, lighttpd). Empty: youlin sends them itself.
YOULIN_MEDIA_SENDFILE = os.environ.get("YOULIN_MEDIA_SENDFILE", "").strip().lower()
# With an object store (below), ``redirect`` answers a checked request with a signed URL of the store valid for
# YOULIN_MEDIA_SIGNED_SECONDS instead of passing the bytes through youlin.
if YOULIN_MEDIA_SENDFILE not in {"", "x-accel-redirect", "x-sendfile", "redirect"}:
    raise ImproperlyConfigured(
        "YOULIN_MEDIA_SENDFILE: empty, x-accel-redirect (nginx), x-sendfile (Apache) or redirect (object store)"
    )
YOULIN_MEDIA_SIGNED_SECONDS = int(os.environ.get("YOULIN_MEDIA_SIGNED_SECONDS", "300"))
YOULIN_MEDIA_ACCEL_PREFIX = os.environ.get("YOULIN_MEDIA_ACCEL_PREFIX", "/_protected_media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# Uploads on an S3-compatible object store instead of MEDIA_ROOT (several app nodes share it):
# ``s3://[KEY:SECRET@]HOST[:PORT]/BUCKET[/PREFIX][?region=…]`` (``s3+http://`` for a store without TLS on an
# intranet). Without KEY:SECRET the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables are read.
YOULIN_STORAGE_URL = os.environ.get("YOULIN_STORAGE_URL", "").strip()


def _object_storage(url: str) -> dict:
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in {"s3", "s3+http", "s3+https"} or not parts.hostname or not parts.path.strip("/"):
        raise ImproperlyConfigured("YOULIN_STORAGE_URL: s3://[KEY:SECRET@]HOST[:PORT]/BUCKET[/PREFIX]")
    bucket, _sep, prefix = parts.path.strip("/").partition("/")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    scheme = "http" if parts.scheme == "s3+http" else "https"
    options = {
        "bucket_name": bucket,
        "location": prefix,
        "endpoint_url": f"{scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else ""),
        "region_name": query.get("region", "us-east-1"),
    }
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return options


if YOULIN_STORAGE_URL:
    STORAGES["default"] = {
        "BACKEND": "youlin.files.storage.ObjectStorage",
        "OPTIONS": _object_storage(YOULIN_STORAGE_URL),
    }
    if YOULIN_MEDIA_SENDFILE in {"x-sendfile", "x-accel-redirect"}:
        raise ImproperlyConfigured(
            f"YOULIN_MEDIA_SENDFILE={YOULIN_MEDIA_SENDFILE} needs files on disk, not YOULIN_STORAGE_URL"
        )
elif YOULIN_MEDIA_SENDFILE == "redirect":
    raise ImproperlyConfigured("YOULIN_MEDIA_SENDFILE=redirect needs an object store (YOULIN_STORAGE_URL)")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.environ.get("YOULIN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# The shared cache (rate limits, login throttling) on Redis, through Django's own backend:
# ``redis://HOST:6379/DB``. Unset: each process has its own memory cache, enough for one machine.
YOULIN_CACHE_URL = os.environ.get("YOULIN_CACHE_URL", "").strip()
if YOULIN_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": YOULIN_CACHE_URL,
            "KEY_PREFIX": os.environ.get("YOULIN_CACHE_KEY_PREFIX", "youlin"),
            # A Redis that does not answer costs a request at most this long, not a hung worker.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
# Proxies in front of youlin that append the client's address to X-Forwarded-For (nginx as in README: 1); the
# rate limits count that address. 0: REMOTE_ADDR (no proxy, or one that does not append).
YOULIN_PROXY_HOPS = int(os.environ.get("YOULIN_PROXY_HOPS", "0"))
# Sessions stay in the database (Django's default): every node sees every login, whatever the cache does.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Readiness (``/ready``): the newest worker heartbeat may be this old; 0 when no worker is expected.
YOULIN_WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("YOULIN_WORKER_HEARTBEAT_MAX_AGE", "120"))
# Prometheus metrics at ``/metrics`` (django-prometheus), for a scraper on the internal network only.
YOULIN_METRICS = env_bool("YOULIN_METRICS", False)
if YOULIN_METRICS:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]

EMAIL_BACKEND = os.environ.get("YOULIN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("YOULIN_DEFAULT_FROM_EMAIL", "youlin@localhost")

SESSION_COOKIE_HTTPONLY = True
# Behind a proxy that terminates HTTPS: the header it sets and its value, "X-Forwarded-Proto: https".
_ssl_header, _sep, _ssl_value = os.environ.get("YOULIN_PROXY_SSL_HEADER", "").partition(":")
if _ssl_header.strip() and _ssl_value.strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _ssl_header.strip().upper().replace("-", "_"), _ssl_value.strip())
# Served over HTTPS (a proxy header configured, or said outright): session and CSRF cookies only over HTTPS.
YOULIN_HTTPS = env_bool("YOULIN_HTTPS", bool(_ssl_header.strip() and _ssl_value.strip()))
SESSION_COOKIE_SECURE = env_bool("YOULIN_SECURE_COOKIES", YOULIN_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"


def _tile_origin(url: str) -> list[str]:
    """The origin of a tile URL template for the CSP; a ``{s}`` subdomain becomes a wildcard (``https://*.x.cn``)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "SUBDOMAIN"))
    if not parts.scheme or not parts.netloc:
        return []
    host = parts.netloc
    if "SUBDOMAIN" in host:
        host = "*." + host.split(".", 1)[1]
    return [f"{parts.scheme}://{host}"]


# Content-Security-Policy (django-csp): scripts only from this site's own files, never inline, so a name that
# slips through unescaped cannot run. Styles allow inline attributes (layout only). Map tiles, when configured,
# come from their own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": [
            "'self'",
            "data:",
            "blob:",
            *_tile_origin(os.environ.get("YOULIN_MAP_TILE_URL", "")),
            # Photos redirected to the object store's signed URLs come from its origin.
            *([STORAGES["default"]["OPTIONS"]["endpoint_url"]] if YOULIN_MEDIA_SENDFILE == "redirect" else []),
        ],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Places: the district this deployment serves (GB/T 2260 code of 西城区).
YOULIN_DISTRICT_CODE = os.environ.get("YOULIN_DISTRICT_CODE", "110102")
# Buildings are matched to a point if it lies inside their outline or within this many metres.
YOULIN_BUILDING_TOLERANCE_M = float(os.environ.get("YOULIN_BUILDING_TOLERANCE_M", "30"))
# Cases: open cases of the same category this close are offered as duplicates; a closed one this close and
# this recent makes a new report a recurrence (反弹).
YOULIN_DUPLICATE_RADIUS_M = float(os.environ.get("YOULIN_DUPLICATE_RADIUS_M", "50"))
YOULIN_RECURRENCE_DAYS = int(os.environ.get("YOULIN_RECURRENCE_DAYS", "90"))
# 督办 levels: working days past the deadline at which the reminder, community, sub-district and district levels
# start (four non-decreasing whole numbers).
YOULIN_SUPERVISION_DAYS = [int(n) for n in env_list("YOULIN_SUPERVISION_DAYS", "0,1,3,5")]
if len(YOULIN_SUPERVISION_DAYS) != 4 or sorted(YOULIN_SUPERVISION_DAYS) != YOULIN_SUPERVISION_DAYS:
    raise ImproperlyConfigured("YOULIN_SUPERVISION_DAYS: four non-decreasing numbers of working days, e.g. 0,1,3,5")
# Maps draw the project's own outlines; a base-map tile URL is optional (intranets are offline). Set
# YOULIN_MAP_TILE_GCJ02=1 for a GCJ-02 tile source (AutoNavi and the like): the map then offsets WGS-84 data.
YOULIN_MAP_TILE_URL = os.environ.get("YOULIN_MAP_TILE_URL", "")
# Ledger imports with more rows than this run in the background worker, with a progress bar.
YOULIN_LEDGER_IMPORT_SYNC_ROWS = int(os.environ.get("YOULIN_LEDGER_IMPORT_SYNC_ROWS", "300"))
# ... and write in batches of this many rows, each its own short transaction (all or none: ledgers.excel.batches).
YOULIN_LEDGER_IMPORT_BATCH_ROWS = int(os.environ.get("YOULIN_LEDGER_IMPORT_BATCH_ROWS", "500"))
# Caps on one imported file (rows under the header, and bytes; 0 bytes means no cap).
YOULIN_LEDGER_IMPORT_MAX_ROWS = int(os.environ.get("YOULIN_LEDGER_IMPORT_MAX_ROWS", "50000"))
YOULIN_LEDGER_IMPORT_MAX_BYTES = int(os.environ.get("YOULIN_LEDGER_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
YOULIN_HOTLINE_IMPORT_MAX_ROWS = int(os.environ.get("YOULIN_HOTLINE_IMPORT_MAX_ROWS", "1000000"))
YOULIN_HOTLINE_IMPORT_MAX_BYTES = int(os.environ.get("YOULIN_HOTLINE_IMPORT_MAX_BYTES", str(512 * 1024 * 1024)))
# Every .xlsx import: the most its parts may expand to in total, and the most one part may expand by (zip bombs
# are refused from the sizes the archive declares, before anything is parsed).
YOULIN_IMPORT_MAX_UNZIPPED_BYTES = int(os.environ.get("YOULIN_IMPORT_MAX_UNZIPPED_BYTES", str(256 * 1024 * 1024)))
YOULIN_IMPORT_MAX_ZIP_RATIO = float(os.environ.get("YOULIN_IMPORT_MAX_ZIP_RATIO", "100"))
YOULIN_MAP_TILE_GCJ02 = env_bool("YOULIN_MAP_TILE_GCJ02", False)
# Smart intake: the classifier file (`make` builds it; `youlin intake train` replaces it) and the confidence
# below which an imported 12345 work order goes to the community's triage queue instead of being dispatched.
YOULIN_INTAKE_MODEL = Path(os.environ.get("YOULIN_INTAKE_MODEL", VAR_DIR / "intake" / "model.npz"))
YOULIN_INTAKE_MIN_CONFIDENCE = float(os.environ.get("YOULIN_INTAKE_MIN_CONFIDENCE", "0.5"))
# Long jobs (imports): a running job whose heartbeat is older than this lost its worker; the recovery sweep
# queues it again, up to this many runs in all, then fails it with a message.
YOULIN_JOB_STALE_SECONDS = int(os.environ.get("YOULIN_JOB_STALE_SECONDS", "900"))
YOULIN_JOB_MAX_ATTEMPTS = int(os.environ.get("YOULIN_JOB_MAX_ATTEMPTS", "3"))
# 12345 work-order imports with more rows than this run in the worker, with a progress bar.
YOULIN_HOTLINE_IMPORT_SYNC_ROWS = int(os.environ.get("YOULIN_HOTLINE_IMPORT_SYNC_ROWS", "300"))

# A light identity without an account (answering a public notice): a phone number confirmed by a one-time code.
# The SMS backend is a dotted path to a class with ``send(*, phone, message)``; the console one logs the code.
YOULIN_SMS_BACKEND = os.environ.get("YOULIN_SMS_BACKEND", "youlin.verification.sms.ConsoleBackend")
YOULIN_SMS_INTERVAL = int(os.environ.get("YOULIN_SMS_INTERVAL", "60"))
YOULIN_SMS_PER_PHONE_HOUR = int(os.environ.get("YOULIN_SMS_PER_PHONE_HOUR", "5"))
YOULIN_SMS_PER_CLIENT_HOUR = int(os.environ.get("YOULIN_SMS_PER_CLIENT_HOUR", "20"))
YOULIN_PHONE_CODE_TTL = int(os.environ.get("YOULIN_PHONE_CODE_TTL", "600"))
YOULIN_PHONE_CODE_ATTEMPTS = int(os.environ.get("YOULIN_PHONE_CODE_ATTEMPTS", "5"))

# Links in e-mails sent by the worker (digests, area alerts) start with this address.
YOULIN_BASE_URL = os.environ.get("YOULIN_BASE_URL", "http://127.0.0.1:8000")
# Daily digests go out from this hour on (Beijing time), once a day per person.
YOULIN_DIGEST_HOUR = int(os.environ.get("YOULIN_DIGEST_HOUR", "7"))
if not 0 <= YOULIN_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("YOULIN_DIGEST_HOUR: an hour of the day, 0–23")

# The benchmarks' floor views (``youlin.synthetic.floor``): routed only when on; ``bench/run.py`` turns it on for
# the servers it starts. Never on in production.
YOULIN_BENCH_FLOOR = env_bool("YOULIN_BENCH_FLOOR", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YOULIN_LOG_LEVEL", "WARNING")},
}
