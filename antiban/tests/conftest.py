from whatsapp.tests.conftest import cloud, deliver, number  # noqa: F401 — the same simulator and number
