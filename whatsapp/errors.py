"""Meta's Cloud API error codes as typed errors: retryable or permanent, with an explanation a consultant can act
on (translated), and the raw error kept. See ../shared/reference/whatsapp-cloud-api.md."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError


@dataclass(frozen=True)
class MetaErrorInfo:
    code: int
    name: str
    retryable: bool
    explanation: str
    pause_number: bool = False  # a signal about the number's health, not the message


_CATALOG = [
    MetaErrorInfo(
        130429, "throughput", True, _("The number hit WhatsApp's messages-per-second limit; retrying later.")
    ),
    MetaErrorInfo(
        131056,
        "pair_rate",
        True,
        _("Too many messages to this contact in a short time; it will be retried for this contact later."),
    ),
    MetaErrorInfo(
        131048,
        "spam_rate",
        False,
        _("WhatsApp limited this number because earlier messages were blocked or reported. Slow down and review."),
        pause_number=True,
    ),
    MetaErrorInfo(
        131049,
        "ecosystem_engagement",
        True,
        _("WhatsApp held this marketing message back to protect the contact's experience; retry much later."),
    ),
    MetaErrorInfo(
        131026,
        "undeliverable",
        False,
        _("The message cannot be delivered: the number may not be on WhatsApp or uses an old app."),
    ),
    MetaErrorInfo(
        131047,
        "reengagement",
        False,
        _("More than 24 hours since the contact's last message: only an approved template can be sent."),
    ),
    MetaErrorInfo(131050, "user_opted_out", False, _("The contact stopped marketing messages from this business.")),
    MetaErrorInfo(
        132000, "template_params", False, _("The template's parameters do not match what Meta approved: fix them.")
    ),
    MetaErrorInfo(
        132001, "template_missing", False, _("The template does not exist in this language or is not approved.")
    ),
    MetaErrorInfo(131053, "media_upload", True, _("WhatsApp could not process the media file.")),
    MetaErrorInfo(131000, "generic", True, _("WhatsApp failed to send for an unknown reason.")),
    MetaErrorInfo(
        368,
        "policy_block",
        False,
        _("The number is temporarily blocked for policy violations: sending is paused."),
        pause_number=True,
    ),
    MetaErrorInfo(80007, "account_rate", True, _("The business account hit the API rate limit; retrying later.")),
    MetaErrorInfo(
        190, "token", False, _("The account's access token is invalid or expired: an admin must replace it.")
    ),
    MetaErrorInfo(131005, "permission", False, _("The access token lacks permission to send from this number.")),
    MetaErrorInfo(100, "invalid_parameter", False, _("WhatsApp refused the request as invalid.")),
]
META_ERRORS = {info.code: info for info in _CATALOG}


def meta_error_info(code: int | None) -> MetaErrorInfo:
    return META_ERRORS.get(code or 0) or MetaErrorInfo(
        code or 0, "unknown", False, _("WhatsApp refused the message (code %(code)s).") % {"code": code}
    )


class WhatsAppError(ApplicationError):
    code = "whatsapp_error"


class MetaApiError(WhatsAppError):
    """An error answered by the Cloud API (or the network on the way)."""

    code = "meta_api_error"

    def __init__(self, *, meta_code: int | None, title: str = "", raw: dict | None = None, http_status: int = 0):
        self.info = meta_error_info(meta_code)
        self.meta_code = meta_code
        self.title = title
        self.raw = raw or {}
        self.meta_http_status = http_status
        super().__init__(str(self.info.explanation), details={"meta_code": meta_code, "title": title})

    @property
    def retryable(self) -> bool:
        return self.info.retryable


# httpx errors raised before a request was written: the call never reached Meta, so sending again is safe.
NOT_SENT_ERRORS = frozenset(
    {"ConnectError", "ConnectTimeout", "PoolTimeout", "ProxyError", "UnsupportedProtocol", "LocalProtocolError"}
)


class MetaUnreachable(MetaApiError):
    """Timeout or connection error, named by the httpx error's class. Before the request was written (a connect
    error, a pool timeout) nothing reached Meta and retrying is safe; after it (a read timeout, a dropped
    connection) Meta may have accepted the send, so it ``may_have_arrived``: never sent again blindly, it waits for
    Meta's status webhook."""

    def __init__(self, detail: str):
        super().__init__(meta_code=None, title=detail)
        self.message = str(_("WhatsApp could not be reached: %(detail)s") % {"detail": detail})

    @property
    def may_have_arrived(self) -> bool:
        return self.title not in NOT_SENT_ERRORS

    @property
    def retryable(self) -> bool:
        return not self.may_have_arrived


class WindowClosed(WhatsAppError):
    code = "window_closed"

    def __init__(self):
        super().__init__(
            str(
                _(
                    "The 24-hour customer-service window is closed: only an approved template can be sent to "
                    "this contact."
                )
            )
        )


class TemplateInvalid(WhatsAppError):
    code = "template_invalid"


class MessageNotRetryable(WhatsAppError):
    """A retry asked for a message that did not fail, or whose failure is permanent (Meta's error says sending it
    again would fail the same way)."""

    code = "message_not_retryable"


class MediaInvalid(WhatsAppError):
    code = "media_invalid"


class NumberUnavailable(WhatsAppError):
    code = "number_unavailable"
