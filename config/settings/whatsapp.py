"""Meta: the Graph API shared by lead ads and the WhatsApp Cloud API; the WhatsApp gateway and its simulator, inbound
webhook retries, the opt-out classifier's files, and which outside origins fetches may reach."""

from __future__ import annotations

import secrets

from config.settings.base import BASE_DIR, DEBUG, dev_secret, env

# --- Meta (Facebook/Instagram lead ads, WhatsApp Cloud API) ---------------------------------------------
META_APP_SECRET = env("META_APP_SECRET", default="")  # signs webhooks and Graph calls (appsecret_proof)
META_VERIFY_TOKEN = env("META_VERIFY_TOKEN", default="")  # the webhook subscription handshake
META_GRAPH_URL = env("META_GRAPH_URL", default="https://graph.facebook.com")
META_GRAPH_VERSION = env("META_GRAPH_VERSION", default="v24.0")
META_HTTP_TIMEOUT = env.float("META_HTTP_TIMEOUT", default=10.0)

# --- WhatsApp Cloud API ---------------------------------------------------------------------------------
WHATSAPP_BACKEND = env("WHATSAPP_BACKEND", default="console")  # cloud_api | simulator | console
WHATSAPP_GRAPH_URL = env(
    "WHATSAPP_GRAPH_URL",
    default=f"http://127.0.0.1:{env.int('WHATSAPP_SIMULATOR_PORT', default=8765)}"
    if WHATSAPP_BACKEND == "simulator"
    else META_GRAPH_URL,
)
# The simulator signs its webhooks like Meta: a development checkout gets a generated secret for it.
WHATSAPP_APP_SECRET = env("WHATSAPP_APP_SECRET", default="") or META_APP_SECRET
if not WHATSAPP_APP_SECRET and WHATSAPP_BACKEND == "simulator" and DEBUG:
    WHATSAPP_APP_SECRET = dev_secret("WHATSAPP_APP_SECRET", lambda: secrets.token_urlsafe(48))
WHATSAPP_SIMULATOR_PORT = env.int("WHATSAPP_SIMULATOR_PORT", default=8765)
WHATSAPP_VERIFY_TOKEN = env("WHATSAPP_VERIFY_TOKEN", default=META_VERIFY_TOKEN)
# A webhook event whose processing fails is parked and tried again after RETRY_S, 2×, 4×… up to MAX_ATTEMPTS times
WHATSAPP_EVENT_MAX_ATTEMPTS = env.int("WHATSAPP_EVENT_MAX_ATTEMPTS", default=5)
WHATSAPP_EVENT_RETRY_S = env.int("WHATSAPP_EVENT_RETRY_S", default=60)
# The trained opt-out classifier is kept here by version (training data, code, scikit-learn), so each worker process
# loads it instead of training it; empty disables the file (each process trains its own).
OPTOUT_MODEL_DIR = env("OPTOUT_MODEL_DIR", default=str(BASE_DIR / ".data" / "models"))
# The marketing template's "stop" quick-reply button: an inbound button whose payload or text is one of these revokes
# the person's WhatsApp marketing consent at once (compared ignoring case and accents).
WHATSAPP_MARKETING_STOP_PAYLOADS = env.list(
    "WHATSAPP_MARKETING_STOP_PAYLOADS", default=["Parar promoções", "Stop promotions", "STOP_PROMOTIONS"]
)
# Outbound fetches of URLs that came from outside (media URLs in Graph answers) refuse private and loopback
# addresses; these origins (scheme://host:port) are trusted as well. The configured Graph URLs (WHATSAPP_GRAPH_URL,
# META_GRAPH_URL: the simulator on loopback in development) are always trusted.
OUTBOUND_TRUSTED_ORIGINS = env.list("OUTBOUND_TRUSTED_ORIGINS", default=[])
