"""The prompt library: choose the active variant of a key, assemble its inherited system text, render its
variables after checking them against the prompt's variables schema."""

from __future__ import annotations

import hashlib
import json
import random
import string

from django.utils.translation import gettext as _

from .errors import PromptError
from .models import Prompt

_TYPES = {"string": str, "number": (int, float), "integer": int, "array": list, "object": dict}


def prompt_active(key: str, *, seed: object = None) -> Prompt:
    """One active row of ``key``, drawn by weight. With a seed (a lead id) the draw is stable, so one lead keeps
    seeing one variant and the comparison between variants stays clean."""
    rows = list(Prompt.objects.filter(key=key, is_active=True).select_related("parent").order_by("version", "variant"))
    rows = [row for row in rows if row.weight > 0]
    if not rows:
        raise PromptError(_("No active prompt “%(key)s”: activate one in the admin (AI → prompts).") % {"key": key})
    total = sum(row.weight for row in rows)
    if seed is None:
        point = random.uniform(0, total)
    else:
        digest = hashlib.sha256(f"{key}:{seed}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") / 2**64 * total
    for row in rows:
        point -= row.weight
        if point < 0:
            return row
    return rows[-1]


def prompt_system(prompt: Prompt) -> str:
    """The system instructions: the root ancestor's first, this prompt's last (a stable prefix for caching)."""
    chain, seen, node = [], set(), prompt
    while node is not None:
        if node.pk in seen:
            raise PromptError(_("Prompt %(label)s inherits from itself.") % {"label": prompt.label})
        seen.add(node.pk)
        chain.append(node)
        node = node.parent
    return "\n\n".join(part.system.strip() for part in reversed(chain) if part.system.strip())


def prompt_variables_check(prompt: Prompt, variables: dict) -> None:
    schema = prompt.variables or {}
    used = {name for _text, name, _spec, _conv in string.Formatter().parse(prompt.template) if name}
    undeclared = used - set(schema)
    if undeclared:
        raise PromptError(
            _("Prompt %(label)s uses variables its schema does not declare: %(names)s.")
            % {"label": prompt.label, "names": ", ".join(sorted(undeclared))}
        )
    problems = []
    for name, spec in schema.items():
        if name not in variables or variables[name] is None:
            if spec.get("required", True):
                problems.append(_("%(name)s is missing") % {"name": name})
            continue
        expected = _TYPES.get(spec.get("type", "string"))
        if expected and not isinstance(variables[name], expected):
            problems.append(_("%(name)s must be %(type)s") % {"name": name, "type": spec.get("type")})
    if problems:
        raise PromptError(
            _("Prompt %(label)s: %(problems)s.") % {"label": prompt.label, "problems": "; ".join(problems)}
        )


def _as_text(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def prompt_messages(prompt: Prompt, variables: dict) -> list[dict]:
    """Chat messages: the inherited system text (identical across calls: providers cache it) then the rendered
    user message with this call's variables."""
    prompt_variables_check(prompt, variables)
    rendered = prompt.template.format_map({name: _as_text(variables.get(name)) for name in prompt.variables or {}})
    return [{"role": "system", "content": prompt_system(prompt)}, {"role": "user", "content": rendered}]
