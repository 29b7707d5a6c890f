"""The AI middleware's errors: each says what failed and what the caller gets instead."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError, NotFoundError


class ProviderError(ApplicationError):
    """A provider could not answer (network, HTTP error, rate limit, timeout). ``outcome`` is the ledger's word."""

    code = "ai_provider_error"
    http_status = 502

    def __init__(self, message: str, *, outcome: str = "error", retry_after: float | None = None):
        super().__init__(message)
        self.outcome = outcome
        self.retry_after = retry_after


class InvalidOutput(ApplicationError):
    """The provider answered, twice, with something that does not fit the task's schema."""

    code = "ai_invalid_output"
    http_status = 502


class SuggestionNotFound(NotFoundError):
    """No suggestion with that id belongs to the lead named in the URL."""

    code = "ai_suggestion_not_found"


class UnknownProvider(ApplicationError):
    code = "ai_unknown_provider"


class PromptError(ApplicationError):
    """A prompt is missing or its variables do not match its schema."""

    code = "ai_prompt_error"


BUDGET_EXHAUSTED = _("Today's AI budget is spent: the local engine answers until midnight.")
