"""The lead list's sort orders and columns (issue #21, desk) over the base ``bench/lead_list.py`` seeds.

Usage: .venv/bin/python bench/lead_list_sorts.py [--requests 30]   (after bench/lead_list.py --leads N)
Times the HTML list (Django test client, real PostgreSQL and Redis) as a consultant and as a supervisor for every
sort order with every column shown, and prints one JSON object: median, p95 and the query count per request.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

COLUMNS = ("stage", "score", "owner", "last_contact", "source", "city", "created", "tags")
SORTS = ("created", "name", "score", "class", "last_contact", "no_contact", "stage")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    import django

    from config import embedded

    embedded.ensure_for_environment()  # settings never start the embedded servers: the bench does
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = get_user_model().objects

    def measure(username: str, params: dict) -> dict:
        client = Client()
        client.force_login(users.get(username=username))
        client.get("/leads/", params)  # warm caches and connections
        timings = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get("/leads/", params)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as ctx:
            client.get("/leads/", params)
        timings.sort()
        return {
            "median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
            "queries": len(ctx.captured_queries),
        }

    results = {"leads_in_base": django.apps.apps.get_model("leads", "Lead").objects.count()}
    for who in ("consultant1", "supervisor"):
        for sort in SORTS:
            results[f"{who}_sort_{sort}"] = measure(who, {"sort": sort, "cols": list(COLUMNS)})
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
