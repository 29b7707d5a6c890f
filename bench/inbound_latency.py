"""Inbound WhatsApp latency, end to end: prints one JSON object. Not a test; run by hand.

    python bench/inbound_latency.py [--messages 40] [--rows 100000] [--port 8194] [--sim-port 8794]

Starts the real stack as ``make run`` does (``python -m config.run``: migrate, seed_demo with its history, AI backfill,
scoring, then web + Celery workers (default, ``inbound``, ``ai``) + beat + the WhatsApp simulator under honcho) on its
own database (``<db>_inbound_bench``, dropped and recreated) and Redis database, with its own ports. Then, per message:
a webhook signed as Meta signs it (``X-Hub-Signature-256``) carrying an inbound text from an existing demo lead is
POSTed, and the lead's WhatsApp panel (``/leads/<id>/whatsapp/``) is polled over HTTP as the consultant who owns the
lead, logged in through the login form, until the text shows; the time from the POST to that page is the latency.
Phase ``startup``: right after the web server answers (the startup backlog the demo seed creates is still queued).
Phase ``import``: a ``--rows``-row .csv is uploaded through the import page as the supervisor, its guessed columns
confirmed on the job's page (which starts it), and messages are sent while its rows are being written.
Target: p95 <= 5 s in both phases. Runs with the Python that runs it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
SECRET = "bench-inbound-secret"
PASSWORD_ENV = "FLUXO_DEMO_PASSWORD"
TARGET_P95_S = 5.0


def _bench_urls() -> tuple[str, str]:
    """This run's own PostgreSQL database and Redis database, beside the ones the environment names."""
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        from config import embedded

        urls = embedded.ensure_running()
        os.environ.update({k: os.environ.get(k) or v for k, v in urls.items()})
    db = urlsplit(os.environ["DATABASE_URL"])
    db_name = db.path.lstrip("/") + "_inbound_bench"
    redis = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit(db._replace(path="/" + db_name)), urlunsplit(redis._replace(path="/7"))


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _wait_port(port: int, timeout: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the stack exited ({process.returncode}) before the web server answered")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise SystemExit(f"the web server did not answer on {port} within {timeout:.0f} s")


def _session(base: str, username: str, password: str):
    import requests

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    if "sessionid" not in session.cookies:
        raise SystemExit(f"login as {username} failed ({response.status_code})")
    return session


def _body(*, wa_id: str, text: str, number_id: str, waba_id: str) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5511955550000", "phone_number_id": number_id},
        "contacts": [{"profile": {"name": "Cliente"}, "wa_id": wa_id}],
        "messages": [
            {
                "from": wa_id,
                "id": f"wamid.bench{time.time_ns()}{random.randrange(10**6)}",
                "timestamp": str(int(time.time())),
                "type": "text",
                "text": {"body": text},
            }
        ],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body, ensure_ascii=False).encode()


def _targets(count: int) -> tuple[list[dict], dict]:
    """Demo leads owned by consultants, with a WhatsApp phone, and the demo number they wrote to."""
    import django

    django.setup()
    from leads.models import ContactKind, ContactPoint
    from whatsapp.models import PhoneNumber

    number = PhoneNumber.objects.select_related("account").get(phone_number_id="100000000000001")
    points = (
        ContactPoint.objects.filter(
            kind=ContactKind.PHONE,
            is_primary=True,
            is_whatsapp=True,
            lead__owner__username__startswith="consultant",
            lead__external_ref__startswith="demo-",
        )
        .select_related("lead__owner")
        .order_by("lead_id")
    )
    seen, targets = set(), []
    for point in points.iterator():
        if point.lead_id in seen:
            continue
        seen.add(point.lead_id)
        targets.append(
            {"lead": point.lead_id, "wa_id": re.sub(r"\D", "", point.value), "owner": point.lead.owner.username}
        )
    random.Random(21).shuffle(targets)
    return targets[:count], {"number_id": number.phone_number_id, "waba_id": number.account.waba_id}


def _measure(
    base: str, sessions: dict, targets: list[dict], meta: dict, *, interval: float, timeout: float, keep_going=None
):
    """Send one signed message per target, ``interval`` apart; each one's latency is POST -> visible on the panel."""
    import requests

    from common.meta import meta_signature

    results: list[float | None] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def one(target: dict, index: int) -> None:
        token = f"bench-{index}-{time.time_ns()}"
        body = _body(wa_id=target["wa_id"], text=f"Oi, ainda tenho interesse {token}", **meta)
        session = requests.Session()
        session.cookies.update(sessions[target["owner"]].cookies)
        started = time.monotonic()
        response = session.post(
            f"{base}/webhooks/whatsapp/",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": meta_signature(body=body, app_secret=SECRET),
            },
            timeout=30,
        )
        seen = None
        while time.monotonic() - started < timeout:
            page = session.get(f"{base}/leads/{target['lead']}/whatsapp/", timeout=30)
            if token in page.text:
                seen = time.monotonic() - started
                break
            time.sleep(0.2)
        with lock:
            statuses.append(response.status_code)
            results.append(seen)

    threads = []
    for index, target in enumerate(targets):
        if keep_going is not None and not keep_going():
            break
        thread = threading.Thread(target=one, args=(target, index))
        thread.start()
        threads.append(thread)
        time.sleep(interval)
    for thread in threads:
        thread.join()
    return results, statuses


def _summary(results: list[float | None], statuses: list[int]) -> dict:
    seen = sorted(r for r in results if r is not None)
    p95 = seen[max(0, round(0.95 * len(seen)) - 1)] if seen else None
    missing = len(results) - len(seen)
    return {
        "messages": len(results),
        "webhook_statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "never_visible": missing,
        "p50_s": round(statistics.median(seen), 2) if seen else None,
        "p95_s": round(p95, 2) if p95 is not None else None,
        "max_s": round(seen[-1], 2) if seen else None,
        "target_met": bool(seen) and missing == 0 and p95 <= TARGET_P95_S,
    }


def _write_csv(path: Path, rows: int) -> None:
    rng = random.Random(100)
    cities = [("São Paulo", "SP"), ("Campinas", "SP"), ("Rio de Janeiro", "RJ"), ("Belo Horizonte", "MG")]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Nome", "Celular", "E-mail", "Cidade", "UF", "Orçamento"])
        for n in range(rows):
            city, uf = rng.choice(cities)
            writer.writerow(
                [
                    f"Pessoa Importada {n}",
                    f"(21) 97{n:07d}",
                    f"importada{n}@exemplo.com.br",
                    city,
                    uf,
                    rng.randrange(200, 2000) * 1000,
                ]
            )


def _import_start(base: str, session, path: Path) -> str:
    page = session.get(f"{base}/leads/imports/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    with path.open("rb") as handle:
        response = session.post(
            f"{base}/leads/imports/",
            data={"csrfmiddlewaretoken": token, "source_name": "Planilha benchmark"},
            files={"file": (path.name, handle, "text/csv")},
            headers={"Referer": f"{base}/leads/imports/"},
            timeout=600,
            allow_redirects=False,
        )
    if response.status_code != 302:
        raise SystemExit(f"the import upload answered {response.status_code}")
    # Step two, as the supervisor does: confirm the column mapping Fluxo guessed, which starts the import.
    location = response.headers["Location"]
    detail = f"{base}{location}" if location.startswith("/") else location
    page = session.get(detail, timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    confirmed = session.post(
        detail, data={"csrfmiddlewaretoken": token}, headers={"Referer": detail}, timeout=60, allow_redirects=False
    )
    if confirmed.status_code != 302:
        raise SystemExit(f"confirming the import's columns answered {confirmed.status_code}")
    return location


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8194)
    parser.add_argument("--sim-port", type=int, default=8794)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between messages")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds a message may take to show")
    args = parser.parse_args()

    db_url, redis_url = _bench_urls()
    _recreate_database(db_url)
    _flush_redis(redis_url)
    env = os.environ.copy()
    env.update(
        {
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "FLUXO_EMBEDDED": "false",
            "FLUXO_PORT": str(args.port),
            "WHATSAPP_SIMULATOR_PORT": str(args.sim_port),
            "WHATSAPP_BACKEND": "simulator",
            "WHATSAPP_APP_SECRET": SECRET,
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    os.environ.update(env)
    log_path = Path(tempfile.gettempdir()) / f"inbound-latency-{os.getpid()}.log"
    began = time.monotonic()
    with log_path.open("w") as log:  # the stack keeps its own copy of the descriptor
        stack = subprocess.Popen(
            [sys.executable, "-m", "config.run"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    out: dict = {"log": str(log_path)}
    try:
        _wait_port(args.port, 3600, stack)
        out["startup_s"] = round(time.monotonic() - began, 1)
        from django.conf import settings

        base = f"http://127.0.0.1:{args.port}"
        password = env.get(PASSWORD_ENV) or "fluxo-demo-2026"
        targets, meta = _targets(2 * args.messages)
        sessions = {u: _session(base, u, password) for u in sorted({t["owner"] for t in targets})}
        del settings  # only django.setup() was needed, for the selector of targets

        results, statuses = _measure(
            base, sessions, targets[: args.messages], meta, interval=args.interval, timeout=args.timeout
        )
        out["startup"] = _summary(results, statuses)
        print(json.dumps({"startup": out["startup"]}), file=sys.stderr, flush=True)  # progress: the import is long

        from leads.models import ImportJob, ImportStatus

        supervisor = _session(base, "supervisor", password)
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / f"leads-{args.rows}.csv"
            _write_csv(path, args.rows)
            upload_began = time.monotonic()
            location = _import_start(base, supervisor, path)
        job_id = int(re.search(r"/(\d+)/", location).group(1))

        # Messages count as "during the import" once its rows are being written (it waits behind the default queue
        # first); the wait itself is reported.
        while ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).exists():
            time.sleep(0.5)
        out["import_waited_to_start_s"] = round(time.monotonic() - upload_began, 1)

        def running() -> bool:
            return ImportJob.objects.filter(pk=job_id, status__in=[ImportStatus.PENDING, ImportStatus.RUNNING]).exists()

        results, statuses = _measure(
            base,
            sessions,
            targets[args.messages :],
            meta,
            interval=args.interval,
            timeout=args.timeout,
            keep_going=running,
        )
        out["import"] = _summary(results, statuses)
        out["import"]["sent_while_import_running"] = len(results)
        print(json.dumps({"import": out["import"]}), file=sys.stderr, flush=True)
        while running():
            time.sleep(1)
        job = ImportJob.objects.get(pk=job_id)
        out["import"]["job"] = {
            "status": job.status,
            "rows_total": job.rows_total,
            "rows_done": job.rows_done,
            "upload_to_done_s": round(time.monotonic() - upload_began, 1),
        }
        out["target_p95_s"] = TARGET_P95_S
    finally:
        os.killpg(stack.pid, signal.SIGINT)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
