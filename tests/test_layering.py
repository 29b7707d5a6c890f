"""docs: ARCHITECTURE.md, "Dependencies point down the map. An app uses another only through that app's `services`
(writes) and `selectors` (reads) — never its models' managers." Issue #22: no app module imports another app's
``models`` (its migrations and tests aside); labels and choices of another app come from its selectors."""

from __future__ import annotations

import ast
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
APPS = (
    "integrations",
    "analytics",
    "campaigns",
    "cases",
    "receivables",
    "conversations",
    "assignment",
    "qualification",
    "ai_middleware",
    "leads",
    "antiban",
    "mailbox",
    "whatsapp",
    "compliance",
    "common",
)


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []


def _reaches_into_other_apps_models() -> list[str]:
    found = []
    for app in APPS:
        folder = BASE_DIR / app
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(BASE_DIR)
            if {"migrations", "tests"} & set(relative.parts):
                continue
            for line, module, names in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
                parts = module.split(".")
                if parts[0] in APPS and parts[0] != app and parts[1:2] == ["models"]:
                    found.append(f"{relative}:{line} imports {module} {names}")
                elif parts[0] in APPS and parts[0] != app and len(parts) == 1 and "models" in names:
                    found.append(f"{relative}:{line} imports {module}.models")
    return found


def test_no_app_reaches_into_another_apps_models():
    assert _reaches_into_other_apps_models() == []
