"""Secrets and keys, hosts, cookies and HTTPS, login, brute-force lockout, proxies and the Content Security Policy.
Production values apply when DEBUG is off; a development checkout gets its keys generated under .data/secrets/."""

from __future__ import annotations

import secrets

from cryptography.fernet import Fernet

from config.settings.base import DEBUG, TESTING, dev_secret, env


def _fernet_key() -> str:
    return Fernet.generate_key().decode()


def _random_secret() -> str:
    return secrets.token_urlsafe(48)


# --- Secrets and keys -------------------------------------------------------------------------------
SECRET_KEY = dev_secret("SECRET_KEY", _random_secret)
# Field encryption (MultiFernet, newest key first), blind index and audit-chain keys: see compliance/crypto.py.
FIELD_ENCRYPTION_KEYS = [k.strip() for k in dev_secret("FIELD_ENCRYPTION_KEYS", _fernet_key).split(",") if k.strip()]
BLIND_INDEX_KEY = dev_secret("BLIND_INDEX_KEY", _random_secret)
AUDIT_HMAC_KEY = dev_secret("AUDIT_HMAC_KEY", _random_secret)
BACKUP_ENCRYPTION_KEY = dev_secret("BACKUP_ENCRYPTION_KEY", _fernet_key)

# --- Hosts ------------------------------------------------------------------------------------------
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies whose X-Forwarded-For is believed: IPs / CIDR networks and/or a number of proxy hops.
FLUXO_TRUSTED_PROXIES = env.list("FLUXO_TRUSTED_PROXIES", default=[])

# --- Cookies and HTTPS (production values apply when DEBUG is off) ----------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Login: backends, passwords, two-factor ---------------------------------------------------------
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
if TESTING:
    # Fast hashing for the hundreds of users tests create; production keeps Django's PBKDF2 default.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
OTP_TOTP_ISSUER = "Fluxo"

# --- Brute-force lockout (django-axes): login page, admin and API token issuance -------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "compliance.views.lockout_response"
AXES_ENABLE_ADMIN = True
# Lockouts, rate limits and the audit log key on one client address (common.network.client_ip).
AXES_CLIENT_IP_CALLABLE = "common.network.client_ip"

# --- Content Security Policy (django-csp): same-origin only, no inline scripts --------------------------
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
