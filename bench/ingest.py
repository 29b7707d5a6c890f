"""Ingestion benchmark: prints one JSON object. Not a test; run by hand.

    .venv/bin/python bench/ingest.py [--rows 100000] [--base 1000000] [--brute-subset 2000]

Uses its own database (``<name>_bench`` on the configured server) so the demo data stays as it is. Steps:
1. A labeled Brazilian dataset (Faker pt_BR, seeded): people with duplicate clusters (name typos, phone formats,
   ninth-digit variants, swapped name order, e-mail case, missing fields) and hard negatives (namesakes with
   other contacts, relatives sharing a phone). Written as .xlsx.
2. Parse speed: python-calamine vs openpyxl read-only over the same file, same run.
3. A base of ``--base`` leads (COPY), once; then the file is imported end to end (parse, normalize, dedup, write)
   with wall time and peak memory (ru_maxrss).
4. COPY vs bulk_create on the same table, side by side.
5. Dedup quality on the labeled rows (pairwise precision / recall) and dedup speed vs brute-force rapidfuzz
   all-pairs (measured on a subset, extrapolated by the pair count n(n-1)/2).
6. Interactive duplicate check (the web-form path): p95 over 300 lookups against the base.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
import unicodedata
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
WORK = BASE_DIR / ".data" / "bench"


def _bench_database() -> None:
    """Start the embedded servers the environment relies on (settings never do) and point Django at <db>_bench
    (created if missing) before settings are read."""
    import environ
    import psycopg

    from config import embedded

    embedded.ensure_for_environment()
    url = os.environ.get("DATABASE_URL") or embedded.postgres_url()
    config = environ.Env.db_url_config(url)
    bench_name = f"{config['NAME']}_bench"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_name]).fetchone():
            conn.execute(f'CREATE DATABASE "{bench_name}"')
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + bench_name


def _server_env(**extra: str) -> dict:
    """Environment for the servers a bench starts (gunicorn, Celery, the simulator): the development secrets from
    .data/secrets, production-like settings (DEBUG off) on the bench database, plus ``extra``."""
    from django.conf import settings

    env = os.environ.copy()
    secrets_dir = BASE_DIR / ".data" / "secrets"
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_HMAC_KEY", "BACKUP_ENCRYPTION_KEY"):
        env.setdefault(name, (secrets_dir / name.lower()).read_text().strip())
    env.update(
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=settings.REDIS_URL,
        PYTHONPATH=str(BASE_DIR),
        **extra,
    )
    return env


# --- 1. labeled data -----------------------------------------------------------------------------------------
DDDS = ["11", "19", "21", "31", "41", "48", "51", "61", "71", "81", "85"]
CITIES = [
    ("São Paulo", "SP"),
    ("Campinas", "SP"),
    ("Rio de Janeiro", "RJ"),
    ("Belo Horizonte", "MG"),
    ("Curitiba", "PR"),
    ("Porto Alegre", "RS"),
    ("Salvador", "BA"),
    ("Recife", "PE"),
    ("Fortaleza", "CE"),
]


def _person(fake, rng, pid: int) -> dict:
    first, last = fake.first_name(), fake.last_name()
    if rng.random() < 0.5:
        last = f"{last} {fake.last_name()}"
    body = f"{rng.randint(6000, 9999)}{rng.randint(0, 9999):04d}"
    city, uf = rng.choice(CITIES)
    local = unicodedata.normalize("NFKD", f"{first}.{last.split()[0]}").encode("ascii", "ignore").decode()
    email = f"{local.replace(' ', '.')}{pid}@{rng.choice(['gmail.com', 'hotmail.com', 'uol.com.br'])}".lower()
    return {
        "pid": pid,
        "first": first,
        "last": last,
        "ddd": rng.choice(DDDS),
        "body": body,
        "city": city,
        "uf": uf,
        "email": email,
        "budget": rng.randrange(150, 2500, 10),
    }


def _typo(rng, text: str) -> str:
    if len(text) < 5:
        return text
    i = rng.randrange(1, len(text) - 2)
    op = rng.choice(["swap", "drop", "double"])
    if op == "swap":
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if op == "drop":
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def _render(rng, p: dict, variant: bool) -> list:
    name = f"{p['first']} {p['last']}"
    phone = f"({p['ddd']}) 9{p['body'][:4]}-{p['body'][4:]}"
    email = p["email"]
    budget = f"R$ {p['budget']} mil"
    if variant:
        kind = rng.choice(["typo", "format", "ninth", "swapped", "case", "missing_email", "missing_phone", "upper"])
        if kind == "typo":
            name = _typo(rng, name)
        elif kind == "format":
            phone = rng.choice(
                [
                    f"55{p['ddd']}9{p['body']}",
                    f"+55 {p['ddd']} 9 {p['body'][:4]} {p['body'][4:]}",
                    f"{p['ddd']}9{p['body']}",
                ]
            )
            budget = f"{p['budget']}k"
        elif kind == "ninth":
            phone = f"({p['ddd']}) {p['body'][:4]}-{p['body'][4:]}"
        elif kind == "swapped":
            name = f"{p['last']} {p['first']}"
        elif kind == "case":
            email = email.upper()
        elif kind == "missing_email":
            email = ""
        elif kind == "missing_phone":
            phone = ""
        else:
            name = name.upper()
    return [name, phone, email, p["city"], p["uf"], budget]


def dataset(rows: int, seed: int = 7) -> tuple[list[list], list[int]]:
    """``rows`` spreadsheet rows and the true person id of each."""
    from faker import Faker

    fake = Faker("pt_BR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    out, labels, pid = [], [], 0
    while len(out) < rows:
        pid += 1
        person = _person(fake, rng, pid)
        copies = 1 + (rng.choices([0, 1, 2, 3], weights=[70, 18, 8, 4])[0])
        for copy in range(copies):
            out.append(_render(rng, person, variant=copy > 0))
            labels.append(pid)
        if rng.random() < 0.01:  # a relative sharing the phone: a different person
            pid += 1
            relative = dict(person, pid=pid, first=fake.first_name(), email=f"rel{pid}@gmail.com")
            out.append(_render(rng, relative, variant=False))
            labels.append(pid)
        if rng.random() < 0.01:  # a namesake in the same city with other contacts
            pid += 1
            namesake = dict(
                _person(fake, rng, pid),
                first=person["first"],
                last=person["last"],
                city=person["city"],
                uf=person["uf"],
            )
            out.append(_render(rng, namesake, variant=False))
            labels.append(pid)
    order = list(range(len(out)))
    rng.shuffle(order)
    return [out[i] for i in order][:rows], [labels[i] for i in order][:rows]


HEADER = ["Nome", "Celular", "E-mail", "Cidade", "UF", "Orçamento"]

LEAD_COPY = (
    "COPY leads_lead (full_name, name_key, document, document_index, city, state, currency, interest_type, source_id,"
    " campaign_ref, ad_ref, stage, stage_changed_at, attributes, recurrence_count, priority, last_interest_at,"
    " created_at, updated_at{extra}) FROM STDIN"
)


def lead_copy_row(name: str, key: str, city: str, uf: str, source_id: int, now, *extra) -> tuple:
    """One row for LEAD_COPY: a new lead with defaults, as the benchmark writes them."""
    return (name, key, "", "", city, uf, "BRL", "", source_id, "", "", "new", now, "{}", 1, 0, now, now, now, *extra)


def write_xlsx(path: Path, rows: list[list]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


# --- 2. parse --------------------------------------------------------------------------------------------------
def parse_speed(path: Path) -> dict:
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    def calamine():
        return sum(1 for _ in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())

    def openpyxl():
        workbook = load_workbook(path, read_only=True)
        count = sum(1 for _ in workbook.active.iter_rows(values_only=True))
        workbook.close()
        return count

    timings = {}
    for name, fn in (("calamine", calamine), ("openpyxl_read_only", openpyxl)):
        runs = []
        for _ in range(3 if name == "calamine" else 1):
            started = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - started)
        timings[name] = statistics.median(runs)
    return {
        "calamine_s": round(timings["calamine"], 3),
        "openpyxl_read_only_s": round(timings["openpyxl_read_only"], 3),
        "ratio": round(timings["openpyxl_read_only"] / timings["calamine"], 1),
    }


# --- 3. base ---------------------------------------------------------------------------------------------------
def base_build(total: int) -> dict:
    """``total`` leads with a phone and an e-mail, written with COPY (skipped if already there)."""
    from django.db import connection
    from django.utils import timezone

    from leads.models import Lead, LeadSource
    from leads.normalization import name_key

    source, _ = LeadSource.objects.get_or_create(name="bench-base", defaults={"kind": "historical"})
    have = Lead.objects.filter(source=source).count()
    if have >= total:
        return {"leads": have, "built_s": 0}
    started = time.perf_counter()
    rng = random.Random(99)
    firsts = [
        "Ana",
        "Bruno",
        "Carla",
        "Diego",
        "Eduarda",
        "Felipe",
        "Gabriela",
        "Heitor",
        "Isabela",
        "João",
        "Karina",
        "Lucas",
        "Mariana",
        "Nicolas",
        "Olívia",
        "Pedro",
        "Rafaela",
        "Samuel",
        "Tatiane",
        "Vitor",
    ]
    lasts = [
        "Silva",
        "Santos",
        "Oliveira",
        "Souza",
        "Rodrigues",
        "Ferreira",
        "Alves",
        "Pereira",
        "Lima",
        "Gomes",
        "Costa",
        "Ribeiro",
        "Martins",
        "Carvalho",
        "Almeida",
        "Lopes",
        "Soares",
        "Fernandes",
        "Vieira",
        "Barbosa",
    ]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('leads_lead','id')) FROM generate_series(1, %s)", [total - have]
        )
        ids = [r[0] for r in cursor.fetchall()]
        with cursor.copy(LEAD_COPY.format(extra=", id")) as copy:
            for lead_id in ids:
                name = f"{rng.choice(firsts)} {rng.choice(lasts)} {rng.choice(lasts)}"
                city, uf = rng.choice(CITIES)
                copy.write_row(lead_copy_row(name, name_key(name), city, uf, source.pk, now, lead_id))
        with cursor.copy(
            "COPY leads_contactpoint (lead_id, kind, value, is_primary, is_valid, is_whatsapp, label,"
            " created_at) FROM STDIN"
        ) as copy:
            for lead_id in ids:
                # 10-digit ids keep base phones disjoint from the dataset's, except where the overlap step adds some
                copy.write_row(
                    (lead_id, "phone", f"+55{rng.choice(DDDS)}3{lead_id:08d}"[:14], True, True, None, "", now)
                )
                copy.write_row((lead_id, "email", f"base{lead_id}@exemplo.com.br", True, True, None, "", now))
        cursor.execute("ANALYZE leads_lead; ANALYZE leads_contactpoint")
    return {"leads": total, "built_s": round(time.perf_counter() - started, 1)}


def previous_imports_remove() -> int:
    """Leads left by earlier runs' imports would turn this run's rows into merges: remove them (the base stays)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL fluxo.erasure = 'on'")  # the timeline's erasure door, as LGPD deletion uses it
        cursor.execute(
            "CREATE TEMP TABLE old_leads ON COMMIT DROP AS SELECT l.id FROM leads_lead l JOIN leads_leadsource s"
            " ON s.id = l.source_id WHERE s.name LIKE 'bench-import-%%' OR s.name LIKE 'prof-%%'"
        )
        for sql in (
            "DELETE FROM leads_leadevent WHERE lead_id IN (SELECT id FROM old_leads)",
            "DELETE FROM leads_duplicatereview WHERE lead_id IN (SELECT id FROM old_leads)"
            " OR candidate_id IN (SELECT id FROM old_leads)",
            "DELETE FROM leads_leadmerge WHERE into_id IN (SELECT id FROM old_leads)",
            "DELETE FROM leads_contactpoint WHERE lead_id IN (SELECT id FROM old_leads)",
            "UPDATE leads_lead SET merged_into_id = NULL WHERE merged_into_id IN (SELECT id FROM old_leads)",
            "DELETE FROM leads_lead WHERE id IN (SELECT id FROM old_leads)",
        ):
            cursor.execute(sql)
        removed = cursor.rowcount
        # What earlier imports merged into base leads (contacts, "interest again" events, merges, reviews) goes too,
        # so every run meets the same base instead of one that grows and bloats run after run.
        cursor.execute("SELECT max(created_at) FROM leads_lead")
        (base_built,) = cursor.fetchone()
        for sql in (
            "DELETE FROM leads_leadevent WHERE created_at > %s",
            "DELETE FROM leads_duplicatereview WHERE created_at > %s",
            "DELETE FROM leads_leadmerge WHERE created_at > %s",
            "DELETE FROM leads_contactpoint WHERE created_at > %s",
        ):
            cursor.execute(sql, [base_built])
    with connection.cursor() as cursor:
        for table in ("leads_lead", "leads_contactpoint", "leads_leadevent", "leads_duplicatereview"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return removed


# --- 4. COPY vs bulk_create ------------------------------------------------------------------------------------
def copy_vs_bulk_create(n: int = 20000) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from leads.models import Lead, LeadSource

    source, _ = LeadSource.objects.get_or_create(name="bench-write", defaults={"kind": "api"})
    now = timezone.now()
    names = [f"Pessoa Teste {i}" for i in range(n)]

    class Rollback(Exception):
        pass

    def bulk():
        try:
            with transaction.atomic():
                Lead.objects.bulk_create(
                    [Lead(full_name=name, name_key=name.lower(), source=source) for name in names], batch_size=2000
                )
                raise Rollback
        except Rollback:
            pass

    def copy():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                with cursor.copy(LEAD_COPY.format(extra="")) as stream:
                    for name in names:
                        stream.write_row(lead_copy_row(name, name.lower(), "", "", source.pk, now))
                raise Rollback
        except Rollback:
            pass

    result = {}
    for label, fn in (("bulk_create", bulk), ("copy", copy)):
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - started)
        result[f"{label}_s"] = round(statistics.median(runs), 3)
    result["rows"] = n
    result["ratio"] = round(result["bulk_create_s"] / result["copy_s"], 1)
    return result


# --- 5. dedup quality and speed --------------------------------------------------------------------------------
def quality(job, labels: list[int]) -> dict:
    """Pairwise precision/recall of "same lead" among the file's rows (row → lead from the import's events)."""
    from itertools import combinations

    from leads.models import EventKind, Lead, LeadEvent

    lead_of_line = {}
    for lead_id, payload in LeadEvent.objects.filter(
        kind__in=[EventKind.CREATED, EventKind.INTEREST_AGAIN], payload__import=job.pk
    ).values_list("lead_id", "payload"):
        lead_of_line[payload["line"]] = lead_id
    survivor = dict(Lead.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id"))
    for line, lead_id in lead_of_line.items():
        while lead_id in survivor:  # leads merged later in the import live on in their survivor
            lead_id = survivor[lead_id]
        lead_of_line[line] = lead_id
    by_lead, by_person = {}, {}
    for index, pid in enumerate(labels):
        line = index + 2
        if line in lead_of_line:
            by_lead.setdefault(lead_of_line[line], []).append(line)
        by_person.setdefault(pid, []).append(line)
    predicted = {pair for lines in by_lead.values() for pair in combinations(sorted(lines), 2)}
    truth = {pair for lines in by_person.values() for pair in combinations(sorted(lines), 2)}
    hits = len(predicted & truth)
    return {
        "precision": round(hits / len(predicted), 4) if predicted else 1.0,
        "recall": round(hits / len(truth), 4) if truth else 1.0,
        "true_pairs": len(truth),
        "predicted_pairs": len(predicted),
    }


def dedup_speed(rows: list[list], subset: int) -> dict:
    """Blocking dedup (our engine, in memory) vs brute-force rapidfuzz all-pairs on the same normalized rows."""
    from rapidfuzz import fuzz

    from leads.ingest.dedup import Candidates, dedup_decide
    from leads.ingest.rows import LeadRow, row_normalize
    from leads.normalization import document_index

    mapping = dict(zip(HEADER, ["full_name", "phone", "email", "city", "state", "budget"], strict=True))
    normalized = [
        r
        for i, raw in enumerate(rows)
        if isinstance(r := row_normalize(i + 2, dict(zip(HEADER, raw, strict=True)), mapping), LeadRow)
    ]
    started = time.perf_counter()
    dedup_decide(normalized, Candidates(), document_index)
    blocking_s = time.perf_counter() - started

    sample = normalized[:subset]
    started = time.perf_counter()
    for i, a in enumerate(sample):
        a_keys = set(a.valid_phones) | set(a.valid_emails)
        for b in sample[i + 1 :]:
            if fuzz.token_set_ratio(a.name_key, b.name_key) >= 80 or a_keys & (
                set(b.valid_phones) | set(b.valid_emails)
            ):
                pass
    brute_subset_s = time.perf_counter() - started
    n, m = len(normalized), len(sample)
    brute_full_s = brute_subset_s * (n * (n - 1) / 2) / (m * (m - 1) / 2)
    return {
        "rows": n,
        "blocking_s": round(blocking_s, 3),
        "brute_force_subset_rows": m,
        "brute_force_subset_s": round(brute_subset_s, 2),
        "brute_force_extrapolated_s": round(brute_full_s, 1),
        "speedup": round(brute_full_s / blocking_s, 1),
    }


# --- 6. single check -------------------------------------------------------------------------------------------
def single_check(samples: int = 300) -> dict:
    from leads.services.dedup_check import lead_duplicate_check

    rng = random.Random(5)
    timings = []
    from leads.models import ContactPoint

    phones = list(ContactPoint.objects.filter(kind="phone").order_by("?").values_list("value", flat=True)[:samples])
    for phone in phones:
        started = time.perf_counter()
        lead_duplicate_check(
            full_name="Maria Teste",
            phones=[phone if rng.random() < 0.5 else "+5511987650000"],
            emails=[f"x{rng.randint(1, 10**6)}@exemplo.com"],
        )
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "samples": len(timings),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=1_000_000)
    parser.add_argument("--brute-subset", type=int, default=2000)
    args = parser.parse_args()
    _bench_database()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from leads.ingest.pipeline import import_job_create, import_job_run
    from leads.models import LeadSource

    WORK.mkdir(parents=True, exist_ok=True)
    rows, labels = dataset(args.rows)
    path = WORK / f"dataset-{args.rows}.xlsx"
    write_xlsx(path, rows)
    report = {"rows": len(rows), "people": len(set(labels)), "parse": parse_speed(path)}
    report["base"] = base_build(args.base)
    report["base"]["previous_import_leads_removed"] = previous_imports_remove()
    report["write"] = copy_vs_bulk_create()

    source = LeadSource.objects.create(name=f"bench-import-{int(time.time())}", kind="manual_import")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    job = import_job_run(job_id=import_job_create(path=path, original_name=path.name, source=source).pk)
    seconds = time.perf_counter() - started
    report["import"] = {
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(rows) / seconds),
        "created": job.created,
        "merged": job.merged,
        "review": job.review,
        "rejected": job.rejected,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_before_mib": round(rss_before / 1024),
        "peak_rss_normalizer_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "normalizer_processes": settings.FLUXO_IMPORT_WORKERS,
    }
    report["dedup_quality"] = quality(job, labels)
    report["dedup_speed"] = dedup_speed(rows, args.brute_subset)
    report["single_check"] = single_check()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
