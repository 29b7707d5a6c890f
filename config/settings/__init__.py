"""Fluxo settings: everything that differs between machines comes from the environment.

The documented list of variables is in README.md ("Configuration"). With nothing set, Fluxo runs in development mode
(DEBUG on) against an embedded PostgreSQL and Redis under ``.data/``. Importing settings only reads the environment:
it never starts a server (the entry points do: see config/embedded.py).

The map, one module per concern. Each module imports what it uses from another by name (``base`` first of all), and
no setting is defined in two modules, so the order of the imports below changes nothing:

- ``base``      the environment (.env), DEBUG, TESTING; apps, middleware, templates, languages, static and media
                files, logging, e-mail, the demo password
- ``database``  PostgreSQL: DATABASE_URL or the embedded server's address, connections, pg_dump/pg_restore's folder
- ``cache``     Redis: REDIS_URL or the embedded server's address (DB 15 under tests), the cache, sessions
- ``security``  secrets and keys, hosts and proxies, cookies and HTTPS, login and lockout, the CSP
- ``api``       Django REST framework and the OpenAPI schema
- ``queues``    Celery: broker, delivery, routes, the beat schedule, the readiness probe's worker patience
- ``audit``     the audit log: audited models, staleness
- ``whatsapp``  Meta's Graph API, the WhatsApp gateway and simulator, opt-out model files, trusted outbound origins
- ``antiban``   the outbound pipeline's rules, pacing, warm-up and health
- ``ai``        the AI middleware's providers, budget and cache
- ``pipeline``  leads (lists, stages), qualification (segments), assignment (roulette, SLA, tasks)
- ``imports``   spreadsheet imports

DJANGO_SETTINGS_MODULE stays ``config.settings``.
"""

from config.settings.ai import *  # noqa: F403
from config.settings.antiban import *  # noqa: F403
from config.settings.api import *  # noqa: F403
from config.settings.audit import *  # noqa: F403
from config.settings.base import *  # noqa: F403
from config.settings.cache import *  # noqa: F403
from config.settings.database import *  # noqa: F403
from config.settings.imports import *  # noqa: F403
from config.settings.pipeline import *  # noqa: F403
from config.settings.queues import *  # noqa: F403
from config.settings.security import *  # noqa: F403
from config.settings.whatsapp import *  # noqa: F403
