"""Settings, all read from the environment through one ``env`` object (see .env.example).

Bad values fail at start with a clear message: ImproperlyConfigured names the variable.
"""

from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

from lib.cache import cache_settings
from lib.languages import Language

# Lets generic Django classes (ModelForm[Model], QuerySet[Model]) be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file beside manage.py is read if present (the run script writes one); the real
# environment always wins over it.
env_file = env.str("ONRAMP_ENV_FILE", default=str(BASE_DIR / ".env"))
if Path(env_file).is_file():
    environ.Env.read_env(env_file, overwrite=False)

SECRET_KEY = env.str("SECRET_KEY")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's form templates, for FORM_RENDERER
    "accounts",
    "audit",
    "licensing",
    "enrollment",
    "provisioning",
    "notifications",
    "restrictions",
    "webhooks",
    "ninja",  # django-ninja: its Swagger UI static files, served by the API docs page
    "integrations",
    "twofactor",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "lib.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lib.middleware.EndUserLanguageMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "lib.text.refuse_unstorable_query",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Console users whose role requires two-step verification set it up before anything else.
    "twofactor.middleware.SecondStepRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.navigation",
                "lib.languages.language_context",
            ],
        },
    },
]
# One field template for every form (STYLE.md habit 13): {{ field.as_field_group }}.
FORM_RENDERER = "lib.forms.OnrampFormRenderer"


def database_settings(url: str) -> dict[str, Any]:
    """The database named by ``url`` (DATABASE_URL), with the options this project runs it with."""
    database: dict[str, Any] = dict(environ.Env.db_url_config(url))
    database["ATOMIC_REQUESTS"] = False
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # The embedded default, for a handful of concurrent users. A DEFERRED transaction that
        # reads and then writes (every redemption does) fails at once with "database is locked"
        # when another writer got in between: SQLite cannot wait for a lock it might deadlock on.
        # IMMEDIATE takes the write lock at BEGIN, so writers queue for up to ``timeout`` seconds;
        # WAL (persistent in the file) lets reads go on while one writes.
        database.setdefault("OPTIONS", {}).update(
            timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL",
        )
    else:
        database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    return database


DATABASES = {
    "default": database_settings(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.ConsoleModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "enrollment:pending_list"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Console login throttle: this many failures per username and per IP within the window.
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=10)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)

# LDAP (optional; needs the [ldap] extra). Empty LDAP_SERVER_URI: no LDAP anywhere. When set,
# console users sign in with their directory password and get the role of their LDAP group;
# LDAP end users and authorizers are looked up through accounts/ldap.py.
LDAP_SERVER_URI = env.str("LDAP_SERVER_URI", default="")
LDAP_BIND_DN = env.str("LDAP_BIND_DN", default="")
LDAP_BIND_PASSWORD = env.str("LDAP_BIND_PASSWORD", default="")
LDAP_USER_SEARCH_BASE = env.str("LDAP_USER_SEARCH_BASE", default="")
LDAP_USER_FILTER = env.str("LDAP_USER_FILTER", default="(uid=%(user)s)")
LDAP_GROUP_SEARCH_BASE = env.str("LDAP_GROUP_SEARCH_BASE", default="")
LDAP_ADMIN_GROUP_DN = env.str("LDAP_ADMIN_GROUP_DN", default="")
LDAP_SUPER_HELPDESK_GROUP_DN = env.str("LDAP_SUPER_HELPDESK_GROUP_DN", default="")
LDAP_HELPDESK_GROUP_DN = env.str("LDAP_HELPDESK_GROUP_DN", default="")
# DNs hold commas, so this list is separated by ";".
LDAP_AUTHORIZER_GROUP_DNS = [
    dn.strip() for dn in env.str("LDAP_AUTHORIZER_GROUP_DNS", default="").split(";") if dn.strip()
]
LDAP_MOBILE_ATTR = env.str("LDAP_MOBILE_ATTR", default="mobile")
LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
if LDAP_SERVER_URI:
    if not LDAP_USER_SEARCH_BASE:
        raise ImproperlyConfigured("LDAP_USER_SEARCH_BASE is required when LDAP_SERVER_URI is set.")
    if "%(user)s" not in LDAP_USER_FILTER:
        raise ImproperlyConfigured("LDAP_USER_FILTER must contain %(user)s.")
    try:
        from accounts.ldap import django_auth_ldap_settings
        globals().update(django_auth_ldap_settings(
            server_uri=LDAP_SERVER_URI, bind_dn=LDAP_BIND_DN, bind_password=LDAP_BIND_PASSWORD,
            user_search_base=LDAP_USER_SEARCH_BASE, user_filter=LDAP_USER_FILTER,
            group_search_base=LDAP_GROUP_SEARCH_BASE, start_tls=LDAP_START_TLS,
        ))
    except ImportError as exc:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set but python-ldap is missing: install the [ldap] extra."
        ) from exc
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.ldap_backend.ConsoleLdapBackend"]

# Languages (F17): end users meet the portal, the activation page and their messages in one of these
# (lib/languages.py, the one list; lib.middleware.EndUserLanguageMiddleware picks it); the console is English.
LANGUAGE_CODE = "en"
LANGUAGES = list(Language.choices)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private files (bulk exports): never below STATIC_ROOT, never served by a public URL.
PRIVATE_STORAGE_DIR = Path(env.path("PRIVATE_STORAGE_DIR", default=str(BASE_DIR / "var" / "private")))

REDIS_URL = env.str("REDIS_URL", default="")
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL or "locmemcache://onramp")
# On Redis the cache fails open: an outage never fails a request (lib/cache.py).
CACHES = {"default": cache_settings(CACHE_URL)}

# Celery. Production: Redis (CELERY_BROKER_URL, else REDIS_URL). Without either (the embedded
# default) the broker is kombu's filesystem transport under CELERY_BROKER_FOLDER, consumed by the
# worker scripts/run.sh starts beside the server: background work never runs inside a request.
# Only unit tests run tasks in-process (config/test_settings.py).
_broker_url = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_BROKER_URL = _broker_url or "filesystem://"
CELERY_BROKER_FOLDER = Path(env.str("CELERY_BROKER_FOLDER", default="") or BASE_DIR / "var" / "celery")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=3300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish must not hang a web request while the broker is down; the outbox sweep catches up.
REDIS_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "socket_timeout": 2, "socket_connect_timeout": 2,
}
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
if CELERY_BROKER_URL.startswith("filesystem:"):
    # One folder is both in and out; "processed" sits beside it so taking a message is a rename on
    # the same file system (config/celery.py creates the folders).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"), "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"), "store_processed": False,
        "control_folder": str(CELERY_BROKER_FOLDER / "control"), "polling_interval": 0.5,
    }
# Celery beat remembers its last runs here (the worker started with -B in scripts/run.sh).
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default="") or str(
    CELERY_BROKER_FOLDER / "beat-schedule")
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
# Expiry (F12): mark OTPs past their expiry as expired (releasing their licences), purge old ones.
CELERY_BEAT_SCHEDULE["enrollment-expire"] = {"task": "enrollment.tasks.expire_enrollments", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["enrollment-purge-expired"] = {
    "task": "enrollment.tasks.purge_expired_enrollments", "schedule": 3600.0,
}
# Notifications (F10): re-publish outbox rows stuck in queued/sending, so a broker outage loses nothing.
CELERY_BEAT_SCHEDULE["notifications-requeue-stuck"] = {
    "task": "notifications.tasks.requeue_stuck_messages", "schedule": 60.0,
}
# Bulk Provision (F7): re-queue jobs whose worker died; delete export files past their retention.
CELERY_BEAT_SCHEDULE["bulk-requeue-stale"] = {"task": "provisioning.tasks.bulk_requeue_stale", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["bulk-purge-exports"] = {"task": "provisioning.tasks.bulk_purge_exports", "schedule": 3600.0}
# Webhooks (F15): re-publish deliveries stuck in queued/sending, so a broker outage loses no event.
CELERY_BEAT_SCHEDULE["webhooks-requeue-stuck"] = {"task": "webhooks.tasks.requeue_stuck_deliveries", "schedule": 60.0}
# Integration API (F15): forget idempotent creates' first answers after their 24 hours.
CELERY_BEAT_SCHEDULE["integrations-purge-idempotency"] = {
    "task": "integrations.tasks.purge_idempotent_creates", "schedule": 3600.0,
}

# Email (notifications/email.py): Django's SMTP backend, configured from the environment.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
# With the file backend (the embedded default writes it to .env) every email lands in this folder.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="onramp@localhost")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL (implicit TLS).")
# SMS (notifications/sms.py): Twilio. Empty credentials: SMS messages fail with "SMS is not configured".
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")  # another base URL for the Twilio API (tests)
TWILIO_TIMEOUT = env.float("TWILIO_TIMEOUT", default=15.0)
# Delivery: retries with exponential backoff (base * 2^n seconds), then failed; the sweep re-queues
# rows queued longer than NOTIFICATION_STUCK_SECONDS or sending longer than the sending timeout.
NOTIFICATION_MAX_RETRIES = env.int("NOTIFICATION_MAX_RETRIES", default=5)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=30)
NOTIFICATION_STUCK_SECONDS = env.int("NOTIFICATION_STUCK_SECONDS", default=120)
NOTIFICATION_SENDING_TIMEOUT_SECONDS = env.int("NOTIFICATION_SENDING_TIMEOUT_SECONDS", default=900)
# Messages one send task claims and sends over one SMTP connection (and one Twilio session).
NOTIFICATION_SEND_BATCH_SIZE = env.int("NOTIFICATION_SEND_BATCH_SIZE", default=100)
# Webhooks (F15): each POST times out after WEBHOOK_TIMEOUT_SECONDS; a failed delivery is retried after base * 2^n
# seconds (at most WEBHOOK_RETRY_MAX_SECONDS apart) for WEBHOOK_RETRY_HOURS, then failed; the sweep re-queues rows due
# WEBHOOK_STUCK_SECONDS ago or sending longer than the sending timeout. A task sends up to the batch size.
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=3600)
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=24)
WEBHOOK_STUCK_SECONDS = env.int("WEBHOOK_STUCK_SECONDS", default=120)
WEBHOOK_SENDING_TIMEOUT_SECONDS = env.int("WEBHOOK_SENDING_TIMEOUT_SECONDS", default=900)
WEBHOOK_SEND_BATCH_SIZE = env.int("WEBHOOK_SEND_BATCH_SIZE", default=100)

# OTP secrets at rest: Fernet keys (urlsafe base64, 32 bytes). Comma-separated: the first
# encrypts, all decrypt, so a key can be rotated without losing stored OTPs.
OTP_ENCRYPTION_KEYS = env.list("OTP_ENCRYPTION_KEY")
if not OTP_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("OTP_ENCRYPTION_KEY must hold at least one Fernet key.")

# Public base URL used in every activation link and QR code until Admin > General sets one.
DEFAULT_ACTIVATION_URL = env.str("DEFAULT_ACTIVATION_URL", default="http://localhost:8000")
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="DE")
PENDING_LIST_PAGE_SIZE = env.int("PENDING_LIST_PAGE_SIZE", default=25)
# The console's live parts poll (htmx) while they can change: a bulk job's Status cell and a re-sent message's
# every LIVE_POLL_MS milliseconds, an upload's preview (rows being checked) twice as often.
LIVE_POLL_MS = env.int("LIVE_POLL_MS", default=2000)
# Bulk Provision Users (F7): upload limits, batch size, export retention, crash detection, queue.
BULK_MAX_UPLOAD_MB = env.int("BULK_MAX_UPLOAD_MB", default=50)
BULK_MAX_ROWS = env.int("BULK_MAX_ROWS", default=200_000)
BULK_BATCH_SIZE = env.int("BULK_BATCH_SIZE", default=1000)
BULK_EXPORT_RETENTION_HOURS = env.int("BULK_EXPORT_RETENTION_HOURS", default=72)
BULK_HEARTBEAT_STALE_SECONDS = env.int("BULK_HEARTBEAT_STALE_SECONDS", default=300)
BULK_CELERY_QUEUE = env.str("BULK_CELERY_QUEUE", default="celery" if _broker_url else "bulk")
if not _broker_url:
    # The embedded default's one worker (scripts/run.sh) consumes both queues in turn, so a bulk job
    # started after a big one never waits behind that job's thousands of queued email batches.
    CELERY_TASK_QUEUES: dict[str, dict[str, str]] = {"celery": {}, BULK_CELERY_QUEUE: {}}
# Self-service portal: at most this many active or locked pending enrollments per end user.
PORTAL_MAX_PENDING_PER_USER = env.int("PORTAL_MAX_PENDING_PER_USER", default=3)
# Per-IP limit on redemption (activation page POST and redeem API): "count/window seconds".
RATE_LIMIT_REDEEM = f'{env.int("REDEEM_RATE_LIMIT", default=30)}/{env.int("REDEEM_RATE_WINDOW", default=60)}'
# Per-API-key limit on the integration API (and per IP on calls with a refused key): "count/window seconds".
RATE_LIMIT_API = f'{env.int("API_RATE_LIMIT", default=120)}/{env.int("API_RATE_WINDOW", default=60)}'
# benchmarks/redeem_throughput.py's one-write baseline URL (benchmarks/baseline_view.py): never on in a console.
BENCHMARK_BASELINE_VIEW = env.bool("BENCHMARK_BASELINE_VIEW", default=False)
# Expired pending enrollments stay listed this many days, then are purged.
EXPIRED_RETENTION_DAYS = env.int("EXPIRED_RETENTION_DAYS", default=30)

# Console and portal sessions end this long after their last request (accounts/middleware.py), and
# when the user's password changes (Django's session auth hash; EndUser.get_session_auth_hash).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=8 * 3600)
if SESSION_COOKIE_AGE < 300:
    raise ImproperlyConfigured("SESSION_IDLE_TIMEOUT_SECONDS must be at least 300 (5 minutes).")
SESSION_COOKIE_HTTPONLY = True
# The end user's choice of language (the language switch): a year, only for this site, never read by scripts.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"  # also what enrollment.language_views sets
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# "This form has expired": in the end user's language on their pages (lib.errors), templates/403_csrf.html elsewhere.
CSRF_FAILURE_VIEW = "lib.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
# django-csp: scripts and styles only from our own static files (no inline <script>, <style> or
# style=""), images also as data: URLs, no plugins, no <base>, no framing, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("TRUST_X_FORWARDED_PROTO", default=False) else None
)
# Client IP for audit and rate limits (audit.actor.client_ip): the number of reverse proxies in
# front of the console that append to X-Forwarded-For. 0: the header is ignored, the socket's address
# is the client. The leftmost entries are the client's to choose, so only this many count.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
if "TRUST_X_FORWARDED_FOR" in env.ENVIRON:
    raise ImproperlyConfigured(
        "TRUST_X_FORWARDED_FOR is gone: it trusted the client-controlled leftmost X-Forwarded-For entry. "
        "Set TRUSTED_PROXY_COUNT to the number of proxies in front of the console (1 for one nginx) instead."
    )

WHITENOISE_USE_FINDERS = DEBUG
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Error pages and mailed reports hide what views and services mark sensitive, with DEBUG on too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "lib.error_reports.SecretSafeExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
