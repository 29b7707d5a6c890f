"""The yardstick for bench/webhooks.py: a WSGI app that only checks the signature and pushes the body to Redis."""

import hashlib
import hmac
import os

import redis

SECRET = os.environ["WHATSAPP_APP_SECRET"].encode()
_redis = redis.Redis.from_url(os.environ["REDIS_URL"])


def application(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, environ.get("HTTP_X_HUB_SIGNATURE_256", "")):
        start_response("403 Forbidden", [("Content-Length", "0")])
        return [b""]
    _redis.lpush("bench:bare", body)
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]
