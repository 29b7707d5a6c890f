"""WhatsApp webhook receiver benchmark: prints one JSON object. Not a test; run by hand.

    .venv/bin/python bench/webhooks.py [--events 10000] [--rounds 5] [--connections 64] [--rate 500] [--seconds 10]

Both receivers run under the same gunicorn (gthread) configuration on loopback, side by side in one run:
- ``fluxo``: config.wsgi (signature check, INSERT into PostgreSQL, drain kick) with DEBUG off;
- ``bare``: bench/bare_receiver.py (signature check, LPUSH of the body to Redis) — the yardstick.
Steps: (1) max throughput of each with ``--connections`` keep-alive clients posting unique signed events
(statuses and inbound messages shaped like Meta's); (2) Fluxo's latency, then the bare one's, at ``--rate`` for
``--seconds``, open loop (measured from each request's scheduled time, so queueing counts); (3) no Celery worker ran
during the bursts: count the pending events, start a worker, and time until every stored event is processed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
SECRET = "bench-app-secret"
NUMBER_ID = "109000000000001"
WABA_ID = "109000000000000"
WARM = 2000


def _server(app: str, port: int, env: dict, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
        app,
        "-k",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--backlog",
        "2048",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)
    deadline = time.time() + 30
    import socket

    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.2)
    raise SystemExit(f"{app} did not start on {port}")


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def _requests(bodies: list[bytes], port: int) -> list[bytes]:
    from common.meta import meta_signature

    return [
        (
            f"POST /webhooks/whatsapp/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"X-Hub-Signature-256: {meta_signature(body=body, app_secret=SECRET)}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for body in bodies
    ]


async def _exchange(reader, writer, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    if length:
        await reader.readexactly(length)
    return status


async def _closed_loop(port: int, requests: list[bytes], connections: int) -> dict:
    queue = list(reversed(requests))
    statuses: dict[int, int] = {}

    async def client():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            status = await _exchange(reader, writer, queue.pop())
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    seconds = time.perf_counter() - started
    return {
        "events": len(requests),
        "seconds": round(seconds, 2),
        "events_per_s": round(len(requests) / seconds),
        "statuses": statuses,
    }


async def _open_loop(port: int, requests: list[bytes], rate: float, connections: int) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    started = time.perf_counter()

    async def one(index: int, request: bytes):
        scheduled = started + index / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        reader, writer = await pool.get()
        status = await _exchange(reader, writer, request)
        latencies.append(time.perf_counter() - scheduled)
        statuses[status] = statuses.get(status, 0) + 1
        pool.put_nowait((reader, writer))

    await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
    latencies.sort()
    return {
        "rate_per_s": rate,
        "events": len(requests),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2),
        "statuses": statuses,
    }


def _dataset(count: int, wamids: list[str], rng: random.Random) -> list[bytes]:
    """60% statuses of known outbound messages (sent/delivered/read), 40% inbound texts from 3,000 people."""
    from whatsapp.simulator import GraphSimulator

    simulator = GraphSimulator(app_secret=SECRET)
    simulator.number_add(NUMBER_ID, "+5511955550000", WABA_ID)
    bodies = []
    for _index in range(count):
        if rng.random() < 0.6:
            wamid = rng.choice(wamids)
            status = rng.choice(("sent", "delivered", "read"))
            bodies.append(simulator.status_notification(NUMBER_ID, "5511987650000", wamid, status))
        else:
            contact = f"55119{rng.randrange(70000000, 70003000)}"
            text = rng.choice(("Oi", "Tenho interesse", "Qual o valor?", "Pode me ligar amanhã?"))
            bodies.append(simulator.inbound_notification(NUMBER_ID, contact, {"type": "text", "text": {"body": text}}))
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10000, help="events per receiver per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-drain", action="store_true", help="stop after the HTTP measurements")
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()

    from ingest import _bench_database, _server_env

    _bench_database()
    os.environ["WHATSAPP_APP_SECRET"] = SECRET
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from whatsapp.models import BusinessAccount, Message, PhoneNumber, WebhookEvent

    with connection.cursor() as cursor:  # a clean slate for the gateway tables of the bench database
        cursor.execute(
            "TRUNCATE whatsapp_webhookevent, whatsapp_message, whatsapp_servicewindow RESTART IDENTITY CASCADE"
        )
    account, _ = BusinessAccount.objects.get_or_create(waba_id=WABA_ID, defaults={"name": "bench", "access_token": "t"})
    number, _ = PhoneNumber.objects.get_or_create(
        phone_number_id=NUMBER_ID, defaults={"account": account, "display_number": "+5511955550000"}
    )
    rng = random.Random(11)
    wamids = [f"wamid.BENCH{i:08d}" for i in range(10000)]
    Message.objects.bulk_create(
        [
            Message(number=number, contact="+5511987650000", direction="out", wamid=w, kind="text", status="sent")
            for w in wamids
        ],
        batch_size=2000,
    )

    env = _server_env(WHATSAPP_APP_SECRET=SECRET)
    total = WARM + args.rounds * args.events * 2 + int(args.rate * args.seconds)
    bodies = _dataset(total, wamids, rng)
    fluxo_port, bare_port = 8791, 8792
    report: dict = {
        "machine_cores": os.cpu_count(),
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads, keep-alive",
        "connections": args.connections,
    }

    bare = _server(
        "bare_receiver:application",
        bare_port,
        {**env, "PYTHONPATH": str(BASE_DIR / "bench")},
        args.workers,
        args.threads,
    )
    fluxo = _server("config.wsgi:application", fluxo_port, env, args.workers, args.threads)
    try:
        # Warm both with the same concurrency as the measured runs (threads, connections, first batches).
        asyncio.run(_closed_loop(fluxo_port, _requests(bodies[:WARM], fluxo_port), args.connections))
        asyncio.run(_closed_loop(bare_port, _requests(bodies[:WARM], bare_port), args.connections))
        # Latency at a steady rate first, on the warmed server (after the bursts it would also measure the database
        # digesting them: autovacuum and checkpoints on the same two cores).
        steady = bodies[-int(args.rate * args.seconds) :]
        report["fluxo_at_rate"] = asyncio.run(
            _open_loop(fluxo_port, _requests(steady, fluxo_port), args.rate, args.connections)
        )
        # The same for the bare receiver, for scale: a stall of the machine (the database's disk, the host) shows
        # in both; what only Fluxo shows is Fluxo's.
        report["bare_at_rate"] = asyncio.run(
            _open_loop(bare_port, _requests(steady, bare_port), args.rate, args.connections)
        )
        # Alternate the two receivers for a few rounds: on a 2-core machine one run's noise is larger than the gap.
        offset, rounds = WARM, []
        for _round in range(args.rounds):
            bare_part, fluxo_part = (
                bodies[offset : offset + args.events],
                bodies[offset + args.events : offset + 2 * args.events],
            )
            offset += 2 * args.events
            bare_run = asyncio.run(_closed_loop(bare_port, _requests(bare_part, bare_port), args.connections))
            fluxo_run = asyncio.run(_closed_loop(fluxo_port, _requests(fluxo_part, fluxo_port), args.connections))
            rounds.append((bare_run, fluxo_run))
        report["rounds"] = [
            {
                "bare_per_s": b["events_per_s"],
                "fluxo_per_s": f["events_per_s"],
                "ratio": round(f["events_per_s"] / b["events_per_s"], 3),
                "fluxo_statuses": f["statuses"],
            }
            for b, f in rounds
        ]
        report["bare_median_per_s"] = statistics.median(b["events_per_s"] for b, _f in rounds)
        report["fluxo_median_per_s"] = statistics.median(f["events_per_s"] for _b, f in rounds)
        report["fluxo_vs_bare_median"] = statistics.median(r["ratio"] for r in report["rounds"])
    finally:
        _stop(fluxo)
        _stop(bare)
        import redis

        redis.Redis.from_url(settings.REDIS_URL).delete("bench:bare")

    if args.skip_drain:
        print(json.dumps(report, indent=2))
        return
    accepted = (
        sum(f["statuses"].get(200, 0) for _b, f in rounds) + report["fluxo_at_rate"]["statuses"].get(200, 0) + WARM
    )
    stored = WebhookEvent.objects.count()
    pending = WebhookEvent.objects.filter(status="pending").count()
    worker = subprocess.Popen(
        [
            str(BASE_DIR / ".venv" / "bin" / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency=2",
            "--loglevel=WARNING",
            "-Q",
            "celery,inbound",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started = time.perf_counter()
    try:
        from whatsapp.tasks import webhook_events_drain_task

        webhook_events_drain_task.delay()  # what beat would do within a minute
        while WebhookEvent.objects.filter(status="pending").exists() and time.perf_counter() - started < 600:
            time.sleep(1)
    finally:
        _stop(worker)
    seconds = time.perf_counter() - started
    report["worker_down_during_bursts"] = {
        "accepted_200": accepted,
        "stored": stored,
        "pending_before_worker": pending,
        "processed": WebhookEvent.objects.filter(status="done").count(),
        "still_pending": WebhookEvent.objects.filter(status="pending").count(),
        "failed": WebhookEvent.objects.filter(status="failed").count(),
        "drain_seconds": round(seconds, 1),
        "drain_events_per_s": round(stored / seconds),
        "inbound_messages": Message.objects.filter(direction="in").count(),
        "statuses_applied": Message.objects.filter(direction="out").exclude(status="sent").count(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
