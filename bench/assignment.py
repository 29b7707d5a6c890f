"""Qualification and roulette benchmark: prints one JSON object. Not a test; run by hand.

    .venv/bin/python bench/assignment.py [--score 100000] [--base 1000000] [--decisions 300] [--concurrent 1000]

Uses its own ``<db>_bench`` database (shared with bench/ingest.py; the first run builds the bases with COPY):
1. scoring: ``qualification.services.leads_score`` over a batch of ``--score`` leads with AI profiles and timelines
   (the whole path: one read query per 10,000, numpy scoring, COPY upsert of scores, history, rule tags), twice —
   first scoring and re-scoring — in leads per second;
2. one roulette decision (``assignment.services.lead_assign``: lock, rank, atomic claim, timeline, notification) with
   200 consultants in the team and ``--base`` leads in the database: median and p95 in ms;
3. ``--concurrent`` assignments from 16 threads over 20 consultants whose caps hold fewer than that: double
   assignments and cap overshoots (both must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

INTENTS = ["interested", "wants_info", "schedule_meeting", "price_question", "not_interested", "other"]


def _copy_leads(source_id: int, total: int, *, rich: bool, seed: int) -> list[int]:
    """``total`` leads with COPY; ``rich`` ones get an AI profile and 1–4 timeline events."""
    from django.db import connection
    from django.utils import timezone

    rng = random.Random(seed)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('leads_lead','id')) FROM generate_series(1, %s)", [total])
        ids = [r[0] for r in cursor.fetchall()]
        columns = (
            "id, full_name, name_key, document, document_index, city, state, budget_min, budget_max, currency, "
            "interest_type, source_id, campaign_ref, ad_ref, stage, stage_changed_at, attributes, recurrence_count, "
            "priority, last_interest_at, created_at, updated_at"
        )
        with cursor.copy(f"COPY leads_lead ({columns}) FROM STDIN") as copy:
            for lead_id in ids:
                budget = rng.randrange(150, 2500, 10) * 1000
                ai = (
                    {
                        "intent": rng.choice(INTENTS),
                        "urgency": rng.choice(["high", "medium", "low"]),
                        "buying_stage": rng.choice(["awareness", "consideration", "decision"]),
                        "objections": rng.sample(["price", "timing", "financing"], k=rng.randint(0, 2)),
                        "sentiment": rng.choice(["positive", "neutral", "negative"]),
                    }
                    if rich
                    else {}
                )
                created = now - timedelta(days=rng.uniform(0, 60))
                copy.write_row(
                    (
                        lead_id,
                        f"Bench {lead_id}",
                        f"bench {lead_id}",
                        "",
                        "",
                        "São Paulo",
                        "SP",
                        budget * 0.8,
                        budget,
                        "BRL",
                        rng.choice(["apartment", "house", "land", ""]),
                        source_id,
                        "",
                        "",
                        "new",
                        created,
                        json.dumps({"ai": ai} if ai else {}),
                        1 + (rng.random() < 0.1),
                        0,
                        created,
                        created,
                        created,
                    )
                )
        if rich:
            with cursor.copy(
                "COPY leads_leadevent (lead_id, kind, channel, occurred_at, created_at, payload) FROM STDIN"
            ) as copy:
                for lead_id in ids:
                    for _ in range(rng.randint(1, 4)):
                        kind = rng.choice(["message_in", "message_out", "message_in", "call"])
                        at = now - timedelta(hours=rng.uniform(1, 500))
                        copy.write_row((lead_id, kind, "whatsapp", at, at, "{}"))
        cursor.execute("ANALYZE leads_lead; ANALYZE leads_leadevent")
    return ids


def scoring(total: int) -> dict:
    from leads.models import Lead, LeadSource
    from qualification import services

    source, _ = LeadSource.objects.get_or_create(name="bench-scoring", defaults={"kind": "ads"})
    # never scored before, so the first pass is a real first scoring (history rows, rule tags) on every run
    unscored = Lead.objects.filter(source=source, qualification__isnull=True)
    ids = list(unscored.order_by("pk").values_list("pk", flat=True)[:total])
    built = 0.0
    if len(ids) < total:
        t0 = time.perf_counter()
        ids += _copy_leads(source.pk, total - len(ids), rich=True, seed=len(ids))
        built = time.perf_counter() - t0
    runs = []
    for _ in range(2):
        t0 = time.perf_counter()
        run = services.leads_score(lead_ids=ids)
        runs.append(
            {
                "seconds": round(time.perf_counter() - t0, 2),
                "leads_per_s": round(run.scored / (time.perf_counter() - t0)),
            }
        )
    return {
        "leads": len(ids),
        "built_s": round(built, 1),
        "first_scoring": runs[0],
        "rescoring": runs[1],
        "classes": dict(run.classes),
        "target_leads_per_s": 5000,
    }


def _consultants(n: int, team_name: str, **caps):
    from datetime import time as clock

    from django.contrib.auth import get_user_model

    from assignment.models import ConsultantProfile, Team
    from compliance.roles import Role, role_grant

    users = get_user_model().objects
    team, _ = Team.objects.get_or_create(name=team_name)
    people = []
    for i in range(n):
        user, created = users.get_or_create(username=f"{team_name}-{i}", defaults={"first_name": f"C{i}"})
        if created:
            role_grant(user=user, role=Role.CONSULTANT)
        people.append(user)
    team.members.add(*people)
    rng = random.Random(n)
    for user in people:
        ConsultantProfile.objects.update_or_create(
            user=user,
            defaults={
                "property_types": rng.choice([[], ["apartment"], ["house", "land"]]),
                "regions": rng.choice([[], ["SP"], ["RJ", "MG"]]),
                "work_days": list(range(7)),
                "work_start": clock(0, 0),
                "work_end": clock(23, 59, 59),
                "open_leads": 0,
                "new_today": 0,
                **caps,
            },
        )
    return team, people


def decisions(base: int, count: int) -> dict:
    from assignment import services
    from leads.models import Lead, LeadSource
    from qualification.services import leads_score

    source, _ = LeadSource.objects.get_or_create(name="bench-base", defaults={"kind": "historical"})
    have = Lead.objects.count()
    if have < base:
        _copy_leads(source.pk, base - have, rich=False, seed=have)
    team, _people = _consultants(200, "bench-roulette", max_open_leads=100_000, max_new_per_day=100_000)
    fresh_source, _ = LeadSource.objects.get_or_create(name="bench-fresh", defaults={"kind": "web_form"})
    ids = _copy_leads(fresh_source.pk, count, rich=True, seed=7 + Lead.objects.count())
    Lead.objects.filter(pk__in=ids).update(team=team)
    leads_score(lead_ids=ids)  # as in production: the roulette runs on leads_scored
    services.lead_assign(lead_id=ids[0])  # warm connections and caches
    timings = []
    for lead_id in ids[1:]:
        t0 = time.perf_counter()
        assert services.lead_assign(lead_id=lead_id) is not None
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return {
        "leads_in_base": Lead.objects.count(),
        "consultants": 200,
        "decisions": len(timings),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "target_p95_ms": 20,
    }


def concurrent(total: int, threads: int = 16) -> dict:
    from django.db import connection

    from assignment import services
    from assignment.models import Assignment, ConsultantProfile
    from leads.models import Lead, LeadSource

    cap = max(1, int(total * 0.8) // 20)
    team, people = _consultants(20, "bench-concurrent", max_open_leads=cap, max_new_per_day=100_000)
    source, _ = LeadSource.objects.get_or_create(name="bench-concurrent", defaults={"kind": "web_form"})
    ids = _copy_leads(source.pk, total, rich=False, seed=99 + Lead.objects.count())
    Lead.objects.filter(pk__in=ids).update(team=team)
    errors = []

    def worker(offset: int):
        try:
            for lead_id in ids[offset:] + ids[:offset]:
                services.lead_assign(lead_id=lead_id)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    t0 = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i * total // threads,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - t0
    active = Assignment.objects.filter(lead_id__in=ids, status="active")
    per_lead = Counter(active.values_list("lead_id", flat=True))
    per_consultant = Counter(active.values_list("consultant_id", flat=True))
    profiles = {p.user_id: p for p in ConsultantProfile.objects.filter(user__in=people)}
    return {
        "leads": total,
        "threads": threads,
        "capacity": cap * 20,
        "assigned": sum(per_lead.values()),
        "double_assignments": sum(1 for n in per_lead.values() if n > 1),
        "capacity_overshoots": sum(1 for uid, n in per_consultant.items() if n > profiles[uid].max_open_leads),
        "counter_mismatches": sum(1 for uid, p in profiles.items() if p.open_leads != per_consultant.get(uid, 0)),
        "errors": errors[:3],
        "seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--score", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--concurrent", type=int, default=1000)
    args = parser.parse_args()
    from ingest import _bench_database

    _bench_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ASSIGNMENT_AUTO = False
    settings.DEBUG = False  # as in production (with DEBUG, Django also keeps every query in memory)
    call_command("migrate", verbosity=0)
    report = {"scoring": scoring(args.score)}
    report["decision"] = decisions(args.base, args.decisions)
    report["concurrency"] = concurrent(args.concurrent)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
