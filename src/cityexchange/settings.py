"""Settings of cityexchange, read from the environment only.

Every value comes from an environment variable through a typed helper that
refuses a bad value at start-up with a message naming the variable, so a typo
in a deployment fails loudly instead of silently running with a default.
The embedded default (no variables set) is SQLite under ``var/`` with tasks
run inline and mail printed to the console.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
# var/ holds the SQLite database, uploads and the generated secret key.
VAR_DIR = Path(os.environ.get("CITYEXCHANGE_VAR_DIR", Path.cwd() / "var")).resolve()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from exc
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}{upper}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def env_database(name: str, default: str) -> dict[str, Any]:
    url = os.environ.get(name) or default
    if not url.startswith(("sqlite:", "postgres:", "postgresql:", "postgis:")):
        raise ImproperlyConfigured(
            f"{name} must be a sqlite:/// or postgresql:// URL, not {url.split(':', 1)[0]!r}."
        )
    try:
        config: dict[str, Any] = dj_database_url.parse(url, conn_max_age=60)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock at the start of every transaction, so a
        # capacity check and the insert that follows can never interleave with
        # another writer: SQLite's answer to select_for_update().
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # Kept open like PostgreSQL's (60 s): closing the last connection to a WAL
        # database checkpoints and removes its log, and a new one starts with an empty
        # page cache, which cost every request about a millisecond and a search five.
    else:
        config["CONN_HEALTH_CHECKS"] = True
        if env_bool("CITYEXCHANGE_PGBOUNCER", False):
            # PgBouncer in transaction mode hands each transaction to any server
            # connection: no cursor may outlive its transaction, and a connection kept
            # open by Django would only hold a pool slot (PgBouncer does the pooling).
            config["DISABLE_SERVER_SIDE_CURSORS"] = True
            config["CONN_MAX_AGE"] = 0
            # Nor may a prepared statement: it lives on one server connection.
            config.setdefault("OPTIONS", {})["prepare_threshold"] = None
    return config


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("CITYEXCHANGE_TESTING", False)

_secret = os.environ.get("SECRET_KEY", "")
if not _secret:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set unless DEBUG=1 (make run generates one under var/)."
        )
    _secret = "insecure-development-key-only-for-debug-and-tests"  # noqa: S105
elif len(_secret) < 50 and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Links in mails point where `make run` serves (PORT) unless SITE_URL says otherwise.
SITE_URL = env_str(
    "SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1, maximum=65535)}"
).rstrip("/")

HTTPS = env_bool("CITYEXCHANGE_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("CITYEXCHANGE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("CITYEXCHANGE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("CITYEXCHANGE_BEHIND_PROXY", False)
# How many proxies of our own add an entry to X-Forwarded-For: the client's address is
# the one the outermost of them saw, that many entries from the end of the list.
PROXY_HOPS = env_int("CITYEXCHANGE_PROXY_HOPS", 1, minimum=1, maximum=10)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "ninja",
    "cityexchange.core",
    "cityexchange.directory",
    "cityexchange.events",
    "cityexchange.library",
    "cityexchange.assessments",
    "cityexchange.network",
    "cityexchange.challenges",
    "cityexchange.consultations",
    "cityexchange.marketplace",
    # Accounts (sign-up, verification, two-factor, single sign-on): cityexchange's own
    # templates for allauth's pages come first, so they win over allauth's.
    "cityexchange.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "cityexchange.core.middleware.KeepVersionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After the locale is known: refusals are worded in the visitor's language.
    "cityexchange.core.inputguard.InputGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff and administrators set up two-factor sign-in before the back office opens.
    "cityexchange.accounts.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "cityexchange.core.middleware.TimezoneMiddleware",
]
# First of all: the request id, the JSON request line and the metrics see every answer.
MIDDLEWARE.insert(0, "cityexchange.core.requestlog.RequestLogMiddleware")

ROOT_URLCONF = "cityexchange.urls"
WSGI_APPLICATION = "cityexchange.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's own pages (the API reference, see apidocs.py); apps keep theirs.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "cityexchange.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cityexchange.sqlite3'}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:home"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # allauth's backend is Django's model backend plus sign-in by e-mail address.
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts (django-allauth): sign-in by e-mail address, which must be verified before the
# account can act; the same answer whether or not an address is known.
ACCOUNT_ADAPTER = "cityexchange.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "cityexchange.accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int(
    "CITYEXCHANGE_EMAIL_CONFIRMATION_DAYS", 3, minimum=1, maximum=30
)
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[cityexchange] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "cityexchange"
# A code typed as the 30 seconds turn over, or from a phone whose clock is a little
# off, is still accepted: the one before and the one after the current code count too
# (each code still works only once).
MFA_TOTP_TOLERANCE = 1
# Network staff and administrators must use two-factor sign-in before the back office or
# anyone's personal data opens; 0 only for a development machine without a phone.
CITYEXCHANGE_STAFF_MFA = env_bool("CITYEXCHANGE_STAFF_MFA", True)
USERSESSIONS_TRACK_ACTIVITY = False
# The version of the privacy notice a person agrees to when signing up or registering.
CITYEXCHANGE_PRIVACY_NOTICE_VERSION = env_str("CITYEXCHANGE_PRIVACY_NOTICE_VERSION", "2025-01")
# How long an invitation to join an organisation stays valid.
CITYEXCHANGE_INVITATION_DAYS = env_int("CITYEXCHANGE_INVITATION_DAYS", 14, minimum=1, maximum=90)

# Single sign-on with OpenID Connect, off unless an issuer is configured: for networks whose
# members already have an identity provider. Accounts are matched by verified e-mail address.
SOCIALACCOUNT_ADAPTER = "cityexchange.accounts.adapter.SocialAccountAdapter"
OIDC_ISSUER = env_str("CITYEXCHANGE_OIDC_ISSUER", "").rstrip("/")
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {}
if OIDC_ISSUER:
    if not OIDC_ISSUER.startswith(("https://", "http://")):
        raise ImproperlyConfigured("CITYEXCHANGE_OIDC_ISSUER must be an https:// (or http://) URL.")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "oidc",
                "name": env_str("CITYEXCHANGE_OIDC_NAME", "Single sign-on"),
                "client_id": env_str("CITYEXCHANGE_OIDC_CLIENT_ID"),
                "secret": env_str("CITYEXCHANGE_OIDC_CLIENT_SECRET"),
                "settings": {"server_url": OIDC_ISSUER},
            }
        ],
        # The provider's "email_verified" claim is trusted: it runs the network's identities.
        "VERIFIED_EMAIL": False,
    }
SOCIALACCOUNT_FORMS = {"signup": "cityexchange.accounts.forms.SocialSignupForm"}
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True

# Languages: the interface and every content field exist in these four.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("de", _("German")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
]
# Each app keeps its catalogues in <app>/locale; project-wide strings (API errors) live here.
# The second is built by compile-catalogues: the apps' messages above Django's own,
# and Django's Brazilian messages for "pt" (see that command).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overlay"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# The zone shown when a visitor has not chosen one: the network is run from Berlin.
CITYEXCHANGE_DEFAULT_VIEWER_TIMEZONE = env_str("CITYEXCHANGE_DEFAULT_TIMEZONE", "Europe/Berlin")

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("de", "en", "es", "pt")
# A missing translation falls back to English, then to whatever was written.
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "de", "es", "pt")}
# The back office's translation tabs use the project's own tab script, not jQuery UI
# from a public CDN (which the content security policy refuses).
JQUERY_UI_URL = "core/admin/translation-tabs.js"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploads are private: nothing serves this folder. Each file is sent by its app's view
# after the same permission check as the page it belongs to (a draft resource's
# attachment, an event's material); never let a web server or proxy serve it.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("CITYEXCHANGE_MEDIA_ROOT", VAR_DIR / "media"))
# Without collectstatic (development, tests) serve straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# No form or JSON body needs more than this (files have their own limit below).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CITYEXCHANGE_MAX_UPLOAD_BYTES = env_int("CITYEXCHANGE_MAX_UPLOAD_MB", 25, minimum=1) * 1024 * 1024

# Cache: Redis when configured (shared by several app servers); otherwise files under
# var/cache, which every process of one machine shares (`serve` starts two workers), so
# rate limits and the versions of derived data hold across them. Files rather than the
# database cache: no write to SQLite's single writer lock on every counted request.
_redis_url = os.environ.get("CITYEXCHANGE_REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if _redis_url:
    if not _redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CITYEXCHANGE_REDIS_URL must be a redis:// URL.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "cityexchange.core.filecache.LockedFileCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Past this many files Django deletes a third of them at random, whatever
            # they hold (a lockout count, a version): room for many addresses' counts.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
# Whole search answers, kept by each process in its own memory (library.selectors):
# many and short-lived, so they never crowd counts and versions out of the shared
# cache above. Their keys carry the shared versions, so an edit retires them everywhere.
CACHES["answers"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "cityexchange-answers",
    "OPTIONS": {"MAX_ENTRIES": 500},
}

# Rate limiting of public write endpoints (registration, finder); `off` for load tests.
RATELIMIT_ENABLE = env_choice("CITYEXCHANGE_RATELIMIT", "on", ("on", "off")) == "on"
RATELIMIT_VIEW = "cityexchange.core.views.ratelimited"
RATELIMIT_IP_META_KEY = "cityexchange.core.ratelimit.client_address"
# allauth's limits, counted in the cache like cityexchange's own. "login_failed" locks an
# address out after 5 wrong passwords in 5 minutes (and any client after 10 a minute).
ACCOUNT_RATE_LIMITS = (
    {
        "login": "30/m/ip",
        "login_failed": "10/m/ip,5/300s/key",
        "signup": "20/m/ip",
        "reset_password": "20/m/ip,5/m/key",
        "reset_password_from_key": "20/m/ip",
        "confirm_email": "1/180s/key",
        "change_password": "5/m/user",
        "manage_email": "10/m/user",
        "reauthenticate": "10/m/user",
    }
    if RATELIMIT_ENABLE
    else False
)

# Background tasks: inline without a broker, Celery workers with one.
CELERY_BROKER_URL = os.environ.get("CITYEXCHANGE_BROKER_URL", "")
if CELERY_BROKER_URL and not CELERY_BROKER_URL.startswith(
    ("redis://", "rediss://", "amqp://", "amqps://")
):
    raise ImproperlyConfigured("CITYEXCHANGE_BROKER_URL must be a redis:// or amqp:// URL.")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# The apps add their periodic tasks here; ``core.scheduler`` runs each once per period.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {}
# A task whose worker died runs again elsewhere (with acks_late): at once on RabbitMQ,
# which sees the connection drop; on Redis after this many seconds without an
# acknowledgement, so it must exceed the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int(
        "CITYEXCHANGE_BROKER_VISIBILITY_TIMEOUT", 3600, minimum=5, maximum=86400 * 7
    ),
    # Look for such tasks every 10 s (Redis' default: every 100 s).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
# Several installations can share one broker, each with its own queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("CITYEXCHANGE_TASK_QUEUE", "celery")
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How often a scheduler looks for due periodic work (seconds).
CITYEXCHANGE_SCHEDULER_TICK = env_int("CITYEXCHANGE_SCHEDULER_TICK", 15, minimum=1, maximum=300)
# Without a broker, `serve` runs the scheduler in its app server processes (the
# embedded default); `off` when cron or another process runs the periodic work.
CITYEXCHANGE_SCHEDULER = env_choice("CITYEXCHANGE_SCHEDULER", "on", ("on", "off")) == "on"

# Mail: a file per message under var/mail by default (never the server log, which would
# keep names and personal links), SMTP when configured; console only on request.
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}[env_choice("CITYEXCHANGE_EMAIL", "file", ("console", "file", "smtp", "memory"))]
EMAIL_FILE_PATH = Path(os.environ.get("CITYEXCHANGE_MAIL_DIR") or VAR_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cityexchange <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Content-Security-Policy: nothing from other hosts, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

NINJA_PAGINATION_CLASS = "cityexchange.core.pagination.Pages"
NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200
NINJA_PAGINATION_MAX_LIMIT = 200

# How long registration data is kept after an event before it is anonymised.
CITYEXCHANGE_RETENTION_DAYS = env_int("CITYEXCHANGE_RETENTION_DAYS", 365, minimum=1)

# Logs: text by default; `json` gives one JSON object per line (one per request, with
# its request id, which tasks queued by the request carry too), for log collectors.
LOG_FORMAT = env_choice("CITYEXCHANGE_LOG_FORMAT", "text", ("text", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Personal links carry their token in the path; no log line keeps one.
    "filters": {
        "tokens": {"()": "cityexchange.core.accesslog.RedactTokens"},
        "request_id": {"()": "cityexchange.core.requestlog.RequestIdFilter"},
    },
    "formatters": {"json": {"()": "cityexchange.core.requestlog.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["tokens", "request_id"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
    },
}
# In JSON, Celery's workers log through the same handler and format instead of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# Prometheus metrics at /api/v1/metrics: off unless a token is set; scrapers send it
# as `Authorization: Bearer <token>`.
METRICS_TOKEN = env_str("CITYEXCHANGE_METRICS_TOKEN", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 20:
    raise ImproperlyConfigured("CITYEXCHANGE_METRICS_TOKEN must be at least 20 characters long.")
if METRICS_TOKEN:
    # Every process of the machine (gunicorn's workers, Celery's pool) writes its
    # counts here and a scrape adds them up; read by prometheus-client when imported.
    _metrics_dir = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or VAR_DIR / "metrics")
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)
