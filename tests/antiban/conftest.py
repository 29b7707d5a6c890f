from tests.whatsapp.conftest import cloud, deliver, number  # noqa: F401 — the same simulator and number
