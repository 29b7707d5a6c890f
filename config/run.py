"""``make run``: PostgreSQL and Redis (embedded unless configured), migrations, demo data, then web + worker
+ beat together under honcho. Ctrl-C stops all three, and the embedded servers if this run started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from config import embedded

BASE_DIR = Path(__file__).resolve().parent.parent


def _interrupted(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    env = os.environ.copy()
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    started_here = False
    env.setdefault("WHATSAPP_BACKEND", "simulator")  # the demo sends and receives with no Meta account
    if any(embedded.wanted().values()):
        was_up = embedded._port_open(embedded.PG_PORT) and embedded._port_open(embedded.REDIS_PORT)
        print("Starting the embedded PostgreSQL and Redis under .data/ …", flush=True)
        # The children (migrate, seed, honcho's web, workers and beat) get the URLs: none of them starts a server.
        env.update(embedded.ensure_for_environment())
        started_here = not was_up

    def manage(*args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)

    try:
        manage("migrate", "--noinput")
        manage("seed_demo", "--history", "1500")
        # Demo timelines are written in bulk (no signals): queue their AI reading for the ai worker (the closed history
        # of two years ago keeps the profile it was read with). Idempotent: later runs find nothing left to read.
        manage("ai_backfill", "--days", "200")
        # Score every lead, learn from the history (the model serves only if it beats the rules), find the segments
        # and count each consultant's load, so the roulette starts from the truth.
        manage("score_leads", "--open")
        subprocess.run([sys.executable, "manage.py", "train_lead_model"], cwd=BASE_DIR, env=env, check=False)
        subprocess.run([sys.executable, "manage.py", "segment_leads"], cwd=BASE_DIR, env=env, check=False)
        manage("reconcile_assignment")
        # Train the opt-out classifier once and keep it on disk: every worker loads it at start instead of training
        # it (minutes on a busy CPU) while the first inbound messages wait for the inbound worker.
        manage("optout_check", "--warm")
        address = f"http://{env.get('FLUXO_HOST', '127.0.0.1')}:{env.get('FLUXO_PORT', '8000')}"
        print(f"\nFluxo is starting at {address} — press Ctrl-C to stop.\n", flush=True)
        honcho = subprocess.Popen([os.path.join(bin_dir, "honcho"), "start", "-f", "Procfile"], cwd=BASE_DIR, env=env)
        # A SIGTERM (a service manager, `kill`) stops everything as Ctrl-C does: without this handler Python died at
        # once and left honcho's web, workers, beat and simulator running in their own process groups (user test).
        signal.signal(signal.SIGTERM, _interrupted)
        signal.signal(signal.SIGHUP, _interrupted)
        try:
            return honcho.wait()
        except KeyboardInterrupt:
            honcho.send_signal(signal.SIGINT)
            return honcho.wait()
    finally:
        if started_here:
            print("Stopping the embedded PostgreSQL and Redis …", flush=True)
            embedded.stop()


if __name__ == "__main__":
    sys.exit(main())
