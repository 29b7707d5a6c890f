"""The Celery application. Configuration lives in settings (CELERY_* names)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("fluxo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
@signals.beat_init.connect
def _embedded_servers(**kwargs) -> None:
    """A worker or beat started by hand on a machine with nothing configured starts the embedded PostgreSQL and Redis
    before it connects (``make run`` has started them already and passes their URLs: then this does nothing)."""
    # Imported here: every ``import config.…`` runs this module, and ``python -m config.embedded`` must find
    # config.embedded not yet imported (runpy warns and runs it twice otherwise).
    from config import embedded

    embedded.ensure_for_environment()
