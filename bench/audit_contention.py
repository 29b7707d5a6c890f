"""Audit-log contention benchmark: prints one JSON object. Not a test; run by hand with the project's Python.

    python bench/audit_contention.py [--clients 16] [--seconds 15] [--rounds 3] [--leads 2000] [--workers 2]
        [--threads 32] [--worker-concurrency 1] [--contenders 1]

Issue #19, break 7: every audited statement used to take one global advisory lock held to the end of its
transaction, which serialised audited requests and deadlocked with tasks locking rows in the other order. Now
entries are appended without a lock and sealed into the hash chain after commit.

What runs, all real: Fluxo under gunicorn (gthread, ``--workers`` × ``--threads``, DEBUG off, behind an HTTPS proxy as
in production: ``X-Forwarded-Proto: https``) with a Celery worker (it runs the sealer the commits kick and the tasks
a stage change triggers), on ``<db>_bench`` seeded with the demo data. ``--clients`` logged-in browsers — the demo
consultants and their supervisor, each on leads of their own — loop over: open a lead's 360° page (an audited read),
then move it between "contacted" and "qualified" (an audited change; the form's POST, answered with a redirect).
``--contenders`` task-like threads meanwhile take an audited write first and then a lead's row lock, the order that
deadlocked. Each round measures auditing on (``AUDIT_ENABLED=true``, the default) and off (``false``, for this
comparison only) for ``--seconds`` each, alternating which goes first; servers and worker are restarted per phase
and the worker's queue drained before the next. Reported: requests/s each, the ratio (target ≥ 0.8: the median of
the rounds' ratios, since one round's noise on a shared 2-core machine is as large as the gap), answers by status
(target: no 5xx), PostgreSQL's deadlock counter for the bench database (target 0), entries still unsealed when a
phase ended, and finally ``audit_seal`` + ``audit_verify`` over everything written.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
PYTHON = sys.executable  # the interpreter running this script: the project's environment, wherever it lives
PORT = 8795
STAGES = ("contacted", "qualified")


# --- processes ------------------------------------------------------------------------------------------------------
def _start(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _gunicorn(env: dict, workers: int, threads: int) -> subprocess.Popen:
    process = _start(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "-k",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", PORT)) == 0:
                return process
        time.sleep(0.2)
    _stop(process)
    raise SystemExit(f"gunicorn did not start on {PORT}")


def _celery(env: dict, concurrency: int) -> subprocess.Popen:
    return _start(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "-Q",
            "celery",
            "-n",
            f"bench-audit-{os.getpid()}@%h",
        ],
        env,
    )


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


# --- browsers -------------------------------------------------------------------------------------------------------
class Browser:
    """A logged-in browser: httpx with the session and CSRF cookies kept by hand (they are ``Secure`` cookies and the
    proxy's TLS is simulated with ``X-Forwarded-Proto``), the CSRF token sent as Django's form does."""

    def __init__(self, username: str, password: str, leads: list[tuple[int, str]]):
        import httpx

        self.base = f"http://127.0.0.1:{PORT}"
        self.http = httpx.Client(base_url=self.base, timeout=60, headers={"X-Forwarded-Proto": "https"})
        self.cookies: dict[str, str] = {}
        self.username, self.password = username, password
        self.leads = leads  # (id, stage)

    def _headers(self, path: str) -> dict:
        return {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": f"https://127.0.0.1:{PORT}{path}",
        }

    def _keep(self, response) -> None:
        for name, value in response.cookies.items():
            self.cookies[name] = value

    def get(self, path: str) -> int:
        response = self.http.get(path, headers=self._headers(path))
        self._keep(response)
        return response.status_code

    def post(self, path: str, data: dict) -> int:
        data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        response = self.http.post(path, data=data, headers=self._headers(path))
        self._keep(response)
        return response.status_code

    def login(self) -> None:
        self.get("/accounts/login/")
        status = self.post("/accounts/login/", {"username": self.username, "password": self.password})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login of {self.username} failed: {status}")

    def step(self, index: int) -> tuple[int, int]:
        """One lead: its 360° page, then its stage moved to the other of ``STAGES``."""
        lead_id, stage = self.leads[index % len(self.leads)]
        read = self.get(f"/leads/{lead_id}/")
        target = STAGES[1] if stage == STAGES[0] else STAGES[0]
        change = self.post(f"/leads/{lead_id}/stage/", {"stage": target, "reason": ""})
        if change == 302:
            self.leads[index % len(self.leads)] = (lead_id, target)
        return read, change


def _browsers(count: int, password: str) -> list[Browser]:
    """``count`` browsers over the demo team: three of four as consultants (each on leads they own), the rest as the
    supervisor (on the team's leads nobody owns, then on leads no consultant browser took). No lead is shared."""
    from django.contrib.auth import get_user_model

    from leads.models import Lead

    users = get_user_model().objects
    supervisor = users.get(username="supervisor")
    consultants = list(users.filter(username__startswith="consultant").order_by("username"))
    open_leads = Lead.objects.filter(merged_into__isnull=True).exclude(stage__in=["won", "lost"]).order_by("id")
    supervisors = max(1, count // 4)
    plan = [consultants[i % len(consultants)] for i in range(count - supervisors)] + [supervisor] * supervisors
    taken: set[int] = set()
    pools: dict[int, list[int]] = {}
    for user in consultants:
        pools[user.pk] = list(open_leads.filter(owner=user).values_list("id", flat=True))
    pools[supervisor.pk] = list(open_leads.filter(owner__isnull=True).values_list("id", flat=True)) + [
        pk for user in consultants for pk in pools[user.pk]
    ]
    sharing = {user.pk: plan.count(user) for user in {*plan}}
    browsers = []
    for index, user in enumerate(plan):
        share = max(10, len(pools[user.pk]) // (sharing[user.pk] * 2))
        mine = [pk for pk in pools[user.pk] if pk not in taken][:share]
        taken.update(mine)
        rng = random.Random(index)
        rng.shuffle(mine)
        stages = dict(open_leads.filter(pk__in=mine).values_list("id", "stage"))
        browsers.append(Browser(user.username, password, [(pk, stages[pk]) for pk in mine]))
    return browsers


def _drive(browsers: list[Browser], seconds: float) -> dict:
    """Every browser on its own thread for ``seconds``: requests answered and their statuses."""
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(browsers) + 1)
    counts = [0] * len(browsers)

    def run(n: int, browser: Browser) -> None:
        local: dict[int, int] = {}
        start.wait()
        end = time.perf_counter() + seconds
        index = 0
        try:
            while time.perf_counter() < end:
                for status in browser.step(index):
                    local[status] = local.get(status, 0) + 1
                    counts[n] += 1
                index += 1
        except Exception as exc:  # a refused connection or a timeout counts against the run
            errors.append(repr(exc))
        with lock:
            for status, c in local.items():
                statuses[status] = statuses.get(status, 0) + c

    threads = [threading.Thread(target=run, args=(n, b)) for n, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = sum(counts)
    return {
        "requests": total,
        "seconds": round(elapsed, 2),
        "requests_per_s": round(total / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "client_errors": errors[:5],
    }


# --- contenders: the task order that deadlocked ---------------------------------------------------------------------
def _contend(lead_ids: list[int], stop: threading.Event, audit_on: bool, out: dict) -> None:
    """An audited write first, then a lead's row lock, in one transaction, ~20 times a second."""
    from django.conf import settings
    from django.db import connection, transaction

    from compliance.services.audit import audit_change
    from leads.models import Lead
    from leads.services import lead_lock

    settings.AUDIT_ENABLED = audit_on
    rng = random.Random(threading.get_ident())
    done = failed = 0
    try:
        while not stop.is_set():
            lead_id = rng.choice(lead_ids)
            try:
                with transaction.atomic():
                    audit_change(action="bench.task_step", obj=Lead(pk=lead_id))
                    lead_lock(lead_id=lead_id)
                done += 1
            except Exception as exc:
                failed += 1
                out.setdefault("errors", []).append(repr(exc)[:200])
            stop.wait(0.05)
    finally:
        connection.close()
        out["transactions"] = out.get("transactions", 0) + done
        out["failed"] = out.get("failed", 0) + failed


# --- database facts -------------------------------------------------------------------------------------------------
def _deadlocks() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _queue_drained(deadline_s: float = 300) -> float:
    """Wait until the worker has taken every queued task (Redis list ``celery`` empty); seconds waited."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    started = time.perf_counter()
    while client.llen("celery") and time.perf_counter() - started < deadline_s:
        time.sleep(0.5)
    return round(time.perf_counter() - started, 1)


def _phase(audit_on: bool, browsers: list[Browser], args, lead_ids: list[int]) -> dict:
    from ingest import _server_env

    from compliance.models import AuditEntry

    env = _server_env(AUDIT_ENABLED="true" if audit_on else "false")
    server = _gunicorn(env, args.workers, args.threads)
    worker = _celery(env, args.worker_concurrency)
    stop, contention = threading.Event(), {}
    contenders = [
        threading.Thread(target=_contend, args=(lead_ids, stop, audit_on, contention)) for _ in range(args.contenders)
    ]
    try:
        _drive(browsers, args.warmup)  # connections, caches, the workers' first requests
        deadlocks_before, entries_before = _deadlocks(), AuditEntry.objects.count()
        for thread in contenders:
            thread.start()
        result = _drive(browsers, args.seconds)
        stop.set()
        for thread in contenders:
            thread.join()
        result["deadlocks"] = _deadlocks() - deadlocks_before
        result["audit_entries_written"] = AuditEntry.objects.count() - entries_before
        result["unsealed_at_end"] = AuditEntry.objects.filter(seal_seq__isnull=True).count()
        result["contender_transactions"] = contention.get("transactions", 0)
        result["contender_failures"] = contention.get("failed", 0)
        if contention.get("errors"):
            result["contender_errors"] = contention["errors"][:3]
        result["queue_drain_s"] = _queue_drained()
        # The worker took the last seal kick with the rest of the queue: what it has not sealed yet.
        result["unsealed_after_drain"] = AuditEntry.objects.filter(seal_seq__isnull=True).count()
    finally:
        stop.set()
        _stop(server)
        _stop(worker)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument("--contenders", type=int, default=1)
    args = parser.parse_args()

    from ingest import _bench_database

    _bench_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from compliance.models import AuditEntry
    from compliance.services.audit import audit_chain_verify, audit_seal

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--leads", str(args.leads), "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115
    audit_seal()  # the seed's own entries
    browsers = _browsers(args.clients, settings.FLUXO_DEMO_PASSWORD)
    lead_ids = [pk for b in browsers for pk, _stage in b.leads]

    from ingest import _server_env

    # DEBUG off serves pages through the static manifest: build it as a deployment does.
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=_server_env(), check=True
    )
    server = _gunicorn(_server_env(), args.workers, args.threads)
    try:
        for browser in browsers:
            browser.login()
    finally:
        _stop(server)

    report: dict = {
        "machine_cores": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads; Celery worker "
        f"(concurrency {args.worker_concurrency}); {args.contenders} task-like contender(s)",
        "clients": args.clients,
        "clients_by_user": {u: sum(b.username == u for b in browsers) for u in sorted({b.username for b in browsers})},
        "leads_driven": len(lead_ids),
        "request": "GET /leads/<id>/ (audited 360 read) + POST /leads/<id>/stage/ (audited change)",
        "seconds_per_phase": args.seconds,
        "rounds": [],
    }
    for round_index in range(args.rounds):
        order = (True, False) if round_index % 2 == 0 else (False, True)
        phases = {on: _phase(on, browsers, args, lead_ids) for on in order}
        report["rounds"].append(
            {
                "audit_on": phases[True],
                "audit_off": phases[False],
                "ratio": round(phases[True]["requests_per_s"] / phases[False]["requests_per_s"], 3),
            }
        )
    rounds = report["rounds"]
    report["audit_on_median_rps"] = statistics.median(r["audit_on"]["requests_per_s"] for r in rounds)
    report["audit_off_median_rps"] = statistics.median(r["audit_off"]["requests_per_s"] for r in rounds)
    report["ratio_median"] = statistics.median(r["ratio"] for r in rounds)
    report["deadlocks_total"] = sum(r[p]["deadlocks"] for r in rounds for p in ("audit_on", "audit_off"))
    report["server_errors_5xx_total"] = sum(
        count
        for r in rounds
        for p in ("audit_on", "audit_off")
        for status, count in r[p]["statuses"].items()
        if status.startswith("5")
    )
    started = time.perf_counter()
    sealed_now = audit_seal()
    seal_seconds = time.perf_counter() - started
    verify = audit_chain_verify()
    report["after"] = {
        "sealed_by_final_audit_seal": sealed_now,
        "final_seal_seconds": round(seal_seconds, 2),
        "entries": AuditEntry.objects.count(),
        "audit_verify_ok": verify.ok,
        "audit_verify": {k: v for k, v in verify.as_dict().items() if k != "gaps"},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
