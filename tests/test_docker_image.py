"""Issue #22: the Docker image warms the trained opt-out model at build time, as ``make run`` does (config/run.py runs
``manage.py optout_check --warm`` before the workers start), so the first inbound WhatsApp message is not the one that
trains it. The build step is run here as the Dockerfile writes it (its throwaway settings, no database or Redis behind
them), and docker-compose.yml is checked to leave the baked model where every container finds it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped: (keyword, arguments)."""
    text = (BASE_DIR / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _sep, rest = line.strip().partition(" ")
            result.append((keyword.upper(), " ".join(rest.split())))
    return result


def _warm_step() -> tuple[int, str]:
    steps = [(i, args) for i, (keyword, args) in enumerate(_instructions()) if keyword == "RUN" and "--warm" in args]
    assert len(steps) == 1, "the Dockerfile must warm the opt-out model in one RUN step"
    return steps[0]


def test_the_image_warms_the_opt_out_model_before_it_drops_to_the_app_user():
    index, run = _warm_step()
    commands = [c.strip() for c in run.split("&&")]
    assert "python manage.py optout_check --warm" in commands
    keywords = _instructions()
    user_at = next(i for i, (keyword, args) in enumerate(keywords) if keyword == "USER" and args == "fluxo")
    copy_at = max(i for i, (keyword, args) in enumerate(keywords) if keyword == "COPY")
    assert copy_at < index < user_at  # the whole app is in place, and the model is written before the app user runs
    warm_at = commands.index("python manage.py optout_check --warm")
    chown = next(i for i, c in enumerate(commands) if c.startswith("chown") and "/app/.data" in c)
    assert warm_at < chown  # the model directory then belongs to the user the workers run as
    assert not any(k == "ENV" and "OPTOUT_MODEL_DIR" in a for k, a in keywords)  # the default: /app/.data/models


def test_the_build_step_trains_and_stores_the_model_without_services(tmp_path):
    """The RUN step's own settings (throwaway database and Redis URLs nobody answers for) are enough: the model is
    trained and written; a later process (a worker starting) loads that file instead of training."""
    _index, run = _warm_step()
    exports = next(c for c in (c.strip() for c in run.split("&&")) if c.startswith("export "))
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    env.update(dict(pair.split("=", 1) for pair in shlex.split(exports)[1:]))
    env["OPTOUT_MODEL_DIR"] = str(tmp_path)  # where /app/.data/models is in the image
    warm = subprocess.run(
        [sys.executable, "manage.py", "optout_check", "--warm"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # a deadline, not a speed: training on a busy machine
    )
    assert warm.returncode == 0, warm.stderr[-2000:]
    version, *second = warm.stdout.strip().splitlines()[-1].split()  # the classifier, then the second opinion
    assert (tmp_path / f"{version}.pickle").is_file()
    assert all((tmp_path / f"{name}.json").is_file() for name in second)

    check = (
        "import django; django.setup(); from compliance import optout; "
        f"print(optout._model_stored({version!r}) is not None)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", check],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(BASE_DIR)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert loaded.stdout.strip().endswith("True"), loaded.stderr[-2000:]


def test_compose_runs_the_built_image_and_keeps_the_model_where_it_was_baked():
    """docker-compose.yml builds this Dockerfile for every app service and neither moves OPTOUT_MODEL_DIR nor mounts
    a volume over /app/.data (which would hide the baked model and send each worker back to training)."""
    compose = (BASE_DIR / "docker-compose.yml").read_text()
    assert re.search(r"^\s+build: \.$", compose, re.M)
    assert "OPTOUT_MODEL_DIR" not in compose
    assert not re.search(r"^\s+- [^\n]*:/app(/\.data)?(/|:|$)", compose, re.M)
