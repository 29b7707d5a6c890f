from tests.whatsapp.conftest import cloud, deliver, number  # noqa: F401 — the WhatsApp simulator and number, for the lead's WhatsApp panel
