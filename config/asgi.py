import os

from django.core.asgi import get_asgi_application

from config import embedded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
embedded.ensure_for_environment()  # an ASGI server started on a machine with nothing configured (a no-op otherwise)
application = get_asgi_application()
