"""SchoolDesk settings: everything that differs between machines comes from the environment."""

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SCHOOLDESK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


TESTING = bool(os.environ.get("PYTEST_VERSION"))  # set by pytest for the whole session
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("SCHOOLDESK_PRODUCTION"):
        raise RuntimeError("DJANGO_SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-development-key-not-for-production"  # noqa: S105
# Secrets at rest (mailbox passwords, OAuth secrets and tokens: schooldesk/core/fields.py): Fernet keys, comma-
# separated; all are tried to read, the first writes (docs/decisions/0012). Without them, in development and tests
# only, one key derived from SECRET_KEY, so that `make run` needs no setup. Production refuses to start without
# them: secrets written under a derived key would be lost when DJANGO_SECRET_KEY is next changed.
SCHOOLDESK_SECRET_KEYS = [key.strip() for key in os.environ.get("SCHOOLDESK_SECRET_KEYS", "").split(",") if key.strip()]
if not SCHOOLDESK_SECRET_KEYS:
    if not DEBUG and env_bool("SCHOOLDESK_PRODUCTION"):
        raise RuntimeError(
            "SCHOOLDESK_SECRET_KEYS must be set in production (the key that encrypts mailbox passwords and tokens). "
            "Make one with: python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
        )
    SCHOOLDESK_SECRET_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(b"schooldesk secrets at rest\0" + SECRET_KEY.encode()).digest()
        ).decode()
    ]
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "schooldesk.core.admin.DeskAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API docs page's Redoc, from our own static files
    "huey.contrib.djhuey",
    "axes",
    # Sign-in (docs/decisions/0031): allauth's login, its OpenID Connect provider for "Sign in with Microsoft or
    # Google" (one app per school's tenant or domain, schooldesk/accounts/sso.py), and its MFA.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "schooldesk.core",
    "schooldesk.accounts",
    "schooldesk.permissions",  # every rule of who may do what (docs/decisions/0036)
    "schooldesk.schools",
    "schooldesk.locations",
    "schooldesk.suppliers",
    "schooldesk.incidents",
    "schooldesk.reports",
    "schooldesk.assets",
    "schooldesk.licences",
    "schooldesk.diary",
    "schooldesk.mail",
    "schooldesk.problems",
    "schooldesk.changes",
    "schooldesk.procedures",
    "schooldesk.budgets",
    "schooldesk.safeguarding",
    "schooldesk.replies",
    "schooldesk.outages",
    "schooldesk.standards",
    "schooldesk.privacy",
    "schooldesk.webhooks",
    "schooldesk.loans",
    "schooldesk.directory",
    "schooldesk.devicesync",
    "schooldesk.demo",  # the demo desk: above every other app (docs/architecture.md)
    # apps: one line per domain app, above this comment
]

MIDDLEWARE = [
    "schooldesk.core.middleware.RequestIdMiddleware",
    # Near the top, so that an answer a later middleware makes itself (the HTTPS redirect, a refused Host's 400)
    # carries the Content-Security-Policy too, not only the views' (docs/decisions/0015)
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "schooldesk.core.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "schooldesk.core.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    "schooldesk.accounts.mfa.MfaRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "schooldesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "schooldesk.accounts.context_processors.desk",
                "schooldesk.outages.context_processors.outages",
            ],
        },
    },
    # Only the hot fragments (the call rows, the badges, the drop-downs), drawn by tags from the Django pages:
    # templates in <app>/jinja2/, the environment in schooldesk/core/fragments.py (decision 0038).
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "schooldesk.core.fragments.environment"},
    },
]

# Database: SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so.
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{VAR_DIR / 'schooldesk.sqlite3'}", conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (conn_max_age above), as on PostgreSQL: a new SQLite connection starts with an empty
    # page cache and parses the whole schema again, which cost every request about 20 ms (docs/benchmarks.md).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Axes first (a locked-out client goes no further); then a username (the admin's sign-in) and allauth's, which
# also takes an email address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The Django admin (superusers only) at /SCHOOLDESK_ADMIN_PATH/, or nowhere when it is empty; production without
# the variable: nowhere (docs/decisions/0013).
SCHOOLDESK_ADMIN_PATH = (
    os.environ.get("SCHOOLDESK_ADMIN_PATH", "" if env_bool("SCHOOLDESK_PRODUCTION") else "django-admin")
    .strip()
    .strip("/")
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Signing in through django-allauth (docs/decisions/0031): a username or an email address and a password, on the
# desk's own page (templates/account/login.html). Nobody signs themselves up: accounts are made by a SPOC, by
# desk_init, or on a first sign-in with Microsoft or Google from a school's own tenant or domain (the adapters in
# schooldesk/accounts/adapters.py decide). Failed passwords are counted by django-axes (above), not by allauth;
# "Forgotten your password?" stays Django's form, whose email the worker sends (accounts/tasks.py).
ACCOUNT_ADAPTER = "schooldesk.accounts.adapters.DeskAccountAdapter"
SOCIALACCOUNT_ADAPTER = "schooldesk.accounts.adapters.DeskSocialAccountAdapter"
ACCOUNT_FORMS = {"login": "schooldesk.accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True  # asked of new addresses only; people made before allauth may share one
ACCOUNT_SESSION_REMEMBER = True  # as before: no "remember me" box, the session lasts SESSION_COOKIE_AGE
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {"login_failed": False}  # django-axes counts failures (schooldesk/core/throttling.py)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("SCHOOLDESK_PRODUCTION") else "http"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking by email is the desk's own rule (accounts/adapters.py)
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # starting a sign-in with Microsoft or Google is a POST
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_QUERY_EMAIL = True

# Login throttling (django-axes, docs/decisions/0013), counted over 15 minutes: 5 failures lock that account from
# that address only (a stranger elsewhere cannot lock a real person out); 20 from one address lock the address,
# whichever accounts it tries (one password sprayed over many usernames); 50 lock the account from everywhere
# (slower: it takes many addresses). A failure while locked out does not extend the lock. The address is the
# client's (schooldesk.core.throttling.client_address), behind nginx only with SCHOOLDESK_TRUSTED_PROXY=1.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
SCHOOLDESK_LOGIN_ADDRESS_LIMIT = int(os.environ.get("SCHOOLDESK_LOGIN_ADDRESS_LIMIT", "20"))
SCHOOLDESK_LOGIN_ACCOUNT_LIMIT = int(os.environ.get("SCHOOLDESK_LOGIN_ACCOUNT_LIMIT", "50"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_HANDLER = "schooldesk.core.throttling.DeskAxesHandler"
AXES_CLIENT_IP_CALLABLE = "schooldesk.core.throttling.client_address"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # the language picked in the footer is kept a year (decision 0035)

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "schooldesk" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("SCHOOLDESK_PRODUCTION")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not env_bool("SCHOOLDESK_PRODUCTION")
# Uploads live outside the static tree and are only ever served through a view, as downloads.
MEDIA_ROOT = Path(os.environ.get("SCHOOLDESK_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"
ATTACHMENT_MAX_BYTES = int(os.environ.get("SCHOOLDESK_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# Uploads are measured as they arrive (schooldesk/core/uploads.py, docs/decisions/0015): past the largest file the
# desk takes (an attachment, or an asset import's 15 MB) no more of it is kept, and the form says it is too large; a
# request body over SCHOOLDESK_REQUEST_MAX_BYTES (nginx's client_max_body_size: the same figure) is refused unread.
SCHOOLDESK_UPLOAD_MAX_BYTES = max(ATTACHMENT_MAX_BYTES, 15 * 1024 * 1024)
SCHOOLDESK_REQUEST_MAX_BYTES = int(os.environ.get("SCHOOLDESK_REQUEST_MAX_BYTES", str(64 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "schooldesk.core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # a larger file goes to a temporary file, never whole into memory
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # a form's or an API call's fields, files apart
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Uploads are scanned before they are kept (schooldesk/core/scanning.py): by ClamAV's clamd when this names its
# socket (a path, or host:port), else not at all. A clamd that cannot be reached refuses the upload.
SCHOOLDESK_CLAMD_SOCKET = os.environ.get("SCHOOLDESK_CLAMD_SOCKET", "")
SCHOOLDESK_CLAMD_TIMEOUT = float(os.environ.get("SCHOOLDESK_CLAMD_TIMEOUT", "30"))

# Mail: SMTP when EMAIL_HOST is set; otherwise each message is written to a file in var/mail/ (the demo
# desk's notifications would otherwise flood the terminal of `make run` and push the logins away).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# Every connection the desk opens gives up after this many seconds (a server that accepts and never answers
# must not hang a worker, the Retry button or a password reset): SMTP, IMAP and the OAuth token endpoints.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
SCHOOLDESK_IMAP_TIMEOUT = int(os.environ.get("SCHOOLDESK_IMAP_TIMEOUT", "30"))
SCHOOLDESK_OAUTH_TIMEOUT = int(os.environ.get("SCHOOLDESK_OAUTH_TIMEOUT", "20"))
# Servers a SPOC types into a mailbox's settings (core/netguard.py): only these ports ("*": any), and never an
# address on a private or local network unless the installation allows it (a single school's own server). The
# test suite's Dovecot and SMTP servers run on loopback on random ports.
SCHOOLDESK_IMAP_PORTS = os.environ.get("SCHOOLDESK_IMAP_PORTS", "*" if TESTING else "993,143")
SCHOOLDESK_SMTP_PORTS = os.environ.get("SCHOOLDESK_SMTP_PORTS", "*" if TESTING else "587,465,25")
SCHOOLDESK_ALLOW_PRIVATE_HOSTS = env_bool("SCHOOLDESK_ALLOW_PRIVATE_HOSTS", TESTING)
# Webhooks (schooldesk/webhooks): the same address checks; https only unless plain http is allowed (tests, a
# private installation); ports as above; each post gives up after this many seconds.
SCHOOLDESK_WEBHOOK_PORTS = os.environ.get("SCHOOLDESK_WEBHOOK_PORTS", "*" if TESTING else "443")
SCHOOLDESK_WEBHOOKS_ALLOW_HTTP = env_bool("SCHOOLDESK_WEBHOOKS_ALLOW_HTTP", TESTING)
SCHOOLDESK_WEBHOOK_TIMEOUT = int(os.environ.get("SCHOOLDESK_WEBHOOK_TIMEOUT", "10"))
# Directory sync (schooldesk/directory, docs/decisions/0034): the providers' addresses. Not on any page (no one can
# point the desk elsewhere); the tests point them at a stand-in on loopback, and by default at a closed port on this
# machine, so that no test reaches the internet. A 429's Retry-After is waited out for at most MAX_WAIT seconds.
_DIRECTORY_OFFLINE = "http://127.0.0.1:9" if TESTING else ""
SCHOOLDESK_DIRECTORY_URLS = {
    "graph": os.environ.get("SCHOOLDESK_GRAPH_URL", _DIRECTORY_OFFLINE or "https://graph.microsoft.com"),
    "microsoft_token": os.environ.get(
        "SCHOOLDESK_MICROSOFT_TOKEN_URL",
        (_DIRECTORY_OFFLINE + "/{tenant}/token")
        if TESTING
        else "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
    ),
    "google": os.environ.get("SCHOOLDESK_GOOGLE_DIRECTORY_URL", _DIRECTORY_OFFLINE or "https://admin.googleapis.com"),
    "google_token": os.environ.get(
        "SCHOOLDESK_GOOGLE_TOKEN_URL",
        (_DIRECTORY_OFFLINE + "/token") if TESTING else "https://oauth2.googleapis.com/token",
    ),
    "wonde": os.environ.get("SCHOOLDESK_WONDE_URL", _DIRECTORY_OFFLINE or "https://api.wonde.com"),
}
SCHOOLDESK_DIRECTORY_MAX_WAIT = int(os.environ.get("SCHOOLDESK_DIRECTORY_MAX_WAIT", "60"))
# Device consoles (schooldesk/devicesync, docs/decisions/0030): the same address checks for a console's API address;
# https only (plain http to this machine where private hosts are allowed: the tests' stand-ins); a throttled answer
# (429, 503) is retried at most this many times, never waiting longer than the cap between tries.
SCHOOLDESK_DEVICESYNC_PORTS = os.environ.get("SCHOOLDESK_DEVICESYNC_PORTS", "*" if TESTING else "443")
SCHOOLDESK_DEVICESYNC_TIMEOUT = int(os.environ.get("SCHOOLDESK_DEVICESYNC_TIMEOUT", "30"))
SCHOOLDESK_DEVICESYNC_RETRIES = int(os.environ.get("SCHOOLDESK_DEVICESYNC_RETRIES", "5"))
SCHOOLDESK_DEVICESYNC_MAX_WAIT = int(os.environ.get("SCHOOLDESK_DEVICESYNC_MAX_WAIT", "120"))
# The installation's administrators (comma-separated): told when a backup fails; without it, the superusers. Not
# Django's ADMINS, which would also email every 5xx answer (each /health/ poll during an outage) with its details.
SCHOOLDESK_ADMIN_EMAIL = [a.strip() for a in os.environ.get("SCHOOLDESK_ADMIN_EMAIL", "").split(",") if a.strip()]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SchoolDesk <desk@schooldesk.invalid>")
# The desk's own address, for links in emails and on QR labels. Without it, the address `make run` serves (it
# passes HOST and PORT as SCHOOLDESK_HOST and SCHOOLDESK_PORT), and QR labels take the address the page was asked for.
SCHOOLDESK_SITE_URL_IS_SET = bool(os.environ.get("SCHOOLDESK_SITE_URL"))
SCHOOLDESK_SITE_URL = (
    os.environ.get("SCHOOLDESK_SITE_URL")
    or f"http://{os.environ.get('SCHOOLDESK_HOST', '127.0.0.1')}:{os.environ.get('SCHOOLDESK_PORT', '8000')}"
).rstrip("/")

# Background work: Huey with SQLite storage by default, Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
# /health/ fails when no worker has written its heartbeat (every minute) for this many seconds.
# How long the audit trail keeps its entries (days); a nightly task deletes older ones (docs/decisions/0016).
SCHOOLDESK_AUDIT_RETENTION_DAYS = int(os.environ.get("SCHOOLDESK_AUDIT_RETENTION_DAYS", str(2 * 365)))
SCHOOLDESK_HEARTBEAT_MAX_AGE = int(os.environ.get("SCHOOLDESK_HEARTBEAT_MAX_AGE", "300"))
# Backups (manage.py desk_backup, deploy/schooldesk-backup.timer): where, how many kept, the passphrase file that
# encrypts them (optional). When SCHOOLDESK_BACKUP_DIR is set, /health/ fails when the last backup failed or the
# last good one is older than SCHOOLDESK_BACKUP_MAX_AGE_HOURS.
SCHOOLDESK_BACKUP_DIR = os.environ.get("SCHOOLDESK_BACKUP_DIR", "")
SCHOOLDESK_BACKUP_KEEP = int(os.environ.get("SCHOOLDESK_BACKUP_KEEP", "14"))
SCHOOLDESK_BACKUP_MAX_AGE_HOURS = int(os.environ.get("SCHOOLDESK_BACKUP_MAX_AGE_HOURS", "26"))
SCHOOLDESK_BACKUP_PASSPHRASE_FILE = os.environ.get("SCHOOLDESK_BACKUP_PASSPHRASE_FILE", "")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", TESTING)  # tests run tasks at once
# Exactly one worker queues the periodic jobs (reminders, SLA warnings, mail polling, the heartbeat): every other
# worker runs with SCHOOLDESK_SCHEDULER=0, as `run_huey --no-periodic` (the schooldesk-worker@N units), and still
# runs whatever is queued. Two schedulers would queue each job twice; the jobs would still send each email once.
HUEY_CONSUMER = {"workers": 2, "worker_type": "thread", "periodic": env_bool("SCHOOLDESK_SCHEDULER", True)}
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "schooldesk",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": HUEY_CONSUMER,
    }
else:
    HUEY = {
        "huey_class": "schooldesk.core.queue.WalSqliteHuey",  # synchronous=NORMAL, as the database: core/queue.py
        "name": "schooldesk",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": HUEY_CONSUMER,
    }

# Rate limits per person (schooldesk/core/throttling.py; "N/sec", "N/min", "N/hour" or "N/day"): records created,
# on the web and through the API together, and API requests of any kind. The test suite counts more freely (its
# walks create hundreds of records a minute); tests of the limits set them. Counted in the cache below.
SCHOOLDESK_CREATE_RATE = os.environ.get("SCHOOLDESK_CREATE_RATE", "10000/min" if TESTING else "10/min")
SCHOOLDESK_API_RATE = os.environ.get("SCHOOLDESK_API_RATE", "10000/min" if TESTING else "300/min")
# The cache every web process shares (the rate limits' counts): Redis with REDIS_URL, else files in var/cache/ (one
# machine's gunicorn processes); each test process its own memory.
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "schooldesk",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }

REST_FRAMEWORK = {
    # A person's API token (Authorization: Bearer); the signed-in browser's session for the schema and browsable
    # pages. Never a password (HTTP Basic): docs/decisions/0013.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "schooldesk.accounts.api.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "schooldesk.accounts.api.TokenScopePermission",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only: REST framework's browsable pages drew their filter and create forms' choices from unscoped
    # querysets (another school's records); the documentation page (/api/v1/docs/) is the API's page
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Per person (schooldesk/core/throttling.py): every request at SCHOOLDESK_API_RATE, creating at
    # SCHOOLDESK_CREATE_RATE (shared with the web's create pages); over it, 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "schooldesk.core.throttling.ApiRateThrottle",
        "schooldesk.core.throttling.CreateRateThrottle",
    ],
    # Cursor pages, `?fields=`, ETags and the one error shape: schooldesk/core/api.py (docs/decisions/0025)
    "DEFAULT_PAGINATION_CLASS": "schooldesk.core.pagination.DeskCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # {"error": {"code", "message", "fields"}}, wrapping the audit trail's handler (refusals recorded)
    "EXCEPTION_HANDLER": "schooldesk.core.api.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SchoolDesk API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The docs page (/api/v1/docs/) serves Swagger UI from drf-spectacular-sidecar's static files, never a CDN
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PriorityEnum": "schooldesk.schools.choices.Priority",
        "ChangePriorityEnum": "schooldesk.changes.choices.ChangePriority",
    },
    "DESCRIPTION": (
        "Every record a person can see in the desk, with the same scoping, filters, permissions and services as the "
        "web pages. Lists are cursor-paginated (`next`/`previous`), `?fields=a,b` chooses columns, a detail answer "
        "carries an `ETag` and a change may send it back as `If-Match` (a stale one answers 412). Every error is "
        '`{"error": {"code", "message", "fields"}}` (the `Error` schema).'
    ),
    "APPEND_COMPONENTS": {
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message", "fields"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "fields": {
                                "type": "object",
                                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    }
                },
            }
        }
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

if env_bool("SCHOOLDESK_PRODUCTION"):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# /health/ answers over plain HTTP too, for a load balancer or monitor that asks the web process directly.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Behind a proxy that terminates TLS (deploy/nginx.conf.example), and only when it is trusted to set them: the
# scheme from X-Forwarded-Proto (or every request looks like plain HTTP and is redirected for ever) and, for
# every limit on clients (schooldesk/core/throttling.py), the client's address from X-Real-IP; without it, both
# headers are ignored. Never set it where clients can reach the app directly: they could then claim to be on
# HTTPS or to come from any address.
TRUSTED_PROXY = env_bool("SCHOOLDESK_TRUSTED_PROXY")
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp; docs/decisions/0015): scripts, styles, images, fonts and
# connections from the desk itself only, never inline script, never a frame, a plugin or a foreign form target.
# Style attributes (style="…") are still allowed: about thirty templates set one, several with a computed width
# or height; a <style> element or a foreign stylesheet is not. The favicon is a data: URI.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True

# Logs: text lines, or one JSON object a line with SCHOOLDESK_LOG_FORMAT=json; each with the request id, person
# and school where known (schooldesk/core/logs.py), never a password or a message body.
SCHOOLDESK_LOG_FORMAT = os.environ.get("SCHOOLDESK_LOG_FORMAT", "text")
if SCHOOLDESK_LOG_FORMAT not in {"text", "json"}:
    raise RuntimeError("SCHOOLDESK_LOG_FORMAT must be text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "schooldesk.core.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"()": "schooldesk.core.logs.TextFormatter"},
        "json": {"()": "schooldesk.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request"], "formatter": SCHOOLDESK_LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Errors to Sentry only when SENTRY_DSN is set: without it sentry_sdk is not even imported, and nothing is sent.
# No personal data and no request bodies (form fields, email text) go; the request id, school and person's id do.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as exc:
        raise RuntimeError("SENTRY_DSN is set but the sentry-sdk package is not installed") from exc
    from schooldesk.core.logs import sentry_before_send

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=os.environ.get(
            "SENTRY_ENVIRONMENT", "production" if env_bool("SCHOOLDESK_PRODUCTION") else "development"
        ),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
        max_request_body_size="never",
        before_send=sentry_before_send,
    )

FORM_RENDERER = "schooldesk.core.forms.DeskFormRenderer"

# Two-step sign-in (allauth.mfa; docs/decisions/0032): authenticator apps, passkeys and recovery codes, with the
# desk's own pages (schooldesk/templates/mfa/), forms and adapter (secrets encrypted at rest).
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True  # "Use a passkey" on the login page: a passkey is two factors in itself
MFA_TOTP_ISSUER = os.environ.get("SCHOOLDESK_MFA_ISSUER", "SchoolDesk")
MFA_TOTP_TOLERANCE = 1  # a phone's clock 30 seconds out still works
MFA_ADAPTER = "schooldesk.accounts.mfa_allauth.DeskMFAAdapter"
MFA_FORMS = {
    name: f"schooldesk.accounts.mfa_allauth.Desk{form}Form"
    for name, form in {
        "authenticate": "Authenticate",
        "reauthenticate": "Reauthenticate",
        "activate_totp": "ActivateTOTP",
        "deactivate_totp": "DeactivateTOTP",
        "generate_recovery_codes": "GenerateRecoveryCodes",
        "add_webauthn": "AddWebAuthn",
        "edit_webauthn": "EditWebAuthn",
    }.items()
}
# Passkeys need a secure origin: https in production; http://localhost for `make run` and the browser tests.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING
# The roles that must use it where an organisation has saved no rule of its own (its ICT owner sets one on the
# Security page). The test suite's default is none: its thousands of sign-ins as SPOCs are not about MFA, and the
# tests that are save a rule or set this.
SCHOOLDESK_MFA_DEFAULT_ROLES = [
    role.strip()
    for role in os.environ.get(
        "SCHOOLDESK_MFA_DEFAULT_ROLES", "" if TESTING else "spoc,technician,provider,owner,dpo,dsl"
    ).split(",")
    if role.strip()
]
