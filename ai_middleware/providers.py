"""Providers: the local engine and any OpenAI-compatible endpoint through the official ``openai`` SDK.

A provider answers chat messages with text plus token usage; the engine manager (``engine.py``) decides which one
to ask, validates, repairs, caches and records. Providers are configured from settings (``AI_LLM_*``,
``AI_FALLBACK_*``) under the names ``llm`` and ``fallback``; ``local`` is always there."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import openai
from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ProviderError, UnknownProvider


@dataclass(frozen=True)
class Completion:
    text: str
    tokens_in: int
    tokens_cached: int
    tokens_out: int
    latency_ms: int
    model: str


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    base_url: str
    api_key: str
    model: str
    timeout_s: float


class OpenAICompatibleProvider:
    """Chat completions in JSON mode. No SDK retries: on a failure the engine manager falls back at once."""

    def __init__(self, config: ProviderConfig):
        self.config = config
        self.name = config.name
        self.model = config.model
        self._client = openai.OpenAI(
            base_url=config.base_url or None,
            api_key=config.api_key or "not-needed",  # Ollama and vLLM accept any key
            timeout=config.timeout_s,
            max_retries=0,
        )

    def complete(self, messages: list[dict], *, max_tokens: int = 600) -> Completion:
        started = time.perf_counter()
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                response_format={"type": "json_object"},
                temperature=0,
                max_tokens=max_tokens,
            )
        except openai.APITimeoutError as exc:
            raise ProviderError(
                _("%(provider)s did not answer within %(s)s s.") % {"provider": self.name, "s": self.config.timeout_s},
                outcome="timeout",
            ) from exc
        except openai.RateLimitError as exc:
            retry_after = exc.response.headers.get("retry-after") if exc.response is not None else None
            raise ProviderError(
                _("%(provider)s is rate limiting us (429).") % {"provider": self.name},
                outcome="rate_limited",
                retry_after=float(retry_after) if retry_after else None,
            ) from exc
        except openai.APIStatusError as exc:
            raise ProviderError(
                _("%(provider)s answered HTTP %(status)s.") % {"provider": self.name, "status": exc.status_code}
            ) from exc
        except openai.APIError as exc:  # connection refused, DNS, TLS…
            raise ProviderError(
                _("%(provider)s cannot be reached: %(error)s") % {"provider": self.name, "error": type(exc).__name__}
            ) from exc
        latency_ms = int((time.perf_counter() - started) * 1000)
        usage = response.usage
        details = getattr(usage, "prompt_tokens_details", None) if usage else None
        choice = response.choices[0] if response.choices else None
        return Completion(
            text=(choice.message.content or "") if choice else "",
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_cached=(getattr(details, "cached_tokens", 0) or 0) if details else 0,
            tokens_out=usage.completion_tokens if usage else 0,
            latency_ms=latency_ms,
            model=response.model or self.model,
        )


def configured() -> dict[str, ProviderConfig]:
    """The LLM providers settings describe, by name (``llm``, ``fallback``)."""
    found = {}
    for name, prefix in (("llm", "AI_LLM"), ("fallback", "AI_FALLBACK")):
        base_url = getattr(settings, f"{prefix}_BASE_URL")
        api_key = getattr(settings, f"{prefix}_API_KEY")
        model = getattr(settings, f"{prefix}_MODEL") or settings.AI_LLM_MODEL
        if base_url or api_key:
            found[name] = ProviderConfig(name, base_url, api_key, model, settings.AI_LLM_TIMEOUT_S)
    return found


_lock = threading.Lock()


@lru_cache(maxsize=16)
def _provider(config: ProviderConfig) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(config)  # one SDK client (and its connection pool) per configuration


def provider(name: str) -> OpenAICompatibleProvider:
    configs = configured()
    if name not in configs:
        raise UnknownProvider(
            _("No provider named %(name)s is configured (set AI_LLM_BASE_URL / AI_LLM_API_KEY); known: %(known)s.")
            % {"name": name, "known": ", ".join(["local", *configs]) or "local"}
        )
    with _lock:
        return _provider(configs[name])


def llm_chain() -> list[str]:
    """The LLM providers to try in order: the main one, then its fallback."""
    return list(configured())
