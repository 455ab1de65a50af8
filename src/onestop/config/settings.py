"""Settings, read from environment variables; with none set, the embedded default.

The embedded default is SQLite and a generated secret key in the data directory
(``ONESTOP_DATA_DIR``, ``./var``). ``DATABASE_URL`` switches to PostgreSQL.
``ONESTOP_ENV=production`` refuses to start without an explicit secret key and allowed
hosts. Every variable is documented in docs/configuration.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, *, default: bool) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_number(name: str, default: float, kind: type = int) -> float:
    value = env(name)
    if not value:
        return kind(default)
    try:
        return kind(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


ENVIRONMENT = env("ONESTOP_ENV", "development")
IS_PRODUCTION = ENVIRONMENT == "production"

DATA_DIR = Path(env("ONESTOP_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    explicit = env("ONESTOP_SECRET_KEY")
    if explicit:
        return explicit
    if IS_PRODUCTION:
        raise ImproperlyConfigured("ONESTOP_ENV=production needs ONESTOP_SECRET_KEY to be set.")
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("ONESTOP_DEBUG", default=not IS_PRODUCTION)

ALLOWED_HOSTS = env_list(
    "ONESTOP_ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver"
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ONESTOP_ENV=production needs ONESTOP_ALLOWED_HOSTS to be set.")
CSRF_TRUSTED_ORIGINS = env_list("ONESTOP_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja's own Swagger UI files, so /api/docs works without the internet (a
    # government intranet often has none); without the app it loads them from a CDN.
    "ninja",
    "onestop.core",
    "onestop.regions",
    "onestop.accounts",
    "onestop.workdays",
    "onestop.catalog",
    "onestop.cases",
    "onestop.notifications",
    "onestop.evaluations",
    "onestop.certificates",
    "onestop.delivery",
    "onestop.supervision",
    "onestop.stats",
    "onestop.portal",
    "onestop.workbench",
    "onestop.demo",
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
    # Refuses NUL, control, bidi-override characters and lone surrogates in any input (422),
    # and makes Django's 404/405 under /api/ problem+json (core/middleware.py).
    "onestop.core.middleware.EdgeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (ONESTOP_CSP; core/middleware.py).
    "onestop.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "onestop.config.urls"
WSGI_APPLICATION = "onestop.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "onestop.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'onestop.sqlite3'}",
        conn_max_age=env_number("ONESTOP_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
ONESTOP_DB_POOLED = False  # ONESTOP_DB_POOLER=pgbouncer below
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at BEGIN, so
    # two writers queue instead of failing with "database is locked" mid-transaction.
    # Django's backend, with the append-only guard triggers set aside while flush empties
    # the tables (onestop.core.db.sqlite3).
    DATABASES["default"]["ENGINE"] = "onestop.core.db.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif env("ONESTOP_DB_POOLER").lower() not in {"", "none", "pgbouncer"}:
    raise ImproperlyConfigured(
        f"ONESTOP_DB_POOLER must be empty or 'pgbouncer', got {env('ONESTOP_DB_POOLER')!r}."
    )
elif env("ONESTOP_DB_POOLER").lower() == "pgbouncer":
    # Behind PgBouncer in transaction mode a connection is a server connection only for the
    # length of one transaction, so nothing may outlive one: no prepared statements (psycopg
    # would PREPARE on one server connection and EXECUTE on another; PgBouncer 1.18 of Debian
    # 12 cannot carry them), client-side binding, and no server-side cursors (``.iterator()``
    # outside ``atomic()`` declares a WITH HOLD cursor, which lives on in its session). The
    # backend drops test databases WITH (FORCE): PgBouncer keeps idle server connections to
    # them (docs/scaling.md §3.2).
    DATABASES["default"]["ENGINE"] = "onestop.core.db.postgresql"
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(prepare_threshold=None)
    ONESTOP_DB_POOLED = True
elif env_bool("ONESTOP_DB_PREPARED_STATEMENTS", default=True):
    # psycopg binds parameters on the server and prepares a statement once a connection has
    # run it this many times, so PostgreSQL stops parsing and planning the case engine's
    # repeated statements (about a fifth of a lifecycle's time, bench/lifecycle.py). Off for
    # a pooler that cannot carry prepared statements (PgBouncer before 1.21 in transaction
    # mode).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=env_number("ONESTOP_DB_PREPARE_THRESHOLD", 5),
    )

# Where the client programs (pg_dump, pg_restore: ``onestop backup`` / ``restore``) connect:
# they set session state (pg_restore's ``search_path`` to empty), which a transaction pooler
# would hand on to the next client, so behind one they need a direct connection. Its host,
# port, user and password; the database name stays DATABASE_URL's.
ONESTOP_DB_DIRECT: dict[str, object] = {}
if env("ONESTOP_DB_DIRECT_URL"):
    _direct = dj_database_url.parse(env("ONESTOP_DB_DIRECT_URL"))
    ONESTOP_DB_DIRECT = {
        key: value
        for key, value in _direct.items()
        if key in {"HOST", "PORT", "USER", "PASSWORD"} and value
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/"

# Django's cache: the login throttle keeps its counts there (accounts/throttle.py). Without
# ONESTOP_CACHE_URL it is per-process memory, which is enough for one process; several
# workers or hosts need a shared cache (redis://…) or each counts failures on its own.
_CACHE_URL = env("ONESTOP_CACHE_URL")
if _CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
        }
    }
elif _CACHE_URL:
    raise ImproperlyConfigured(
        f"ONESTOP_CACHE_URL must be a redis://, rediss:// or unix:// URL, got {_CACHE_URL!r}."
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Login throttling (API token and login page): after this many failures for one user name,
# or from one client IP, within the window, attempts are refused until the window passes.
ONESTOP_LOGIN_MAX_FAILURES = env_number("ONESTOP_LOGIN_MAX_FAILURES", 5)
ONESTOP_LOGIN_MAX_FAILURES_PER_IP = env_number("ONESTOP_LOGIN_MAX_FAILURES_PER_IP", 20)
ONESTOP_LOGIN_WINDOW_SECONDS = env_number("ONESTOP_LOGIN_WINDOW_SECONDS", 900)
# Reverse proxies in front of the application that append to X-Forwarded-For (0: none, the
# client is REMOTE_ADDR). Set it to the real number: a larger one lets clients pick their IP.
ONESTOP_TRUSTED_PROXIES = env_number("ONESTOP_TRUSTED_PROXIES", 0)

# Bearer tokens for API clients (POST /api/auth/token) expire after this many seconds.
ONESTOP_API_TOKEN_MAX_AGE = env_number("ONESTOP_API_TOKEN_MAX_AGE", 12 * 3600)
# Docking systems' client-credentials tokens (POST /api/auth/client-token) are short-lived.
ONESTOP_API_CLIENT_TOKEN_SECONDS = env_number("ONESTOP_API_CLIENT_TOKEN_SECONDS", 900)

# Other processes notice a calendar change (a new year's schedule, a closure) within this.
ONESTOP_CALENDAR_RECHECK_SECONDS = env_number("ONESTOP_CALENDAR_RECHECK_SECONDS", 5, float)

# Traffic lights: yellow when at most this many working days, or this share of the limit,
# remain (DOMAIN.md §6.4: no source fixes the threshold, so it is configurable).
ONESTOP_WARN_REMAINING_WORKDAYS = env_number("ONESTOP_WARN_REMAINING_WORKDAYS", 1)
ONESTOP_WARN_REMAINING_RATIO = env_number("ONESTOP_WARN_REMAINING_RATIO", 0.2, float)
# The hours a hall works on a working day: waiting times in the window queue count only them.
ONESTOP_WORKING_HOURS = env("ONESTOP_WORKING_HOURS", "09:00-12:00,13:30-17:00")

# A CJK TrueType/TTC font to embed in PDFs; empty = look for Debian's WenQuanYi / Noto CJK.
ONESTOP_PDF_FONT = env("ONESTOP_PDF_FONT")

# Background work: a broker URL sends tasks to Celery workers; none runs them in-process.
CELERY_BROKER_URL = env("ONESTOP_BROKER_URL")
CELERY_RESULT_BACKEND = env("ONESTOP_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves it for another
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Notifications (docs/notifications.md): SMS through "console" (logged) or "http" (the
# gateway contract in notifications/sms.py); e-mail through Django's EMAIL_* settings.
ONESTOP_SMS_BACKEND = env("ONESTOP_SMS_BACKEND", "console")
ONESTOP_SMS_URL = env("ONESTOP_SMS_URL")
ONESTOP_SMS_TOKEN = env("ONESTOP_SMS_TOKEN")
ONESTOP_SMS_TIMEOUT = env_number("ONESTOP_SMS_TIMEOUT", 10, float)
ONESTOP_NOTIFICATIONS_QUEUE = env("ONESTOP_NOTIFICATIONS_QUEUE")  # empty: Celery's default
# How long the relay gathers committed transitions into one delivery (notifications/relay.py).
ONESTOP_NOTIFICATIONS_RELAY_SECONDS = env_number(
    "ONESTOP_NOTIFICATIONS_RELAY_SECONDS", 0.05, kind=float
)
# The slow reactions to case events (sealing a result, the 电子监察 rules, the figures) run
# in a worker when a broker is configured (cases/hooks.py); off: on the committing thread.
ONESTOP_HOOKS_DEFERRED = env_bool("ONESTOP_HOOKS_DEFERRED", default=True)
ONESTOP_HOOKS_QUEUE = env("ONESTOP_HOOKS_QUEUE")  # empty: Celery's default
ONESTOP_HOOKS_RELAY_SECONDS = env_number("ONESTOP_HOOKS_RELAY_SECONDS", 0.05, kind=float)

# Cookies: no script reads them (htmx sends the CSRF token from the page), they are not
# sent on cross-site requests, and a session ends after a working day
# (ONESTOP_SESSION_SECONDS) or when the browser closes.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_number("ONESTOP_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy of every page: scripts only from this site (no inline script);
# empty turns the header off.
ONESTOP_CSP = env(
    "ONESTOP_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)

# Largest uploaded material accepted (bytes).
ONESTOP_UPLOAD_MAX_BYTES = env_number("ONESTOP_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)

# --- evaluations (好差评, docs/evaluations.md) ----------------------------------------
# One follow-up rating (二次评价) within this many working days after the first; a late
# rating (补充评价) within this many after completion (nationally "在一定期限内", unfixed).
ONESTOP_RATING_FOLLOW_UP_WORKDAYS = env_number("ONESTOP_RATING_FOLLOW_UP_WORKDAYS", 10)
ONESTOP_RATING_LATE_WORKDAYS = env_number("ONESTOP_RATING_LATE_WORKDAYS", 10)
# System default rating (pf 7) once the late period ends unrated: off, since neither its use
# nor its level is fixed nationally.
ONESTOP_RATING_DEFAULT_ENABLED = env_bool("ONESTOP_RATING_DEFAULT_ENABLED", default=False)
ONESTOP_RATING_DEFAULT_LEVEL = env_number("ONESTOP_RATING_DEFAULT_LEVEL", 2)
# A rating link (QR code, SMS) works once and expires after this many days.
ONESTOP_RATING_TOKEN_DAYS = env_number("ONESTOP_RATING_TOKEN_DAYS", 30)
# The public page accepts at most this many ratings per address or device and hour.
ONESTOP_RATING_PUBLIC_PER_HOUR = env_number("ONESTOP_RATING_PUBLIC_PER_HOUR", 5)
# 智能邀评: an SMS rating link when a completed case is still unrated after this many
# working days (Bozhou practice: 3).
ONESTOP_RATING_INVITE_WORKDAYS = env_number("ONESTOP_RATING_INVITE_WORKDAYS", 3)
# A 差评's rectification is due this many working days after it is made.
ONESTOP_RECTIFICATION_WORKDAYS = env_number("ONESTOP_RECTIFICATION_WORKDAYS", 5)
# 月度排名: a window or department is "among the lowest" when fewer than this many rank
# below it; flagged when it is so two months running (DOMAIN.md §1.6: 约谈 windows ranked
# last two consecutive months, so 1 — 末位; set 3 for a 后三名 rule).
ONESTOP_RATING_RANKING_LOWEST = env_number("ONESTOP_RATING_RANKING_LOWEST", 1)
# The provincial 好差评 platform: records are POSTed there one by one (empty: not pushed).
ONESTOP_RATING_PUSH_URL = env("ONESTOP_RATING_PUSH_URL")
ONESTOP_RATING_PUSH_TOKEN = env("ONESTOP_RATING_PUSH_TOKEN")
ONESTOP_RATING_PUSH_TIMEOUT = env_number("ONESTOP_RATING_PUSH_TIMEOUT", 10, float)
# dataSource of the provincial interface: the 3-digit source code the province assigns.
ONESTOP_RATING_DATA_SOURCE = env("ONESTOP_RATING_DATA_SOURCE", "143")


# --- certificates and seals (docs/certificates.md) -------------------------------------
# Signers of result PDFs, in order: "pades" (PAdES in the PDF, pyHanko), "sm2" (GB/T 38540
# SES_Signature with SM2/SM3 stored beside it) or "pades,sm2".
ONESTOP_SIGNER = env_list("ONESTOP_SIGNER", "pades")
# Where private keys live (files 0600, never in the database); empty: DATA_DIR / "keys".
ONESTOP_CERTIFICATES_KEY_DIR = env("ONESTOP_CERTIFICATES_KEY_DIR")
# The address printed in a certificate's QR code (results are issued outside any request).
ONESTOP_CERTIFICATES_PUBLIC_URL = env("ONESTOP_CERTIFICATES_PUBLIC_URL", "http://127.0.0.1:8000")
# Largest PDF the public verification accepts (bytes).
ONESTOP_CERTIFICATES_VERIFY_MAX_BYTES = env_number(
    "ONESTOP_CERTIFICATES_VERIFY_MAX_BYTES", 10 * 1024 * 1024
)

# --- delivery (邮政双向专递) ------------------------------------------------------------
# The carrier (docs/delivery.md): a URL speaking the carrier contract over HTTP (the local
# simulator, `onestop delivery simulator`, or an adapter to China Post); empty, the
# simulator's engine runs in-process with its state under the data directory.
ONESTOP_DELIVERY_CARRIER_URL = env("ONESTOP_DELIVERY_CARRIER_URL", "")
ONESTOP_DELIVERY_CARRIER_CODE = env("ONESTOP_DELIVERY_CARRIER_CODE", "ems")
ONESTOP_DELIVERY_CARRIER_TIMEOUT = env_number("ONESTOP_DELIVERY_CARRIER_TIMEOUT", 5.0, kind=float)
# The in-process simulator: seconds between two scans of a parcel; every Nth parcel returned.
ONESTOP_DELIVERY_SIMULATOR_STEP_SECONDS = env_number(
    "ONESTOP_DELIVERY_SIMULATOR_STEP_SECONDS", 3600.0, kind=float
)
ONESTOP_DELIVERY_SIMULATOR_RETURN_EVERY = env_number("ONESTOP_DELIVERY_SIMULATOR_RETURN_EVERY", 0)
# Its state (the waybills it issued), a JSON file.
ONESTOP_DELIVERY_SIMULATOR_STATE = Path(
    env("ONESTOP_DELIVERY_SIMULATOR_STATE", str(DATA_DIR / "delivery-simulator.json"))
)

# --- supervision (电子监察) -------------------------------------------------------------
# Re-evaluate a case's 电子监察 signals after each committed transition (cases.hooks); off,
# only the sweep (beat every 10 minutes, `onestop supervision sweep`) raises and clears them.
ONESTOP_SUPERVISION_HOOK = env_bool("ONESTOP_SUPERVISION_HOOK", default=True)

# --- demo -------------------------------------------------------------------------------
# Cases of history `onestop demo` writes in bulk over the last six months (demo/history.py).
ONESTOP_DEMO_HISTORY_CASES = env_number("ONESTOP_DEMO_HISTORY_CASES", 20_000)

# --- stats ------------------------------------------------------------------------------
# The share of items at online depth Ⅲ or above the figures measure against (press release: 70%).
ONESTOP_STATS_DEPTH_TARGET = env_number("ONESTOP_STATS_DEPTH_TARGET", 0.70, kind=float)
# Longest period, in days, a figures query or report may span.
ONESTOP_STATS_MAX_PERIOD_DAYS = env_number("ONESTOP_STATS_MAX_PERIOD_DAYS", 3 * 366 + 1)

if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("ONESTOP_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Secure, host-only, path / — the browser refuses to let a subdomain set them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = env_number("ONESTOP_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("ONESTOP_LOG_LEVEL", "WARNING")},
}
