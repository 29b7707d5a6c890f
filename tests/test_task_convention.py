"""Issue #22, "one way for services and tasks to meet": services queue a task by its Celery name through
``common.tasks.task_send``/``task_send_on_commit``; no product module imports a ``tasks`` module inside a function
to dodge a cycle. A name that no task is registered under would only fail in a worker's log, so it fails here."""

from __future__ import annotations

import ast
from pathlib import Path

from config.celery import app

BASE_DIR = Path(__file__).resolve().parents[1]
APPS = ("common", "compliance", "whatsapp", "antiban", "leads", "ai_middleware", "qualification", "assignment")


def _product_files():
    for app_name in APPS:
        for path in sorted((BASE_DIR / app_name).rglob("*.py")):
            relative = path.relative_to(BASE_DIR)
            if not {"migrations", "tests"} & set(relative.parts) and relative.as_posix() != "common/tasks.py":
                yield path


def _task_names_sent() -> dict[str, list[str]]:
    sent: dict[str, list[str]] = {}
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("task_send", "task_send_on_commit")
            ):
                first = node.args[0] if node.args else None
                where = f"{path.relative_to(BASE_DIR)}:{node.lineno}"
                name = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
                sent.setdefault(name or f"<not a literal at {where}>", []).append(where)
    return sent


def test_every_task_sent_by_name_is_registered():
    app.loader.import_default_modules()
    sent = _task_names_sent()
    assert len(sent) >= 10  # the scan found the call sites (it would pass vacuously on a broken scan)
    unknown = {name: where for name, where in sent.items() if name not in app.tasks}
    assert unknown == {}


def test_no_product_module_imports_tasks_inside_a_function():
    found = []
    for path in _product_files():
        for func in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "tasks") or (
                    isinstance(node, ast.ImportFrom) and any(alias.name == "tasks" for alias in node.names)
                ):
                    found.append(f"{path.relative_to(BASE_DIR)}:{node.lineno}")
    assert found == []
