"""AI middleware: the local engine is the default and needs nothing. An OpenAI-compatible provider (OpenAI, Groq,
Gemini's OpenAI endpoint, Ollama, vLLM) is used when AI_LLM_BASE_URL or AI_LLM_API_KEY is set; AI_FALLBACK_* is tried
when it fails or times out."""

from __future__ import annotations

from config.settings.base import env

AI_LLM_BASE_URL = env("AI_LLM_BASE_URL", default="")  # empty with a key: api.openai.com
AI_LLM_API_KEY = env("AI_LLM_API_KEY", default="")
AI_LLM_MODEL = env("AI_LLM_MODEL", default="gpt-4o-mini")
AI_LLM_TIMEOUT_S = env.float("AI_LLM_TIMEOUT_S", default=20.0)
AI_FALLBACK_BASE_URL = env("AI_FALLBACK_BASE_URL", default="")
AI_FALLBACK_API_KEY = env("AI_FALLBACK_API_KEY", default="")
AI_FALLBACK_MODEL = env("AI_FALLBACK_MODEL", default="")
AI_ESCALATE_BELOW = env.float("AI_ESCALATE_BELOW", default=0.55)  # local intent confidence that asks the LLM
AI_DAILY_BUDGET_USD = env.float("AI_DAILY_BUDGET_USD", default=2.0)  # LLM spend per day, then local only
AI_BUDGET_ALERT_AT = 0.8  # share of the daily budget that e-mails supervisors
AI_PROVIDER_RPM = env.int("AI_PROVIDER_RPM", default=120)  # calls per minute per provider
AI_CACHE_TTL_S = env.int("AI_CACHE_TTL_S", default=7 * 24 * 3600)  # exact-match response cache
AI_CONTEXT_TOKENS = env.int("AI_CONTEXT_TOKENS", default=600)  # the recent timeline's share of a prompt
AI_AUTO_EXTRACT = env.bool("AI_AUTO_EXTRACT", default=True)  # extract every inbound message
