"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("FLUXO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        pytest.fail("Chromium is missing: run `bash scripts/ensure-chromium` (make test does it for you).")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test are still sync.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def csp_violation(message) -> bool:
    """A console error Chromium logs when the CSP blocks something (an inline style or script, an onsubmit)."""
    return message.type == "error" and "Content Security Policy" in message.text


@pytest.fixture
def page(browser):
    """A 1280×900 pt-BR page. Any CSP violation its console logs during the test (an inline style brought by an HTMX
    swap, an inline handler) fails the test at the end: issue #21 saw such errors only in a person's console."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text) if csp_violation(message) else None)
    yield page
    context.close()
    if blocked:
        pytest.fail("The Content Security Policy blocked something on a page: " + " | ".join(blocked[:5]))


@pytest.fixture(scope="session")
def live_server(request, django_db_setup, django_db_blocker):
    """pytest-django's live server, made to depend on the test database so that it stops (and closes its
    connection) before the database is dropped."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(request.config.getvalue("liveserver") or "localhost")
    yield server
    server.stop()
    # The browser's keep-alive sockets leave request threads (daemons, not joined by stop()) holding their
    # database sessions; end them so the test database can be dropped.
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
