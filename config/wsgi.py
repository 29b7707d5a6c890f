import os

from django.core.wsgi import get_wsgi_application

from config import embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
embedded.ensure_for_environment()  # a WSGI server started on a machine with nothing configured (a no-op otherwise)
django_application = get_wsgi_application()

from whatsapp.receiver import wsgi_receive  # noqa: E402  (a Django module: after the app registry is ready)


def application(environ, start_response):
    """Django, except the WhatsApp webhook's POST, which takes the lean path (see whatsapp/receiver.py)."""
    if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == "/webhooks/whatsapp/":
        return wsgi_receive(environ, start_response)
    return django_application(environ, start_response)
