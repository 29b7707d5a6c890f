"""Lead list latency over a realistic base: API and HTML, as a consultant and as a supervisor.

Usage: .venv/bin/python bench/lead_list.py [--leads 1000000] [--requests 40]
Seeds demo leads up to --leads (idempotent), then times list requests in-process (Django test client, real
PostgreSQL and Redis) and prints one JSON object with medians, p95 and the query count per request.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()

    import django

    from config import embedded

    embedded.ensure_for_environment()  # settings never start the embedded servers: the bench does
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    # seed_demo makes the people, the team, sources, tags and a few thousand leads with full timelines; the rest of
    # the base is added set-based in PostgreSQL (bench/bulk_leads.py) — a million leads in minutes, reused next run.
    call_command("seed_demo", "--leads", str(min(args.leads, 2000)), "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from bench.bulk_leads import bulk_leads_ensure

    bulk_leads_ensure(total=args.leads, log=lambda line: print(line, file=sys.stderr))
    seed_seconds = time.perf_counter() - started
    users = get_user_model().objects

    def measure(username: str, url: str, params: dict) -> dict:
        client = Client()
        client.force_login(users.get(username=username))
        client.get(url, params)  # warm caches and connections
        timings = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as ctx:
            client.get(url, params)
        timings.sort()
        return {
            "median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "queries": len(ctx.captured_queries),
            # time PostgreSQL took in one request: on a busy machine the rest is CPU time shared with other work
            "sql_ms": round(sum(float(q["time"]) for q in ctx.captured_queries) * 1000, 2),
        }

    from leads.models import ContactPoint, Lead

    consultant = users.get(username="consultant1")
    mine = Lead.objects.filter(owner=consultant, external_ref__startswith="bench-").order_by("-created_at").first()
    phone = ContactPoint.objects.filter(lead=mine, kind="phone").values_list("value", flat=True).first()
    formatted = f"({phone[3:5]}) {phone[5:10]}-{phone[10:]}"  # +5511987654321 → (11) 98765-4321

    def measure_call(label: str, call) -> dict:
        call()
        timings = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            call()
            timings.append((time.perf_counter() - t0) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            call()
        timings.sort()
        return {
            "median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "queries": len(ctx.captured_queries),
            "sql_ms": round(sum(float(q["time"]) for q in ctx.captured_queries) * 1000, 2),
        }

    results = {
        "leads_in_base": Lead.objects.count(),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "seed_seconds": round(seed_seconds, 1),
        "consultant_api_page25": measure("consultant1", "/api/v1/leads/", {"page_size": 25}),
        "consultant_api_page100": measure("consultant1", "/api/v1/leads/", {"page_size": 100}),
        "consultant_html_list": measure("consultant1", "/leads/", {}),
        "supervisor_html_list": measure("supervisor", "/leads/", {}),
        "supervisor_html_list_stage_new": measure("supervisor", "/leads/", {"stage": "new"}),
        "supervisor_api_search_phone_last_digits": measure("supervisor", "/api/v1/leads/", {"q": phone[-4:]}),
        "supervisor_api_search_phone_formatted": measure("supervisor", "/api/v1/leads/", {"q": formatted}),
        # the first half of the mobile number, as people remember it ("98765"): a trigram search inside numbers
        "supervisor_html_search_phone_middle": measure("supervisor", "/leads/", {"q": phone[5:10]}),
        "supervisor_api_search_name": measure("supervisor", "/api/v1/leads/", {"q": "silva"}),
        "supervisor_html_search_accents": measure("supervisor", "/leads/", {"q": "joao conceicao"}),
        "supervisor_html_search_city": measure("supervisor", "/leads/", {"q": "sao paulo"}),
        "supervisor_html_search_tag": measure("supervisor", "/leads/", {"q": "#interesse/casa"}),
        "consultant_queue": measure("consultant1", "/fila/", {}),
        "consultant_lead_page": measure("consultant1", f"/leads/{mine.pk}/", {}),
        "supervisor_home": measure("supervisor", "/supervisor/", {}),
        "consultant_html_board": measure("consultant1", "/quadro/", {}),
        "supervisor_html_board": measure("supervisor", "/quadro/", {}),
    }
    from leads.selectors import lead_board_columns

    supervisor = users.get(username="supervisor")
    results["supervisor_board_query"] = measure_call("board", lambda: lead_board_columns(user=supervisor))
    results["consultant_board_query"] = measure_call("board", lambda: lead_board_columns(user=consultant))
    results["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
