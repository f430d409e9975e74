"""Settings for the Open Weights site, read from the environment with embedded defaults.

With nothing configured the site runs in debug mode on a SQLite file, which is what
`make run` wants. Production sets DJANGO_DEBUG=0 and must then provide a secret key.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def database_from_url(url: str) -> dict:
    """Return a Django DATABASES entry for a sqlite:/// or postgres:// URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or BASE_DIR / "db.sqlite3",
            "CONN_MAX_AGE": 600,
            # Several gunicorn workers write to one file: take the write lock when a transaction
            # starts (so a writer waits for another instead of failing), wait up to 20 s for it,
            # and let readers go on while one writes (WAL).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parts.scheme in ("postgres", "postgresql"):
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL must start with sqlite:// or postgres://, not {url!r}.")


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: it is required when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if host.strip()
]

# The absolute base of permalinks printed in files (LICENSE headers, JSON, snippets).
# Files must not depend on the request's Host header, or their checksums would too.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not urlsplit(SITE_URL).scheme.startswith("http") or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(f"SITE_URL must be an absolute http(s) URL, not {SITE_URL!r}.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "markdownx",
    "ninja",  # the API's docs page, from django-ninja's own static files
    "licenses",
]

MIDDLEWARE = [
    "licenses.middleware.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "licenses.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "licenses.middleware.CompressionMiddleware",
    "licenses.middleware.ApiMethodsMiddleware",
    "licenses.middleware.FastPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "licenses.middleware.SitePagesFor404Middleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "licenses.middleware.ThrottledMiddleware",
    "licenses.middleware.AccountHeaderMiddleware",
]

ROOT_URLCONF = "config.urls"
# Widgets render through TEMPLATES, so templates/ can override one (markdownx's editor).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
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
                "licenses.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", "sqlite:///" + str(BASE_DIR / "db.sqlite3")))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The brief's default. With several gunicorn workers each has its own, so allauth's rate limits
    # count per worker: production sets REDIS_URL. (Ours count in the database: licenses/throttling.py.)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "open-weights"}}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "licenses.accounts.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Open Weights <noreply@openweights.invalid>")
# E-mail (sign-up confirmation, password reset): SMTP to EMAIL_HOST (in production, the local mail
# server by default); printed to the console when debugging without EMAIL_HOST.
if os.environ.get("EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "587" if os.environ.get("EMAIL_HOST") else "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", bool(os.environ.get("EMAIL_HOST"))),
                # Seconds: a mail server that drops packets must fail the send, not hang the worker.
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.staticfiles.CompressedOnceStaticFilesStorage"
        )
    },
}

# Documents are text: markdownx previews through our renderer and accepts no uploads.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "licenses.rendering.to_html"
MARKDOWNX_URLS_PATH = "/editor/markdownify/"  # the editors-only preview, not markdownx's public one
MARKDOWNX_UPLOAD_URLS_PATH = "/editor/no-uploads/"
MARKDOWNX_UPLOAD_MAX_SIZE = 0
MARKDOWNX_UPLOAD_CONTENT_TYPES = []
MARKDOWNX_EDITOR_RESIZABLE = False  # the text area keeps its height and scrolls, beside its preview

# Bounds on expensive work (see licenses/throttling.py): filled-in files rendered per client per
# minute (cached ones are free), wizard submissions per client per minute, PDF renders running at
# once on one host and PDF requests waiting for one (keep the two together below the number of
# gunicorn workers, so pages always get one).
OW_RENDERS_PER_MINUTE = int(os.environ.get("OW_RENDERS_PER_MINUTE", "60"))
OW_RELEASES_PER_MINUTE = int(os.environ.get("OW_RELEASES_PER_MINUTE", "30"))
# LICENSE checks (the page, /check.json, the API) per client: enough to check as one types.
OW_CHECKS_PER_MINUTE = int(os.environ.get("OW_CHECKS_PER_MINUTE", "240"))
# Self-assessments submitted per client per minute (the questionnaire, POST /assessments.json, the API).
OW_ASSESSMENTS_PER_MINUTE = int(os.environ.get("OW_ASSESSMENTS_PER_MINUTE", "30"))
OW_CONCURRENT_RENDERS = int(os.environ.get("OW_CONCURRENT_RENDERS", "2"))
# PDF requests that may wait for a render slot; more get 429 at once (see throttling.render_slot).
OW_RENDER_QUEUE = int(os.environ.get("OW_RENDER_QUEUE", "1"))
# Password attempts at /admin/login/ per client and minute (allauth limits its own log-in).
OW_ADMIN_LOGINS_PER_MINUTE = int(os.environ.get("OW_ADMIN_LOGINS_PER_MINUTE", "5"))
# How many proxies (load balancers) in front of the app append to X-Forwarded-For; the client is the
# address the outermost of ours saw. 0 means clients connect directly and REMOTE_ADDR is theirs.
OW_PROXY_COUNT = int(os.environ.get("OW_PROXY_COUNT", "0"))
# allauth's own rate limits read the client's address the same way (behind nginx, not nginx's).
ALLAUTH_TRUSTED_PROXY_COUNT = OW_PROXY_COUNT

# Where the static export of published versions lives when nginx serves it (make production, a
# deployment): rewritten after each publication, and nginx (OW_NGINX_PID) told to reload its rules.
OW_EXPORT_DIR = os.environ.get("OW_EXPORT_DIR", "")
OW_NGINX_PID = os.environ.get("OW_NGINX_PID", "")

# Bound what a request may carry: license fields are short, documents are a few pages.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

if not DEBUG:
    # Production sits behind TLS, terminated by the load balancer, which sets the header. Whether the
    # site is served over HTTPS is what SITE_URL says: an https:// site redirects plain HTTP and sends
    # HSTS and secure-only cookies; an http:// one (a host on a private network, a local trial of
    # production settings) serves plain HTTP, where secure cookies would break every form.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    serves_https = SITE_URL.startswith("https://")  # lower case: a local name, not a Django setting
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", serves_https)
    if serves_https:
        SECURE_HSTS_SECONDS = 63072000
        SECURE_HSTS_INCLUDE_SUBDOMAINS = True
        SECURE_HSTS_PRELOAD = True
        SESSION_COOKIE_SECURE = True
        CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
