"""Security headers on every page; no third-party origins anywhere (htmx and Swagger UI served locally)."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_carry_csp_frame_denial_referrer_and_nosniff(client):
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_swagger_ui_uses_local_assets_and_no_inline_script(client):
    html = client.get("/api/docs/").content.decode()
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # the init script is fetched from the same origin (?script)
    assert "<style" not in html and " style=" not in html  # style-src 'self': its page rules are in a file
    assert "/static/css/swagger.css" in html
    assert client.get("/api/docs/?script").status_code == 200


def test_the_favicon_browsers_ask_for_on_admin_pages_is_there(client):
    """Issue #21 user test: every admin page logged "GET /favicon.ico 404" in the console."""
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith("favicon.svg")
