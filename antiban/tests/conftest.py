import pytest

from whatsapp.tests.conftest import cloud, deliver, number  # noqa: F401 — the same simulator and number


@pytest.fixture
def always_open(settings):
    """Contact hours that never close, so a test does not depend on when it runs."""
    settings.ANTIBAN_CONTACT_HOURS = ["00:00", "00:00"]
    settings.ANTIBAN_CONTACT_DAYS = list(range(7))
    settings.ANTIBAN_SKIP_HOLIDAYS = False
