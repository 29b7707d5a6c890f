"""Sending through the real httpx client against the simulator: the window rule, template validation, media
limits, Meta's errors typed and stored, template sync with pagination, inbound media download. Sends go through
the gateway's two steps the anti-ban outbox uses (``messages_prepare`` when a row is claimed, then
``messages_dispatch``); the outbox itself is proven in tests/antiban and tests/scenarios."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.errors import ApplicationError
from tests.whatsapp.conftest import NUMBER_ID, WABA_ID
from whatsapp import payloads
from whatsapp.errors import MediaInvalid, MessageNotRetryable, TemplateInvalid, WindowClosed
from whatsapp.models import Message, MessageStatus, ServiceWindow, Template
from whatsapp.services import (
    media_fetch,
    message_dispatch,
    message_retry,
    messages_prepare,
    templates_sync,
)

pytestmark = pytest.mark.django_db
LEAD = "+5511987654321"

TEMPLATE_COMPONENTS = [
    {"type": "HEADER", "format": "TEXT", "text": "Olá {{1}}"},
    {"type": "BODY", "text": "{{1}}, o lançamento {{2}} abre visitas amanhã. Quer agendar?"},
    {"type": "FOOTER", "text": "Responda SAIR para não receber mais"},
    {
        "type": "BUTTONS",
        "buttons": [
            {"type": "QUICK_REPLY", "text": "Quero agendar"},
            {"type": "URL", "text": "Ver fotos", "url": "https://fluxo.example/l/{{1}}"},
        ],
    },
]


def message_send(*, number, to, payload, text="", template=None, media="", media_type=""):
    """What a claimed outbox row does: the pending gateway message (window rule), then its dispatch."""
    item = {"number": number, "to": to, "payload": payload, "text": text, "template": template}
    (outcome,) = messages_prepare([{**item, "media": media, "media_type": media_type}])
    if isinstance(outcome, ApplicationError):
        raise outcome
    return message_dispatch(message_id=outcome.pk)


def text_send(*, number, to, body):
    return message_send(number=number, to=to, payload=payloads.text_payload(to, body), text=body)


def template_send(*, number, to, template, params=None):
    payload = payloads.template_payload(
        to, name=template.name, language=template.language, components=template.components, params=params
    )
    text = payloads.template_preview(template.components, params)
    return message_send(number=number, to=to, payload=payload, text=text, template=template)


def media_send(*, number, to, kind, content, mime_type, filename, caption=""):
    """A file as the outbox keeps it (checked, stored), uploaded to Meta by the dispatch, then sent by id."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    payloads.media_check(kind, size=len(content), mime_type=mime_type)
    stored = default_storage.save(f"whatsapp/outbound/test/{filename}", ContentFile(content))
    payload = payloads.media_payload_to_upload(to, kind, caption=caption, filename=filename)
    return message_send(number=number, to=to, payload=payload, text=caption, media=stored, media_type=mime_type)


def _open_window(number, contact=LEAD):
    now = timezone.now()
    ServiceWindow.objects.create(
        number=number, contact=contact, last_inbound_at=now, expires_at=now + timedelta(hours=24)
    )


def _template(number, status="APPROVED"):
    return Template.objects.create(
        account=number.account,
        name="convite_visita",
        language="pt_BR",
        category="MARKETING",
        status=status,
        components=TEMPLATE_COMPONENTS,
    )


def test_free_text_inside_the_window_reaches_the_cloud_api_and_gets_a_wamid(cloud, number):
    _open_window(number)
    message = text_send(number=number, to=LEAD, body="Olá! Posso ajudar?")
    assert message.status == MessageStatus.SENT
    assert message.wamid.startswith("wamid.")
    (sent,) = cloud.sent
    assert sent["wamid"] == message.wamid
    assert sent["payload"]["to"] == "5511987654321"
    assert sent["payload"]["text"]["body"] == "Olá! Posso ajudar?"


def test_free_text_outside_the_window_is_refused_before_meta(cloud, number):
    with pytest.raises(WindowClosed):
        text_send(number=number, to=LEAD, body="Oi")
    now = timezone.now()
    ServiceWindow.objects.create(
        number=number, contact=LEAD, last_inbound_at=now - timedelta(hours=25), expires_at=now - timedelta(hours=1)
    )
    with pytest.raises(WindowClosed):
        text_send(number=number, to=LEAD, body="Oi")
    assert cloud.sent == [] and not Message.objects.exists()


def test_an_approved_template_goes_outside_the_window_with_validated_parameters(cloud, number):
    template = _template(number)
    params = {"header": ["Ana"], "body": ["Ana", "Vila Nova"], "button_1": ["vila-nova"]}
    message = template_send(number=number, to=LEAD, template=template, params=params)
    assert message.status == MessageStatus.SENT
    assert message.text == "Ana, o lançamento Vila Nova abre visitas amanhã. Quer agendar?"
    sent = cloud.sent[0]["payload"]["template"]
    assert sent["language"] == {"code": "pt_BR"}
    assert [c["type"] for c in sent["components"]] == ["header", "body", "button"]
    assert sent["components"][2] == {
        "type": "button",
        "sub_type": "url",
        "index": "1",
        "parameters": [{"type": "text", "text": "vila-nova"}],
    }


@pytest.mark.parametrize(
    "params",
    [
        {"header": ["Ana"], "body": ["Ana"], "button_1": ["x"]},  # one body parameter missing
        {"header": ["Ana"], "body": ["Ana", "Vila", "extra"], "button_1": ["x"]},
        {"header": [], "body": ["Ana", "Vila"], "button_1": ["x"]},
        {"header": ["Ana"], "body": ["Ana", "Vila"]},  # URL button parameter missing
        {"header": ["Ana"], "body": ["Ana", "linha\nquebrada"], "button_1": ["x"]},
        {"header": ["Ana"], "body": ["Ana", "  "], "button_1": ["x"]},
    ],
)
def test_a_parameter_mismatch_is_our_clear_error_never_a_132000(cloud, number, params):
    with pytest.raises(TemplateInvalid) as caught:
        template_send(number=number, to=LEAD, template=_template(number), params=params)
    assert "convite_visita" in caught.value.message
    assert cloud.sent == [] and not Message.objects.exists()


def test_a_paused_template_is_not_sent(cloud, number):
    with pytest.raises(TemplateInvalid):
        template_send(number=number, to=LEAD, template=_template(number, status="PAUSED"), params={})


def test_a_refused_media_file_never_reaches_meta(cloud, number):
    _open_window(number)
    with pytest.raises(MediaInvalid):
        media_send(number=number, to=LEAD, kind="image", content=b"GIF89a", mime_type="image/gif", filename="a.gif")
    assert cloud.media == {} and not Message.objects.exists()


def test_media_within_limits_is_uploaded_then_sent_by_id(cloud, number):
    _open_window(number)
    message = media_send(
        number=number,
        to=LEAD,
        kind="image",
        content=b"\xff\xd8\xff" + b"0" * 2000,
        mime_type="image/jpeg",
        filename="planta.jpg",
        caption="Planta do 2 quartos",
    )
    (media_id,) = cloud.media
    assert cloud.sent[0]["payload"]["image"] == {"id": media_id, "caption": "Planta do 2 quartos"}
    assert cloud.media[media_id]["content"].startswith(b"\xff\xd8\xff")
    assert message.status == MessageStatus.SENT


def test_inbound_media_is_downloaded_with_the_token_into_storage(cloud, number, deliver):
    media_id = cloud.media_add(b"%PDF-1.4 proposta", "application/pdf")
    part = {"type": "document", "document": {"id": media_id, "mime_type": "application/pdf", "filename": "p.pdf"}}
    deliver(cloud.inbound_notification(NUMBER_ID, "5511987654321", part))
    message = media_fetch(message_id=Message.objects.get().pk)
    assert message.media.read() == b"%PDF-1.4 proposta"
    assert message.media_type == "application/pdf"


def test_throughput_and_pair_limits_come_back_as_typed_retryable_errors(cloud, number):
    _open_window(number)
    _open_window(number, "+5511987650002")
    cloud.throughput_mps = 1
    first = text_send(number=number, to=LEAD, body="1")
    throttled = text_send(number=number, to="+5511987650002", body="2")
    assert first.status == MessageStatus.SENT
    assert (throttled.status, throttled.error_code, throttled.error_raw["retryable"]) == ("failed", 130429, True)
    cloud.throughput_mps, cloud.pair_interval_s = 80, 60
    pair = text_send(number=number, to=LEAD, body="3")
    assert (pair.error_code, pair.error_raw["retryable"]) == (131056, True)
    cloud.pair_interval_s = 0
    assert message_retry(message=pair).status == MessageStatus.SENT


def test_a_permanent_error_is_not_retried(cloud, number):
    _open_window(number)
    cloud.fault_push(status=400, code=131026, message="Message undeliverable")
    message = text_send(number=number, to=LEAD, body="Oi")
    assert (message.status, message.error_code) == (MessageStatus.FAILED, 131026)
    with pytest.raises(MessageNotRetryable):
        message_retry(message=message)


def test_an_invalid_token_fails_the_send_with_code_190(cloud, number):
    _open_window(number)
    number.account.access_token = "revoked"
    number.account.save()
    message = text_send(number=number, to=LEAD, body="Oi")
    assert (message.status, message.error_code) == (MessageStatus.FAILED, 190)


def test_templates_sync_follows_pagination_and_updates_the_catalog(cloud, number):
    for index in range(130):
        cloud.template_add(
            WABA_ID,
            {
                "name": f"modelo_{index:03d}",
                "language": "pt_BR",
                "category": "UTILITY" if index % 2 else "MARKETING",
                "status": "APPROVED",
                "components": [{"type": "BODY", "text": "Olá {{1}}"}],
            },
        )
    assert templates_sync(account=number.account) == 130
    assert Template.objects.count() == 130
    assert Template.objects.filter(category="UTILITY").count() == 65
    assert templates_sync(account=number.account) == 130  # again: updated, not duplicated
    assert Template.objects.count() == 130
    assert len([c for c in cloud.calls if c["path"].endswith("/message_templates")]) == 4


@pytest.mark.parametrize(
    "build",
    [
        lambda to: payloads.buttons_payload(to, "Quer agendar uma visita?", [("sim", "Sim"), ("nao", "Agora não")]),
        lambda to: payloads.list_payload(
            to, "Escolha", "Ver opções", [{"title": "Plantas", "rows": [{"id": "2q", "title": "2 quartos"}]}]
        ),
        lambda to: payloads.location_payload(to, latitude=-23.56, longitude=-46.65, name="Stand de vendas"),
        lambda to: payloads.contacts_payload(
            to, [{"name": {"formatted_name": "Carol Corretora", "first_name": "Carol"}, "phones": [{"phone": "+5511"}]}]
        ),
        lambda to: payloads.media_payload(to, "document", link="https://fluxo.example/tabela.pdf", filename="t.pdf"),
    ],
)
def test_every_free_form_kind_goes_through_the_same_send_inside_the_window(cloud, number, build):
    _open_window(number)
    payload = build(LEAD)
    message = message_send(number=number, to=LEAD, payload=payload)
    assert message.status == MessageStatus.SENT
    assert cloud.sent[0]["payload"]["type"] == payload["type"]
    Message.objects.all().delete()
    ServiceWindow.objects.all().delete()
    with pytest.raises(WindowClosed):
        message_send(number=number, to=LEAD, payload=payload)
