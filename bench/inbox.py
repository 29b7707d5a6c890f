"""The WhatsApp inbox at scale: an admin's (every lead visible) page of conversations, each view, first page and a
later one. Prints JSON (p50/p95 ms and queries per view). Uses its own ``<db>_inbox_bench`` database; seeds --messages
messages over --contacts contacts on a bench number (and as many leads with those phones) when it holds fewer.

    .venv/bin/python bench/inbox.py --contacts 250000 --messages 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _own_database() -> None:
    """Point Django at <db>_inbox_bench (created and migrated if missing), never at the development data."""
    import environ
    import psycopg

    from config import embedded

    embedded.ensure_for_environment()  # settings never start the embedded servers: the bench does
    url = os.environ.get("DATABASE_URL") or embedded.postgres_url()
    name = f"{environ.Env.db_url_config(url)['NAME']}_inbox_bench"
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name


def _seed(contacts: int, messages: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM whatsapp_message")
        if cursor.fetchone()[0] >= messages:
            return
        cursor.execute(
            "INSERT INTO whatsapp_businessaccount (name, waba_id, access_token, is_active, created_at)"
            " VALUES ('bench', 'bench-inbox', '', true, now()) ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO whatsapp_phonenumber (phone_number_id, display_number, verified_name, quality_rating,"
            " messaging_limit, throughput_mps, status, is_active, created_at, updated_at, account_id)"
            " SELECT 'pn-bench-inbox', '+5511900000000', '', 'GREEN', 'TIER_1K', 80, 'CONNECTED', true, now(), now(),"
            " id FROM whatsapp_businessaccount WHERE waba_id = 'bench-inbox' ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO leads_leadsource (name, kind, is_active, created_at, column_mapping, webhook_key,"
            " access_token, page_id) VALUES ('Bench inbox', 'web_form', true, now(), '{}', '', '', '')"
            " ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO leads_lead (full_name, document, city, state, currency, interest_type, campaign_ref, ad_ref,"
            " stage, stage_changed_at, attributes, recurrence_count, last_interest_at, created_at, updated_at,"
            " source_id, document_index, name_key, priority)"
            " SELECT 'Pessoa ' || g, '', '', '', 'BRL', '', '', '', 'new', now(), '{}', 1, now(), now(), now(),"
            " (SELECT id FROM leads_leadsource WHERE name = 'Bench inbox'), '', '', 0 FROM generate_series(1, %s) g",
            [contacts],
        )
        cursor.execute(
            "INSERT INTO leads_contactpoint (lead_id, kind, value, is_primary, is_valid, label, created_at)"
            " SELECT id, 'phone', '+55119' || lpad(id::text, 8, '0'), true, true, '', now() FROM leads_lead"
            " WHERE source_id = (SELECT id FROM leads_leadsource WHERE name = 'Bench inbox')"
        )
        cursor.execute(
            "INSERT INTO whatsapp_message (contact, contact_user_id, direction, kind, text, payload, media,"
            " media_type, status, error_title, error_raw, created_at, number_id, read_at)"
            " SELECT '+55119' || lpad(l.id::text, 8, '0'), '', CASE WHEN g %% 3 = 0 THEN 'out' ELSE 'in' END,"
            " 'text', 'mensagem ' || g, '{}', '', '', 'read', '', '{}', now() - (g || ' seconds')::interval,"
            " (SELECT id FROM whatsapp_phonenumber WHERE phone_number_id = 'pn-bench-inbox'),"
            " CASE WHEN g %% 97 = 0 THEN NULL ELSE now() END"
            " FROM generate_series(1, %s) g"
            " JOIN leads_lead l ON l.id = (SELECT min(id) FROM leads_lead) + g %% %s",
            [messages, contacts],
        )
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    _own_database()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leads.selectors_inbox import INBOX_VIEWS, inbox_conversations

    call_command("migrate", verbosity=0)
    _seed(args.contacts, args.messages)
    admin, _ = get_user_model().objects.get_or_create(username="bench_inbox_admin", defaults={"is_superuser": True})
    results = {}
    for view in INBOX_VIEWS:
        for page in ("first", "later"):
            timings, queries = [], 0
            before = None
            if page == "later":
                rows = inbox_conversations(user=admin, view=view, limit=50)
                if len(rows) < 50:
                    continue
                before = rows[-1].last_at
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    inbox_conversations(user=admin, view=view, before=before, limit=51)
                    timings.append((time.perf_counter() - started) * 1000)
                queries = len(captured)
            timings.sort()
            results[f"{view}/{page}"] = {
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
                "queries": queries,
            }
    print(json.dumps({"contacts": args.contacts, "messages": args.messages, "inbox": results}, indent=2))


if __name__ == "__main__":
    main()
