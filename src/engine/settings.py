"""Settings for the social-assistance engine.

Everything that differs between a laptop, CI and production comes from the
environment (see docs/deploy.md); the defaults run the embedded mode: SQLite in
var/ and a filesystem Celery broker, with no server to install.
"""

from __future__ import annotations

from pathlib import Path

from core.env import env_bool, env_database, env_int, env_list, env_secret, env_str

SRC_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = SRC_DIR.parent
VAR_DIR = Path(env_str("ENGINE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# Production (DJANGO_SECURE=1) must be given its secret; development generates one.
SECURE = env_bool("DJANGO_SECURE", False)
SECRET_KEY = env_secret("DJANGO_SECRET_KEY", fallback_file=None if SECURE else VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "django_celery_results",
    "axes",
    "csp",
    # The optional second factor: TOTP devices (authenticator apps), staff.two_factor.
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Only the process engine: its bundled UI (the "viewflow" app, static files with
    # missing fonts) is not used; the engine has its own pages.
    "viewflow.workflow",
    "core",
    "regions",
    "staff",
    "audit",
    "registry",
    "notifications",
    "deadlines",
    "assistance",
    "means",
    "funds",
    "documents",
    "visits",
    "exports",
    "workflows",
    # Program folders: each a Django app that registers its flow and step table (core.programs).
    "workflows.temporary",
    "workflows.enrolment",
    "workflows.dibao",
    "workflows.tekun",
    "workflows.reviews",
    "workflows.replenishment",
    "workflows.duplicates",
    "workflows.rosters",
    "workflows.reporting",
    "workflows.whatif",
    "workflows.guard",
    "workflows.monitoring",
    "web",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, static files included (CONTENT_SECURITY_POLICY).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # 400 for a NUL byte in a path, query or body, or JSON nested too deep (core.inputs).
    "core.middleware.RefuseMalformedInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Nothing answered to a signed-in user (web or API) is stored by a browser or a proxy.
    "core.middleware.PrivateResponsesMiddleware",
    # A session signed in with its password only reaches the code page (staff.two_factor).
    "staff.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The device cookie after a sign-in, and a 429 page for a refused one (staff.logins).
    "staff.middleware.LoginGuardMiddleware",
    # Last, so it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "engine.urls"
WSGI_APPLICATION = "engine.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'engine.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker, beat and web all write: without IMMEDIATE transactions SQLite answers
    # "database is locked" to read-then-write transactions under load.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "staff.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses an attempt over the login limits before any password is checked.
    "staff.backends.LoginGuardBackend",
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend loading the home region with the user and the roles with the permissions.
    "staff.backends.StaffBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Proxies in front of the engine that each append to X-Forwarded-For (docs/deploy.md);
# 0: none, the header is ignored. The client's address is read through core.clients.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXIES", 0, minimum=0)

# Limits on failed sign-ins (staff.logins), shared by the web login, the admin and the API
# token endpoint: per account and device, per account from new devices, per client
# address, and for the whole deployment from new devices; each for LOGIN_COOLOFF_MINUTES.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
LOGIN_GLOBAL_FAILURE_LIMIT = env_int("LOGIN_GLOBAL_FAILURE_LIMIT", 200, minimum=1)
# How long a browser where an account signed in is remembered as that account's device.
LOGIN_DEVICE_DAYS = env_int("LOGIN_DEVICE_DAYS", 180, minimum=1)

# The second factor (a time-based code from an authenticator app, django-otp): the roles that
# may set one up, and those that must (none by default). A superuser counts as "admin".
# Read when a user signs in. The issuer is the name authenticator apps show.
OTP_ROLES = env_list("OTP_ROLES", ["supervisor", "county_finance", "admin"])
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", [])
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "社会救助")
# The admin lists devices (to remove a lost phone's) without their secrets.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# django-axes keeps its record of attempts (the admin's access attempts and logs) with the
# client's real address; it locks nobody out: keyed on username and address, an attacker
# could lock out a victim (same office, same proxy), so the limits are staff.logins'.
AXES_LOCK_OUT_AT_FAILURE = False
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_COOLOFF_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# --- Security (production sets DJANGO_SECURE=1 behind TLS) -------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, images, fonts and connections from this server only, and no inline
# script or style: every script is a static file (static/, the apps' static/), the API
# docs' start-up script too (SpectacularSwaggerSplitView). Images may be data: URIs (the
# API docs' icons). In development as in production (DJANGO_SECURE).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
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
if SECURE:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageSizePagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("API_LOGIN_THROTTLE", "10/min"),
    },
    # Throttles key anonymous clients by their address as the trusted proxies report it.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Social assistance engine API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind" or "status": give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "LedgerEntryKindEnum": "funds.models.EntryKind",
        "FundStatusEnum": "funds.models.FundStatus",
        "DocumentKindEnum": "documents.models.DocumentKind",
        "VisitKindEnum": "visits.models.VisitKind",
        "VisitStatusEnum": "visits.models.VisitStatus",
        "IncomeKindEnum": "registry.models.IncomeKind",
        "AssetKindEnum": "registry.models.AssetKind",
        # The visits' outcome kept its first name when objections brought a second "outcome".
        "OutcomeEnum": "visits.models.Outcome",
        "NoticeKindEnum": "workflows.enrolment.models.NoticeKind",
        "ObjectionOutcomeEnum": "workflows.enrolment.models.ObjectionOutcome",
        "RosterProgramEnum": "workflows.rosters.models.RosterProgram",
        "RosterStatusEnum": "workflows.rosters.models.RosterStatus",
        "RosterLineStatusEnum": "workflows.rosters.models.LineStatus",
    },
}

# --- Caches (Redis where configured; local memory otherwise) -----------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ------------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: folders on disk, polled every 0.1 s (1 s by default feels sluggish).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Without this, broadcast/control messages land in ./control of whatever directory the process started in.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
# The queue tasks are sent to (and workers consume by default): deployments that share one
# Redis keep their work apart with a queue each.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "core.tasks.heartbeat",
        "schedule": env_int("HEARTBEAT_SECONDS", 60, minimum=5),
    },
}

# --- Mail --------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")
SMS_GATEWAY = env_str("SMS_GATEWAY", "notifications.channels.LoggingSmsGateway")

# --- Domain settings (administrators change these per deployment) ------------------------------
# The oldest birth year accepted on an ID (first-generation registers reach back to the 1880s).
ID_MIN_BIRTH_YEAR = env_int("ID_MIN_BIRTH_YEAR", 1850, minimum=1800)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"}},
}

# Deadlines: reminders go out at this local hour on their day; the sweeper runs this often.
REMINDER_HOUR = env_int("REMINDER_HOUR", 8, minimum=0)
SLA_SWEEP_SECONDS = env_int("SLA_SWEEP_SECONDS", 60, minimum=5)
SLA_SWEEP_BATCH = env_int("SLA_SWEEP_BATCH", 1000, minimum=1)
# Deadlines handled per transaction of the sweep: short locks, few statements; a sweep
# killed midway loses the work of one transaction, which the next sweep does.
SLA_SWEEP_TRANSACTION_ROWS = env_int("SLA_SWEEP_TRANSACTION_ROWS", 200, minimum=1)
CELERY_BEAT_SCHEDULE["sla-sweep"] = {"task": "deadlines.sweep", "schedule": SLA_SWEEP_SECONDS}
CELERY_BEAT_SCHEDULE["calendar-check"] = {"task": "deadlines.check_next_year", "schedule": 6 * 3600}

# --- Home visits (visits app) ------------------------------------------------------------------
# Windows are generated this many days ahead; a "not home" visit is tried again this many hours
# later (or halfway to the window's end when sooner); a major event's round is due within this
# many hours unless its declaration says otherwise. Device clocks may run this far ahead.
VISIT_GENERATE_AHEAD_DAYS = env_int("VISIT_GENERATE_AHEAD_DAYS", 7, minimum=0)
VISIT_RETRY_HOURS = env_int("VISIT_RETRY_HOURS", 24, minimum=1)
VISIT_EVENT_ROUND_HOURS = env_int("VISIT_EVENT_ROUND_HOURS", 24, minimum=1)
VISIT_CLOCK_SKEW_SECONDS = env_int("VISIT_CLOCK_SKEW_SECONDS", 120, minimum=0)
VISIT_PHOTO_MAX_BYTES = env_int("VISIT_PHOTO_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
VISIT_NOT_VISITED_DAYS = env_int("VISIT_NOT_VISITED_DAYS", 30, minimum=1)
VISIT_RECOMPUTE_LOOKBACK_MINUTES = env_int("VISIT_RECOMPUTE_LOOKBACK_MINUTES", 60, minimum=1)
from celery.schedules import crontab  # noqa: E402 - only the nightly job needs it

CELERY_BEAT_SCHEDULE["visits-generate"] = {
    "task": "visits.generate", "schedule": env_int("VISIT_GENERATE_SECONDS", 3600, minimum=60)}
CELERY_BEAT_SCHEDULE["visits-recompute-changed"] = {
    "task": "visits.recompute_changed", "schedule": env_int("VISIT_RECOMPUTE_SECONDS", 600, minimum=60)}
CELERY_BEAT_SCHEDULE["visits-recompute-all"] = {"task": "visits.recompute_all", "schedule": crontab(hour=2, minute=30)}
CELERY_BEAT_SCHEDULE["visits-remind-retries"] = {"task": "visits.remind_retries", "schedule": 900}

# Reserve funds: recompute every balance from its ledger once a day and report any difference.
CELERY_BEAT_SCHEDULE["funds-check-balances"] = {"task": "funds.check_balances", "schedule": 24 * 3600}

# Ongoing 低保/特困 cases: open the periodic reviews that are due, and end the gradual exits that ran out.
CELERY_BEAT_SCHEDULE["reviews-schedule"] = {"task": "reviews.schedule", "schedule": crontab(hour=1, minute=15)}
CELERY_BEAT_SCHEDULE["reviews-end-gradual-exits"] = {"task": "reviews.end_gradual_exits",
                                                     "schedule": crontab(hour=1, minute=45)}

# Program statistics (workflows.reporting): the figures are computed per township, program and month.
# Every night the last STATISTICS_NIGHTLY_MONTHS months (late bank results and reversals change recent
# months); the current month again every STATISTICS_REFRESH_SECONDS; a refresh nobody finished within
# STATISTICS_STALE_MINUTES is marked failed.
STATISTICS_NIGHTLY_MONTHS = env_int("STATISTICS_NIGHTLY_MONTHS", 3, minimum=1)
STATISTICS_REFRESH_SECONDS = env_int("STATISTICS_REFRESH_SECONDS", 3600, minimum=60)
STATISTICS_STALE_MINUTES = env_int("STATISTICS_STALE_MINUTES", 30, minimum=5)
CELERY_BEAT_SCHEDULE["reporting-nightly"] = {"task": "reporting.nightly", "schedule": crontab(hour=3, minute=10)}
CELERY_BEAT_SCHEDULE["reporting-current-month"] = {"task": "reporting.current_month",
                                                   "schedule": STATISTICS_REFRESH_SECONDS}

# --- Exports (exports app) ---------------------------------------------------------------------
# An export of more rows than this runs as a background job with a progress page: a city's
# roster takes tens of seconds to write, longer than a web worker may be held (gunicorn: 60 s).
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 5000, minimum=0)
# A finished export's file (personal data) is kept this long for its requester, then deleted.
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 24, minimum=1)
# A job that no worker started, or that stopped writing, for this long is marked failed.
EXPORT_STALE_MINUTES = env_int("EXPORT_STALE_MINUTES", 30, minimum=5)
# Outside MEDIA_ROOT and STATIC_ROOT: no URL serves these files, only the download view.
EXPORT_DIR = VAR_DIR / "exports"
CELERY_BEAT_SCHEDULE["exports-purge"] = {
    "task": "exports.purge", "schedule": env_int("EXPORT_PURGE_SECONDS", 3600, minimum=60)}
# A running job's worker says it is alive this often; one silent for EXPORT_DEAD_AFTER_SECONDS
# (killed, restarted) has its job failed and its files removed by a beat job run every minute.
EXPORT_HEARTBEAT_SECONDS = env_int("EXPORT_HEARTBEAT_SECONDS", 20, minimum=1)
EXPORT_DEAD_AFTER_SECONDS = env_int("EXPORT_DEAD_AFTER_SECONDS", 120, minimum=30)
if EXPORT_DEAD_AFTER_SECONDS < 3 * EXPORT_HEARTBEAT_SECONDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("EXPORT_DEAD_AFTER_SECONDS must be at least three EXPORT_HEARTBEAT_SECONDS.")
CELERY_BEAT_SCHEDULE["exports-recover"] = {"task": "exports.recover", "schedule": 60}
# Households read and written per chunk by the household roster (the largest export): bigger
# chunks mean fewer round trips and progress updates; a chunk's IN list stays small.
EXPORT_HOUSEHOLD_CHUNK_ROWS = env_int("EXPORT_HOUSEHOLD_CHUNK_ROWS", 5000, minimum=1)
# A pause after each chunk of a background export (milliseconds), to spare a busy primary
# database during office hours (as ROSTER_CHUNK_PAUSE_MS for the payment rosters).
EXPORT_CHUNK_PAUSE_MS = env_int("EXPORT_CHUNK_PAUSE_MS", 0, minimum=0)

# --- Payment rosters (workflows/rosters) -------------------------------------------------------
# Cases written per transaction while a roster is generated: its progress moves this often,
# and a killed worker loses at most this much work.
ROSTER_CHUNK_SIZE = env_int("ROSTER_CHUNK_SIZE", 5000, minimum=1)
# A pause between chunks (milliseconds), to spare a busy primary database during office hours.
ROSTER_CHUNK_PAUSE_MS = env_int("ROSTER_CHUNK_PAUSE_MS", 0, minimum=0)
# A generating roster whose worker said nothing for this long is generated again (beat, every minute).
ROSTER_DEAD_AFTER_SECONDS = env_int("ROSTER_DEAD_AFTER_SECONDS", 120, minimum=5)
CELERY_BEAT_SCHEDULE["rosters-resume"] = {"task": "rosters.resume", "schedule": 60}

# --- Policy what-ifs (workflows/whatif) ----------------------------------------------------------
# Households tested per chunk (five queries each); the run's progress moves this often.
WHATIF_CHUNK_SIZE = env_int("WHATIF_CHUNK_SIZE", 2000, minimum=100)
# How far back a what-if of temporary assistance's limit or bands looks at decided cases.
WHATIF_PAST_MONTHS = env_int("WHATIF_PAST_MONTHS", 12, minimum=1)
# A running what-if whose worker said nothing for this long is answered again (beat, every minute).
WHATIF_DEAD_AFTER_SECONDS = env_int("WHATIF_DEAD_AFTER_SECONDS", 120, minimum=10)
CELERY_BEAT_SCHEDULE["whatif-resume"] = {"task": "whatif.resume", "schedule": 60}

# --- Early warning (workflows/monitoring) --------------------------------------------------------
# A visit that found need or danger warns when no case was opened within this many days
# (and it happened within the look-back).
MONITORING_VISIT_CASE_DAYS = env_int("MONITORING_VISIT_CASE_DAYS", 15, minimum=1)
MONITORING_VISIT_LOOKBACK_DAYS = env_int("MONITORING_VISIT_LOOKBACK_DAYS", 90, minimum=1)
# Out-of-pocket medical costs (yuan, on a medical-insurance list within the look-back) that count as large.
MONITORING_LARGE_MEDICAL_COSTS = env_int("MONITORING_LARGE_MEDICAL_COSTS", 20000, minimum=1)
MONITORING_MEDICAL_LOOKBACK_DAYS = env_int("MONITORING_MEDICAL_LOOKBACK_DAYS", 365, minimum=1)
# A disability of this grade or a more serious one (1 is the most serious) counts as serious.
MONITORING_SERIOUS_DISABILITY_GRADE = env_int("MONITORING_SERIOUS_DISABILITY_GRADE", 2, minimum=1)
# A reported change whose review is still open after this many days warns.
MONITORING_CHANGE_DAYS = env_int("MONITORING_CHANGE_DAYS", 30, minimum=1)
# Department lists older than this no longer raise warnings (unemployment, people not registered).
MONITORING_LIST_LOOKBACK_DAYS = env_int("MONITORING_LIST_LOOKBACK_DAYS", 365, minimum=1)
# A household followed up under a rule is not warned again under it for this many days.
MONITORING_REPEAT_DAYS = env_int("MONITORING_REPEAT_DAYS", 180, minimum=1)
# The rules the nightly check raises (all by default): a city switching the check on may start
# without near_dibao, the largest, and add it once the townships have worked through the rest.
_MONITORING_RULE_CODES = ["means_eligible", "near_dibao", "visit_no_case", "illness_costs", "not_followed",
                          "income_over_line", "not_registered"]
MONITORING_RULES = env_list("MONITORING_RULES", _MONITORING_RULE_CODES)
if _unknown_rules := sorted(set(MONITORING_RULES) - set(_MONITORING_RULE_CODES)):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"MONITORING_RULES: no such rule {', '.join(_unknown_rules)}")
CELERY_BEAT_SCHEDULE["monitoring-scan"] = {"task": "monitoring.scan", "schedule": crontab(hour=2, minute=0)}
