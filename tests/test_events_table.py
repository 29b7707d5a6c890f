"""Issue #22 item 5: "One place lists every domain signal, who sends it and who listens" — docs/events.md is
generated from the code (``python manage.py events_table``); this test regenerates it and fails when it drifted."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command


def test_docs_events_md_is_what_the_code_says():
    out = StringIO()
    call_command("events_table", "--stdout", stdout=out)
    committed = (Path(settings.BASE_DIR) / "docs" / "events.md").read_text(encoding="utf-8")
    assert out.getvalue() == committed, (
        "docs/events.md is stale: a signal, its sender or its receivers changed. Run `python manage.py events_table`"
        " and commit docs/events.md."
    )


def test_every_domain_signal_lives_in_its_apps_signals_module_and_says_what_happened():
    import ast

    from common.events import _product_files, domain_signals

    assert all(s.comment for s in domain_signals()), "each Signal() needs the comment above it: what, kwargs, when"
    stray = []
    for module, path in _product_files():
        if module.endswith(".signals"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Signal":
                stray.append(f"{module}:{node.lineno}")
    assert stray == [], f"domain signals outside their app's signals.py: {stray}"
