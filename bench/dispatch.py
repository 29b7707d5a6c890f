"""Outbound pipeline benchmark against the WhatsApp simulator: prints one JSON object. Not a test; run by hand.

    .venv/bin/python bench/dispatch.py [--numbers 3] [--seconds 60] [--workers 4] [--chaos 10000] [--skip-speed]
        [--stretch 20000]

Everything real: PostgreSQL, Redis, Celery prefork workers (``--workers``) running ``antiban.outbox_dispatch``,
the simulator (a separate process speaking the Cloud API, refusing over 80 msg/s per number with 130429 and
counting what it accepted), Fluxo's webhook receiver under gunicorn and Celery beat for the sweeper.

1. speed: ``numbers`` × 80 msg/s × (``seconds`` + 15 s) utility template sends enqueued, then dispatched. Per number:
   messages accepted by the simulator in the first ``seconds`` after the first one, the most in any one-second
   window (by the simulator's clock), and the 130429 answers it gave (overshoot).
2. chaos: ``--chaos`` messages while worker processes are killed with SIGKILL at random moments and Redis is
   restarted once; 2% of sends are refused by the simulator with 130429/131056 regardless. At the end: rows not in a
   final state (lost), opaque ids the simulator accepted twice (duplicates), UNKNOWN rows (Meta's status never came
   back because the process died before the HTTP call reached it) reported apart.
3. stretch (``--stretch N``, off by default): one number at Meta's upgraded 1,000 msg/s, the others off; N messages
   sent as fast as the pipeline goes: msg/s from the first accepted to the last, the most in any 1-s window, 130429s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
SECRET = "bench-app-secret"
TOKEN = "bench-token"
WABA_ID = "209000000000000"
SIM_PORT, WEB_PORT = 8796, 8797
VENV = BASE_DIR / ".venv" / "bin"


def _simulator_command(
    *, duplicates: str, statuses: str, extra=(), webhook_url: str = "", throughput: int = 80
) -> list[str]:
    """The simulator as a separate process: Meta's 80 msg/s per number and 6 s per person, no customer replies."""
    command = [str(VENV / "python"), "manage.py", "whatsapp_simulator", "--port", str(SIM_PORT)]
    command += ["--throughput", str(throughput), "--pair-interval", "6", "--shuffle", "0", "--auto-reply", "0"]
    command += ["--duplicates", duplicates, "--statuses", statuses, *extra]
    return [*command, "--webhook-url", webhook_url] if webhook_url else command


def _worker_command(workers: int) -> list[str]:
    """Celery prefork workers, as the Procfile runs them (no heartbeats or gossip: one machine)."""
    celery = [str(VENV / "celery"), "-A", "config", "worker", "-c", str(workers), "-P", "prefork", "-l", "warning"]
    return [*celery, "--without-heartbeat", "--without-mingle", "--without-gossip"]


def _wait_port(port: int, what: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start on {port}")


def _spawn(command: list[str], env: dict, log: str) -> subprocess.Popen:
    out = open(BASE_DIR / ".data" / f"bench-{log}.log", "w")  # noqa: SIM115 — closed with the process
    return subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def _sim(path: str, method: str = "GET") -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{SIM_PORT}{path}", method=method, data=b"" if method == "POST" else None
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _pool_children(master: subprocess.Popen) -> list[int]:
    """The prefork pool's processes (children of the Celery master)."""
    try:
        out = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return []
    return [int(pid) for pid in out.split()]


def _redis_restart(url: str) -> None:
    import redis

    from config import embedded

    port = redis.connection.parse_url(url).get("port", 6379)
    with contextlib.suppress(redis.exceptions.ConnectionError):  # the shutdown closes the connection under us
        redis.Redis.from_url(url).shutdown(nosave=True)
    time.sleep(1.0)
    if port == embedded.REDIS_PORT:
        embedded.ensure_running(postgres=False, redis=True)
    else:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
    _wait_port(port, "redis")


def _setup(args) -> tuple[dict, list]:
    """Bench database, clean outbound tables, one account with ``--numbers`` numbers and a utility template."""
    from ingest import _bench_database, _server_env

    _bench_database()
    import django

    os.environ.update(
        WHATSAPP_APP_SECRET=SECRET,
        ANTIBAN_WARMUP_NEW_NUMBERS="false",
        ANTIBAN_CONTACT_HOURS="00:00,00:00",  # the bench measures speed whenever it runs
        ANTIBAN_CONTACT_DAYS="0,1,2,3,4,5,6",
        ANTIBAN_SKIP_HOLIDAYS="false",
    )
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE antiban_outboxmessage, antiban_numberstate, antiban_incident, antiban_bulksend, "
            "whatsapp_webhookevent, whatsapp_message, whatsapp_servicewindow, whatsapp_template, "
            "whatsapp_phonenumber, whatsapp_businessaccount RESTART IDENTITY CASCADE"
        )
    from whatsapp.models import BusinessAccount, PhoneNumber, Template

    account = BusinessAccount.objects.create(name="bench", waba_id=WABA_ID, access_token=TOKEN)
    numbers = [
        PhoneNumber.objects.create(
            account=account,
            phone_number_id=f"20900000000{index:04d}",
            display_number=f"+55119555{index:05d}",
            throughput_mps=80,
            quality_rating="GREEN",
        )
        for index in range(args.numbers)
    ]
    Template.objects.create(
        account=account,
        name="bench_aviso",
        language="pt_BR",
        category="UTILITY",
        status="APPROVED",
        components=[{"type": "BODY", "text": "Olá {{1}}, sua visita está confirmada."}],
    )
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    env = _server_env(
        WHATSAPP_BACKEND="simulator",
        WHATSAPP_GRAPH_URL=f"http://127.0.0.1:{SIM_PORT}",
        WHATSAPP_APP_SECRET=SECRET,
        ANTIBAN_DISPATCHERS=str(args.workers),
    )
    return env, numbers


def _enqueue(count: int, seed: int) -> float:
    """``count`` utility template sends to distinct people, through outbox_enqueue (filters and decision log)."""
    from django.db import transaction

    from antiban.models import Priority
    from antiban.services import outbox_enqueue
    from whatsapp import payloads
    from whatsapp.models import Template

    template = Template.objects.get(name="bench_aviso")
    started = time.perf_counter()
    for start in range(0, count, 500):
        with transaction.atomic():
            for index in range(start, min(count, start + 500)):
                contact = f"+55{11 + seed % 80}9{(seed * 10_000_000 + index) % 100_000_000:08d}"
                payload = payloads.template_payload(
                    contact,
                    name=template.name,
                    language=template.language,
                    components=template.components,
                    params={"body": ["Cliente"]},
                )
                outbox_enqueue(
                    contact=contact,
                    priority=Priority.UTILITY,
                    payload=payload,
                    text="Olá Cliente, sua visita está confirmada.",
                    template_name=template.name,
                    campaign=f"bench-{seed}",
                    kick=False,
                )
    return time.perf_counter() - started


def _states(campaign: str) -> dict:
    from django.db.models import Count

    from antiban.models import OutboxMessage

    return dict(
        OutboxMessage.objects.filter(campaign=campaign)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )


def _kick(count: int) -> None:
    from antiban.tasks import outbox_dispatch_task

    for _ in range(count):
        outbox_dispatch_task.delay()


def _send_all(args, env, campaign: str, *, throughput: int, log: str, patience: float) -> dict:
    """Start the simulator (no status webhooks) and ``--workers`` workers, send every queued row of ``campaign``
    (or give up after ``patience`` seconds), stop both; the simulator's stats."""
    sim = _spawn(_simulator_command(duplicates="0", statuses="", throughput=throughput), env, f"simulator{log}")
    worker = None
    try:
        _wait_port(SIM_PORT, "simulator")
        _sim("/_simulator/stats/reset", "POST")
        worker = _spawn(_worker_command(args.workers), env, f"worker{log}")
        time.sleep(4)
        _kick(args.workers)
        deadline = time.time() + patience
        while time.time() < deadline:
            states = _states(campaign)
            if states.get("queued", 0) + states.get("sending", 0) == 0:
                break
            time.sleep(1)
        return _sim("/_simulator/stats")
    finally:
        _stop(worker)
        _stop(sim)


def _speed(args, env, numbers) -> dict:
    per_number = 80
    count = args.numbers * per_number * (args.seconds + 15)
    enqueue_s = _enqueue(count, seed=1)
    stats = _send_all(args, env, "bench-1", throughput=80, log="", patience=args.seconds * 3 + 60)
    report = {"enqueued": count, "enqueue_per_s": round(count / enqueue_s), "final_states": _states("bench-1")}
    rates = []
    for number in numbers:
        times = stats["numbers"].get(number.phone_number_id, {}).get("times", [])
        first = times[0] if times else 0
        in_window = sum(1 for t in times if t < first + args.seconds)
        rates.append(in_window / args.seconds)
        # how long a number took for 80 consecutive sends: 1,000 ms is the limit's floor, the rest is latency
        spans = sorted(b - a for a, b in zip(times, times[80:], strict=False)) or [0.0]
        report[number.display_number] = {
            "accepted": len(times),
            "msg_per_s_over_window": round(in_window / args.seconds, 2),
            "max_in_any_1s": stats["numbers"].get(number.phone_number_id, {}).get("max_in_1s", 0),
            "ms_per_80_sends_p50": round(spans[len(spans) // 2] * 1000, 1),
            "ms_per_80_sends_p90": round(spans[len(spans) * 9 // 10] * 1000, 1),
            "ms_per_80_sends_p99": round(spans[len(spans) * 99 // 100] * 1000, 1),
        }
    report["total_msg_per_s"] = round(sum(rates), 1)
    report["min_number_msg_per_s"] = round(min(rates), 2)
    report["overshoot_130429"] = stats["refused"].get("130429", 0)
    report["pair_131056"] = stats["refused"].get("131056", 0)
    report["duplicates"] = stats["duplicates"]
    return report


def _stretch(args, env, numbers) -> dict:
    """One number upgraded to Meta's 1,000 msg/s (the simulator enforcing 1,000), the others switched off:
    ``--stretch`` messages sent as fast as the pipeline can, from ``--workers`` workers."""
    from whatsapp.models import PhoneNumber

    rate = 1000
    PhoneNumber.objects.filter(pk=numbers[0].pk).update(throughput_mps=rate)
    PhoneNumber.objects.exclude(pk=numbers[0].pk).update(is_active=False)
    _enqueue(args.stretch, seed=3)
    try:
        stats = _send_all(args, env, "bench-3", throughput=rate, log="-stretch", patience=600)
    finally:
        PhoneNumber.objects.filter(pk=numbers[0].pk).update(throughput_mps=80)
        PhoneNumber.objects.update(is_active=True)
    mine = stats["numbers"].get(numbers[0].phone_number_id, {})
    times = mine.get("times", [])
    seconds = (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {
        "configured_msg_per_s": rate,
        "messages": args.stretch,
        "final_states": _states("bench-3"),
        "accepted": len(times),
        "seconds_first_to_last": round(seconds, 2),
        "msg_per_s": round((len(times) - 1) / seconds, 1) if seconds else 0.0,
        "max_in_any_1s": mine.get("max_in_1s", 0),
        "overshoot_130429": stats["refused"].get("130429", 0),
        "duplicates": stats["duplicates"],
    }


def _chaos(args, env) -> dict:
    from django.conf import settings

    from antiban.models import OutboxMessage

    count = args.chaos
    _enqueue(count, seed=2)
    chaos_env = {**env, "ANTIBAN_SENDING_TIMEOUT_S": "15", "ANTIBAN_SWEEP_S": "5", "ANTIBAN_DISPATCH_SLICE_S": "10"}
    sim = _spawn(
        _simulator_command(
            duplicates="0.05",
            statuses="sent",
            extra=["--inject-limits", "0.02", "--status-delay", "0.2"],
            webhook_url=f"http://127.0.0.1:{WEB_PORT}/webhooks/whatsapp/",
        ),
        chaos_env,
        "simulator-chaos",
    )
    web = worker = beat = None
    kills, restarts = 0, 0
    try:
        _wait_port(SIM_PORT, "simulator")
        _sim("/_simulator/stats/reset", "POST")
        web = _spawn(
            [
                str(VENV / "gunicorn"),
                "config.wsgi:application",
                "-k",
                "gthread",
                "--workers",
                "1",
                "--threads",
                "16",
                "-b",
                f"127.0.0.1:{WEB_PORT}",
                "--log-level",
                "warning",
            ],
            chaos_env,
            "web",
        )
        _wait_port(WEB_PORT, "web")
        worker = _spawn(
            _worker_command(args.workers),
            chaos_env,
            "worker-chaos",
        )
        beat = _spawn(
            [
                str(VENV / "celery"),
                "-A",
                "config",
                "beat",
                "-l",
                "warning",
                "-s",
                str(BASE_DIR / ".data" / "bench-beat"),
            ],
            chaos_env,
            "beat",
        )
        time.sleep(4)
        _kick(args.workers)
        rng = random.Random(5)
        started = time.time()
        next_kill = started + rng.uniform(2, 5)
        restart_at_share = 0.4
        deadline = started + 600
        while time.time() < deadline:
            states = _states("bench-2")
            pending = states.get("queued", 0) + states.get("sending", 0)
            if pending == 0:
                break
            done_share = 1 - pending / count
            if time.time() >= next_kill and done_share < 0.9:
                children = _pool_children(worker)
                if children:
                    os.kill(rng.choice(children), signal.SIGKILL)
                    kills += 1
                next_kill = time.time() + rng.uniform(2, 6)
            if not restarts and done_share >= restart_at_share:
                _redis_restart(settings.REDIS_URL)
                restarts += 1
            time.sleep(0.5)
        time.sleep(5)  # the last status webhooks reconcile what they can
        seconds = round(time.time() - started, 1)
        stats = _sim("/_simulator/stats")
    finally:
        for process in (beat, worker, web, sim):
            _stop(process)
    states = _states("bench-2")
    final = states.get("sent", 0) + states.get("failed", 0) + states.get("refused", 0)
    retried = OutboxMessage.objects.filter(campaign="bench-2", attempts__gt=1).count()
    return {
        "messages": count,
        "seconds": seconds,
        "worker_kills": kills,
        "redis_restarts": restarts,
        "final_states": states,
        "lost": count - final - states.get("unknown", 0),
        "unknown": states.get("unknown", 0),
        "duplicates": stats["duplicates"],
        "simulator_accepted": sum(n["accepted"] for n in stats["numbers"].values()),
        "injected_or_limit_refusals": stats["refused"],
        "rows_retried": retried,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--numbers", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--chaos", type=int, default=10000, help="messages in the chaos run (0: skip)")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--stretch", type=int, default=0, help="messages for one number at 1,000 msg/s (0: skip)")
    args = parser.parse_args()
    (BASE_DIR / ".data").mkdir(exist_ok=True)
    env, numbers = _setup(args)
    report: dict = {"machine_cores": os.cpu_count(), "workers": args.workers, "numbers": args.numbers}
    if not args.skip_speed:
        report["speed"] = _speed(args, env, numbers)
    if args.chaos:
        report["chaos"] = _chaos(args, env)
    if args.stretch:
        report["stretch"] = _stretch(args, env, numbers)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
