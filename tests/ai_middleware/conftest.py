"""The OpenAI-compatible test server on loopback, with Fluxo's ``llm`` (and ``fallback``) providers aimed at it:
every LLM test goes through the real ``openai`` SDK and real HTTP."""

from __future__ import annotations

import pytest

from ai_middleware.testserver import OpenAITestServer


@pytest.fixture
def llm(settings, db):
    with OpenAITestServer(api_key="test-key") as server:
        settings.AI_LLM_BASE_URL = server.base_url
        settings.AI_LLM_API_KEY = "test-key"
        settings.AI_LLM_MODEL = "gpt-4o-mini"
        settings.AI_LLM_TIMEOUT_S = 1.0
        settings.AI_FALLBACK_BASE_URL = settings.AI_FALLBACK_API_KEY = ""
        yield server


@pytest.fixture
def fallback(settings, llm):
    with OpenAITestServer(api_key="other-key") as server:
        settings.AI_FALLBACK_BASE_URL = server.base_url
        settings.AI_FALLBACK_API_KEY = "other-key"
        settings.AI_FALLBACK_MODEL = "gpt-4.1-nano"
        yield server
