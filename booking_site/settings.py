"""One settings module for every environment, driven by environment variables.

Development needs no variable at all: SQLite in WAL mode under VAR_DIR, a Celery broker on the
filesystem and the local-memory cache. Production (DEBUG=0) needs SECRET_KEY and ALLOWED_HOSTS.
Each integration is off unless configured, and says so through its *_ENABLED flag.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from booking_site.settings_parts.logging import logging_config
from booking_site.settings_parts.mail import mail_settings
from booking_site.settings_parts.money import money_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    # Never overrides variables already present in the process environment.
    env.read_env(BASE_DIR / ".env")


def _required(name: str) -> str:
    if not (value := env.str(name, default="").strip()):
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    return value


def _first_of(*names: str, default: str = "") -> str:
    return next((value for name in names if (value := env.str(name, default="").strip())), default)


DEBUG = env.bool("DEBUG", default=True)
TESTING = env.bool("TESTING", default=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = _required("SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PUBLIC_URL = env.str("PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "booking_site.admin_site.ClinicAdminConfig",  # django.contrib.admin with the clinic's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_prometheus",
    "axes",
    "kernel", "kernel.outbox", "kernel.waitlist", "kernel.pricing",
    "accounts",
    "cabinets",
    "specialists",
    "equipment",
    "payments",
    "integrations",
    "integrations.webhooks",
    "integrations.calendar",
    "integrations.mail",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "booking_site.middleware.RequestIdMiddleware",
    "kernel.api.ApiCorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kernel.api.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "booking_site.urls"
WSGI_APPLICATION = "booking_site.wsgi.application"
ASGI_APPLICATION = "booking_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------

WEB_DATABASE_POOL_MAX_SIZE = 8
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN,
        # which is what makes check-then-write safe on SQLite.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file, not shared-cache memory, so WAL and IMMEDIATE locking are what runs in production.
    _db.setdefault("TEST", {}).setdefault("NAME", str(VAR_DIR / "test-db.sqlite3"))
elif _db["ENGINE"] in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault("connect_timeout", 5)
    # A pool of at most this many connections per process, shared by its request threads (0: none): it reuses
    # a few connections and makes a request wait (up to DATABASE_POOL_TIMEOUT_SECONDS) rather than open more.
    # Replaces DATABASE_CONN_MAX_AGE, which must then be 0. Unset (or empty), a web process (asgi.py and wsgi.py
    # set SERVES_HTTP) and the gRPC server (threads answering calls) pool WEB_DATABASE_POOL_MAX_SIZE: opening a
    # connection for every request cost about 2 ms of CPU per partner booking. Celery and commands do not.
    _pool_setting = env.str("DATABASE_POOL_MAX_SIZE", default="").strip()
    _serves_calls = os.environ.get("SERVES_HTTP") == "1" or sys.argv[1:2] == ["grpcserver"]
    _pool_size = int(_pool_setting) if _pool_setting else (WEB_DATABASE_POOL_MAX_SIZE if _serves_calls else 0)
    if _pool_size > 0:
        _db["CONN_MAX_AGE"] = 0  # Django checks pooled connections (CONN_HEALTH_CHECKS) before handing them out
        # A request waits this long for a connection, then fails as if the database were down (the API answers
        # 503 with Retry-After): while PostgreSQL is down, the pool retries in the background and a longer wait
        # would hold every request for it instead of telling the partner to retry.
        _db["OPTIONS"]["pool"] = {"min_size": 1, "max_size": _pool_size,
                                  "timeout": env.float("DATABASE_POOL_TIMEOUT_SECONDS", default=2.0)}
IS_POSTGRES = _db["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker --------------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "booking"}}

BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # else kombu writes it in the working directory
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 2,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Internationalisation and time ---------------------------------------------------------------

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Auth ----------------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Reverse proxies (addresses or networks) whose X-Forwarded-For names the client; the lockout above is then
# per client behind the proxy, not per proxy. Empty: the peer address is the client and the header is ignored.
TRUSTED_PROXIES = [proxy.strip() for proxy in env.list("TRUSTED_PROXIES", default=[]) if proxy.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_error}") from None
AXES_CLIENT_IP_CALLABLE = "booking_site.middleware.client_ip"
LOGIN_URL = "admin:login"
if TESTING:
    # Hashing test passwords with PBKDF2 would dominate the suite's run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Security (production defaults) --------------------------------------------------------------

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- REST API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic booking partner API",
    "DESCRIPTION": "Equipment by whole days, cabinets by 30-minute slots.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No call to the public validator badge service: the docs work offline and leak nothing.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "ReasonEnum": ["reserved", "booked", "installed_in_cabinet"],
        "AvailabilityReasonEnum": "equipment.api.serializers.AVAILABILITY_REASONS",
        "SlotReasonEnum": "cabinets.api.serializers.SLOT_REASONS",
        "BreakReasonEnum": "cabinets.api.serializers.BREAK_REASONS",
        "DayReasonEnum": "cabinets.api.serializers.DAY_REASONS",
        "StatusEnum": ["awaiting_payment", "pending", "approved", "rejected", "cancelled", "completed"],  # bookings
        "WaitStatusEnum": "kernel.waitlist.models.WaitStatus",
    },
}
API_DEFAULT_RATE_LIMIT = env.int("API_DEFAULT_RATE_LIMIT", default=120)
API_MAX_BULK_ITEMS = 100
API_MAX_BULK_DAYS = 90
# `manage.py grpcserver`: the gRPC availability service (the REST API's keys, scopes, limits and answers).
GRPC_PORT = env.int("GRPC_PORT", default=50051)
GRPC_MAX_WORKERS = env.int("GRPC_MAX_WORKERS", default=8)
# The gRPC server's own /metrics on this port when set; 0: off.
GRPC_METRICS_PORT = env.int("GRPC_METRICS_PORT", default=0)

# --- Booking rules (DESIGN.md §5) -----------------------------------------------------------------

CABINET_MIN_ADVANCE_MINUTES = env.int("CABINET_MIN_ADVANCE_MINUTES", default=60)
CABINET_MAX_ADVANCE_DAYS = env.int("CABINET_MAX_ADVANCE_DAYS", default=30)
CABINET_MAX_SLOTS = env.int("CABINET_MAX_SLOTS", default=6)
SLOT_HOLD_MINUTES = env.int("SLOT_HOLD_MINUTES", default=10)
SERVICE_SLOT_MINUTES = 30  # specialists' hours and services' durations are whole slots of this many minutes
globals().update(money_settings(env))  # CURRENCY, DISCOUNT_DAILY_QUOTA, PAYMENT_* (settings_parts/money.py)
WAITLIST_OFFER_MINUTES = env.int("WAITLIST_OFFER_MINUTES", default=30)
MAX_ACTIVE_BOOKINGS_PER_USER = env.int("MAX_ACTIVE_BOOKINGS_PER_USER", default=0)
EQUIPMENT_MAX_ADVANCE_DAYS = env.int("EQUIPMENT_MAX_ADVANCE_DAYS", default=365)
EQUIPMENT_MAX_RANGE_DAYS = env.int("EQUIPMENT_MAX_RANGE_DAYS", default=31)
EQUIPMENT_DAY_STARTS = env.str("EQUIPMENT_DAY_STARTS", default="09:00")
# A client with this many no-shows in 90 days needs a manager's approval for every new booking (0 = off).
NO_SHOW_LIMIT = env.int("NO_SHOW_LIMIT", default=0)
BOOKING_LOCK_TIMEOUT_SECONDS = env.int("BOOKING_LOCK_TIMEOUT_SECONDS", default=3)
IDEMPOTENCY_KEY_TTL_HOURS = 24

# --- Jobs -----------------------------------------------------------------------------------------

REMINDER_HOURS_BEFORE = env.int("REMINDER_HOURS_BEFORE", default=24)
RETENTION_DAYS = env.int("RETENTION_DAYS", default=31)
AUDIT_DIR = VAR_DIR / "audits"
# Outbound Telegram deliveries: retries with exponential backoff, then the dead letter; pacing per bot.
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=8)
DELIVERY_BACKOFF_SECONDS = env.float("DELIVERY_BACKOFF_SECONDS", default=5.0)
TELEGRAM_MAX_PER_SECOND = env.float("TELEGRAM_MAX_PER_SECOND", default=25.0)
TELEGRAM_CHAT_INTERVAL_SECONDS = env.float("TELEGRAM_CHAT_INTERVAL_SECONDS", default=1.0)
# Requests waiting for a manager: re-announced once after this many minutes (0 = never), cancelled after
# this many hours (0 = only when their start passes).
APPROVAL_REMIND_MINUTES = env.int("APPROVAL_REMIND_MINUTES", default=60)
APPROVAL_EXPIRE_HOURS = env.int("APPROVAL_EXPIRE_HOURS", default=0)

# --- Partner webhooks -----------------------------------------------------------------------------

# Retried with exponential backoff (from WEBHOOK_BACKOFF_SECONDS, at most an hour apart) for
# WEBHOOK_RETRY_HOURS, then a dead letter. Loopback, private and link-local receivers are refused in
# production unless WEBHOOK_ALLOW_PRIVATE=1 (they are allowed with DEBUG on).
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=24)
WEBHOOK_BACKOFF_SECONDS = env.float("WEBHOOK_BACKOFF_SECONDS", default=30.0)
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=DEBUG)

# --- E-mail to clients (settings_parts/mail.py: EMAIL_URL, DEFAULT_FROM_EMAIL, MAIL_* retries) ---------------
globals().update(mail_settings(env, var_dir=VAR_DIR))

# --- Telegram -------------------------------------------------------------------------------------

EQUIPMENT_BOT_TOKEN = _first_of("EQUIPMENT_BOT_TOKEN", "BOT_TOKEN")
CABINET_BOT_TOKEN = _first_of("CABINET_BOT_TOKEN", "CRM_BOT_TOKEN")
# Unset: the one `manage.py webhook_secret` (run by `make run`) keeps in VAR_DIR. A bot token without a secret
# stops start-up (integrations/checks.py).
TELEGRAM_WEBHOOK_SECRET_FILE = VAR_DIR / "telegram_webhook_secret"
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET", default="").strip() or (
    TELEGRAM_WEBHOOK_SECRET_FILE.read_text().strip() if TELEGRAM_WEBHOOK_SECRET_FILE.is_file() else "")
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org").rstrip("/")
TELEGRAM_ENABLED = bool(EQUIPMENT_BOT_TOKEN or CABINET_BOT_TOKEN)
MANAGERS = [int(x) for x in env.list("MANAGERS", default=[]) if str(x).strip().lstrip("-").isdigit()]
MANAGER_CONTACTS = env.str("MANAGER_CONTACTS", default="")
# The bots' @usernames, for the booking page's "Open the bot" link when it is opened outside Telegram.
EQUIPMENT_BOT_USERNAME = env.str("EQUIPMENT_BOT_USERNAME", default="").strip().lstrip("@")
CABINET_BOT_USERNAME = env.str("CABINET_BOT_USERNAME", default="").strip().lstrip("@")
if TELEGRAM_ENABLED and not DEBUG and not TELEGRAM_WEBHOOK_SECRET:
    raise ImproperlyConfigured("TELEGRAM_WEBHOOK_SECRET must be set when a bot token is set and DEBUG is off.")

# --- Google Sheets --------------------------------------------------------------------------------

GOOGLE_CREDENTIALS_FILE = env.str("GOOGLE_CREDENTIALS_FILE", default="").strip()
GOOGLE_SPREADSHEET_ID = env.str("GOOGLE_SPREADSHEET_ID", default="").strip()
GOOGLE_SHEETS_ENABLED = bool(GOOGLE_CREDENTIALS_FILE and GOOGLE_SPREADSHEET_ID)

# --- Metrics --------------------------------------------------------------------------------------

METRICS_ENABLED = env.bool("METRICS_ENABLED", default=True)
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
# The worker's own metrics (job runs, deliveries, reminders, Sheets) on this port when set; 0: off.
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)

# --- Logging --------------------------------------------------------------------------------------

# JSON lines in production (or LOG_FORMAT=json), readable lines in development; both carry the request id.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json").strip().lower()
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
