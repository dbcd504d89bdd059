"""Settings for Mesh Catalog, read from the environment.

With nothing set, the catalog runs embedded: SQLite in ``var/``, Celery tasks run
in-process, DEBUG on. ``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` to a real
broker with workers. Every variable is documented in README.md ("Configuration").
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DATA_DIR = Path(env.str("MESH_DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)

# The development keys below are public; they are refused as soon as DEBUG is off.
_DEV_SECRET_KEY = "dev-only-insecure-mesh-catalog-key-change-me-0123456789abcdef"
_DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktbWVzaC1jYXRhbG9nLWZlcm5ldC1rZXk="  # base64 of 32 bytes
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
# Encrypts source secrets at rest (Fernet). Separate from SECRET_KEY so that rotating
# session signing never makes stored source passwords unreadable.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default=_DEV_ENCRYPTION_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not DEBUG and FIELD_ENCRYPTION_KEY == _DEV_ENCRYPTION_KEY:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mesh_catalog.graphql.apps.GrapheneDjangoConfig",  # graphene_django, imported lazily
    "django_celery_beat",
    "apps.core",
    "apps.catalog",
    "apps.harvest",
    "apps.harvest.openlineage",
    "apps.search",
    "apps.lab",
    "apps.governance",
    "apps.costs",
    "apps.agents",
    "apps.privacy",
    "apps.contracts",
    "apps.trust",
    "apps.events",
]

MIDDLEWARE = [
    "mesh_catalog.api.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.core.auth.BearerTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.error_pages.OwnErrorPages",
]
# Serve the project's own 404/403/500 pages even with DEBUG on (False: Django's debug pages).
MESH_OWN_ERROR_PAGES = env.bool("MESH_OWN_ERROR_PAGES", default=True)

ROOT_URLCONF = "mesh_catalog.urls"
WSGI_APPLICATION = "mesh_catalog.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.mesh",
                "apps.events.context.inbox",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'catalog.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while an in-process harvest writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Cached GraphQL product pages (apps.catalog.graphql.page_cache), ~10 KB each: apart, so that
    # a reader walking many pages never evicts the rate-limit counters of the default cache.
    "graphql_pages": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "pages"}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "graphql-pages",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    ),
}

# --- Celery --------------------------------------------------------------------------
# Without REDIS_URL tasks run in-process (eager): the embedded default needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="mesh")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# installed into django-celery-beat's tables when beat starts
CELERY_BEAT_SCHEDULE = {
    "contract-quality-rules": {
        "task": "apps.contracts.tasks.run_all_quality_checks",
        "schedule": env.float("CONTRACT_QUALITY_EVERY_SECONDS", default=3600.0),
    },
}

# --- Harvests ------------------------------------------------------------------------
# A running harvest beats every HARVEST_HEARTBEAT_SECONDS; one silent for longer than
# HARVEST_STALE_AFTER_SECONDS (its worker died) is marked failed, and a run queued for
# longer than HARVEST_QUEUED_TIMEOUT_SECONDS (no worker picked it up) too.
HARVEST_HEARTBEAT_SECONDS = env.float("HARVEST_HEARTBEAT_SECONDS", default=15)
HARVEST_STALE_AFTER_SECONDS = env.int("HARVEST_STALE_AFTER_SECONDS", default=120)
HARVEST_QUEUED_TIMEOUT_SECONDS = env.int("HARVEST_QUEUED_TIMEOUT_SECONDS", default=3600)

# --- Auth ----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# When true, anonymous visitors may read the catalog (pages, GraphQL, REST).
MESH_PUBLIC_READ = env.bool("MESH_PUBLIC_READ", default=False)

# --- I18N / static -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "mesh_catalog.storage.StaticStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"

# --- APIs ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "mesh_catalog.api.pagination.MeshPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.core.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["mesh_catalog.api.permissions.MeshAccess"],
    "EXCEPTION_HANDLER": "mesh_catalog.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "mesh_catalog.api.parsers.StrictJSONParser",
        "mesh_catalog.api.parsers.StrictFormParser",
        "mesh_catalog.api.parsers.StrictMultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mesh Catalog API",
    "DESCRIPTION": "REST API of the Mesh Catalog: domains, data products, ports, datasets, harvests, search.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mesh_catalog.api.schema.add_error_responses",
    ],
}
GRAPHENE = {"SCHEMA": "mesh_catalog.graphql.schema.schema"}

# --- Events: e-mail and webhooks -------------------------------------------------------
# Without EMAIL_HOST mail is printed to the console (the embedded default).
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mesh Catalog <mesh@localhost>")
# With workers, "instant" e-mail waits this long so that a burst becomes one digest.
MESH_EMAIL_BATCH_SECONDS = env.int("MESH_EMAIL_BATCH_SECONDS", default=60)
MESH_SITE_URL = env.str("MESH_SITE_URL", default="http://127.0.0.1:8000")
MESH_EVENT_SOURCE = env.str("MESH_EVENT_SOURCE", default="/mesh-catalog")
# Webhook receivers on loopback/private/link-local addresses are refused unless this is set.
MESH_WEBHOOK_ALLOW_PRIVATE = env.bool("MESH_WEBHOOK_ALLOW_PRIVATE", default=False)
MESH_WEBHOOK_TIMEOUT_SECONDS = env.float("MESH_WEBHOOK_TIMEOUT_SECONDS", default=10)
# Seconds between attempts after the first; default: the Standard Webhooks schedule.
MESH_WEBHOOK_RETRY_SCHEDULE = [float(x) for x in env.list("MESH_WEBHOOK_RETRY_SCHEDULE", default=[])]
MESH_WEBHOOK_LEASE_SECONDS = env.float("MESH_WEBHOOK_LEASE_SECONDS", default=0)

# --- Query lab (the five-minute path) ------------------------------------------------
MESH_LAB_STATEMENT_TIMEOUT_MS = env.int("MESH_LAB_STATEMENT_TIMEOUT_MS", default=5000)
MESH_LAB_ROW_CAP = env.int("MESH_LAB_ROW_CAP", default=1000)
MESH_LAB_BYTE_CAP = env.int("MESH_LAB_BYTE_CAP", default=5 * 1024 * 1024)
MESH_LAB_RATE_LIMIT_PER_MINUTE = env.int("MESH_LAB_RATE_LIMIT_PER_MINUTE", default=30)
MESH_LAB_MAX_SQL_CHARS = env.int("MESH_LAB_MAX_SQL_CHARS", default=20_000)
MESH_LAB_GRANT_CLASSIFICATIONS = env.list("MESH_LAB_GRANT_CLASSIFICATIONS", default=["restricted", "confidential"])
# DuckDB engine: per-run limits of the in-process database (apps/lab/engines/duckdb.py).
MESH_LAB_DUCKDB_MEMORY_LIMIT = env.str("MESH_LAB_DUCKDB_MEMORY_LIMIT", default="512MB")
MESH_LAB_DUCKDB_THREADS = env.int("MESH_LAB_DUCKDB_THREADS", default=2)
# Which warehouse the demo (load_demo, `make run`) queries: "duckdb" (var/demo_warehouse.duckdb,
# built from the demo dbt project, no services), "postgres" (mesh_demo_warehouse on
# 127.0.0.1:5432, built by scripts/dbt_build_fixture.sh) or "auto" (postgres when it answers).
MESH_DEMO_WAREHOUSE = env.str("MESH_DEMO_WAREHOUSE", default="auto")

# Costs: billing imports and their attribution to products (apps.costs).
MESH_COST_PRODUCT_TAG_KEYS = env("MESH_COST_PRODUCT_TAG_KEYS", default="data-product,dataproduct")
MESH_COST_DOMAIN_TAG_KEYS = env("MESH_COST_DOMAIN_TAG_KEYS", default="domain")
MESH_COST_SHARED_SPLIT = env("MESH_COST_SHARED_SPLIT", default="equal")
MESH_COST_CURRENCY = env("MESH_COST_CURRENCY", default="")
MESH_COST_IMPORT_URI = env("MESH_COST_IMPORT_URI", default="")
MESH_COST_MAX_UPLOAD_BYTES = env.int("MESH_COST_MAX_UPLOAD_BYTES", default=2 * 1024**3)
MESH_COST_MAX_LINES = env.int("MESH_COST_MAX_LINES", default=5_000_000)
# --- Input limits: every input is bounded (README "Configuration" lists them) --------
# Request bodies other than file uploads (Django's own limit, answered as a JSON 413 on APIs).
MESH_MAX_REQUEST_BYTES = env.int("MESH_MAX_REQUEST_BYTES", default=2_621_440)
DATA_UPLOAD_MAX_MEMORY_SIZE = MESH_MAX_REQUEST_BYTES
# A dbt artifact upload: each file, and the whole multipart request (all artifacts together).
MESH_MAX_UPLOAD_BYTES = env.int("MESH_MAX_UPLOAD_BYTES", default=100 * 1024 * 1024)
MESH_JSON_MAX_DEPTH = env.int("MESH_JSON_MAX_DEPTH", default=64)
MESH_GRAPHQL_MAX_DOCUMENT_CHARS = env.int("MESH_GRAPHQL_MAX_DOCUMENT_CHARS", default=50_000)
MESH_GRAPHQL_MAX_TOKENS = env.int("MESH_GRAPHQL_MAX_TOKENS", default=5_000)
# How long a cached product page result lives (apps.catalog.graphql.page_cache); 0 disables the cache.
MESH_GRAPHQL_CACHE_SECONDS = env.int("MESH_GRAPHQL_CACHE_SECONDS", default=600)
MESH_DESCRIPTOR_MAX_BYTES = env.int("MESH_DESCRIPTOR_MAX_BYTES", default=1024 * 1024)
MESH_YAML_MAX_ALIASES = env.int("MESH_YAML_MAX_ALIASES", default=100)
MESH_YAML_MAX_NODES = env.int("MESH_YAML_MAX_NODES", default=200_000)
MESH_MAX_DESCRIPTION_CHARS = env.int("MESH_MAX_DESCRIPTION_CHARS", default=100_000)
MESH_MAX_PORTS_PER_PRODUCT = env.int("MESH_MAX_PORTS_PER_PRODUCT", default=100)
MESH_MAX_COLUMNS_PER_DATASET = env.int("MESH_MAX_COLUMNS_PER_DATASET", default=5_000)
# --- Privacy (PII detection, masking) ---------------------------------------------
MESH_PRIVACY_DETECT_AFTER_HARVEST = env.bool("MESH_PRIVACY_DETECT_AFTER_HARVEST", default=True)
MESH_PRIVACY_SAMPLE_AFTER_HARVEST = env.bool("MESH_PRIVACY_SAMPLE_AFTER_HARVEST", default=False)
MESH_PRIVACY_SAMPLE_CONNECTIONS = env.int("MESH_PRIVACY_SAMPLE_CONNECTIONS", default=4)
MESH_PRIVACY_SAMPLE_TIMEOUT_MS = env.int("MESH_PRIVACY_SAMPLE_TIMEOUT_MS", default=5000)

# --- Trust (maturity rubric) ----------------------------------------------------------
# A YAML rubric replacing apps/trust/rubric.yaml; validated at startup (line at fault).
MESH_TRUST_RUBRIC = env.str("MESH_TRUST_RUBRIC", default="")

# --- Security (production) ----------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
