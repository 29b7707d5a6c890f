"""Payloads checked locally, before Meta: media limits and types, interactive limits."""

import pytest

from whatsapp import payloads
from whatsapp.errors import MediaInvalid, TemplateInvalid

pytestmark = pytest.mark.django_db
LEAD = "+5511987654321"


@pytest.mark.parametrize(
    ("kind", "size", "mime"),
    [
        ("image", 5 * 1024**2 + 1, "image/jpeg"),
        ("image", 1000, "image/gif"),
        ("audio", 16 * 1024**2 + 1, "audio/ogg"),
        ("video", 16 * 1024**2 + 1, "video/mp4"),
        ("document", 100 * 1024**2 + 1, "application/pdf"),
    ],
)
def test_media_over_the_limit_or_of_a_wrong_type_is_refused(kind, size, mime):
    with pytest.raises(MediaInvalid):
        payloads.media_check(kind, size=size, mime_type=mime)


def test_interactive_limits_are_checked_locally():
    with pytest.raises(TemplateInvalid):
        payloads.buttons_payload(LEAD, "x", [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")])
    with pytest.raises(TemplateInvalid):
        payloads.buttons_payload(LEAD, "x", [("a", "Um título longo demais aqui")])
