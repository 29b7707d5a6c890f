"""Issue #19, break 11 — README "WhatsApp (Cloud API) → Outbound": "media type and size are checked before upload
(image 5 MB, audio/video 16 MB, document 100 MB)", and "Anti-ban pipeline": "Every business-initiated message — a
consultant's send … — goes through antiban.services.outbox_enqueue". Files, reply buttons, lists, locations and
contact cards are sent the way people send them: a consultant on the lead page over HTTP, an integrator through
the REST API; each becomes an outbox row, the dispatch task (what the worker runs) uploads the file and sends it to
the Cloud API simulator. The window is opened the way a customer opens it: a signed inbound webhook."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from antiban.models import OutboxMessage, OutboxState
from antiban.tasks import outbox_dispatch_task
from conftest import api_client_for
from tests.factories import LeadFactory, consultant
from tests.scenarios.conftest import inbound_text_body

pytestmark = pytest.mark.django_db
PHONE = "+5511987654321"
WA_ID = "5511987654321"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 4000


@pytest.fixture
def ana(wa):
    """A consultant and her lead, whose phone is on WhatsApp."""
    user = consultant(username="ana")
    lead = LeadFactory(owner=user, full_name="Bia Souza")
    lead.contact_points.all().delete()
    lead.contact_points.create(kind="phone", value=PHONE, is_primary=True, is_valid=True)
    return user, lead


def _rich(browser, lead, number, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the dispatcher is the worker's, run below
        return browser.post(
            f"/leads/{lead.pk}/whatsapp/rich/",
            {"number": number.pk, "to": PHONE, **data},
            HTTP_HX_REQUEST="true",
        )


def test_a_consultant_uploads_an_image_on_the_lead_page_and_the_customer_receives_it(
    wa, ana, meta_post, login, django_capture_on_commit_callbacks
):
    """Break 11: lead page → attachment → outbox row (kind image, file kept) → dispatch task → upload
    (POST /{phone-number-id}/media) → an image message by media id to that wa_id; the thread shows it."""
    user, lead = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="Tem foto da planta?"))  # the customer opens the window
    browser = login(user)
    panel = browser.get(f"/leads/{lead.pk}/whatsapp/").content.decode()
    assert 'data-testid="wa-attach"' in panel and 'enctype="multipart/form-data"' in panel

    page = _rich(
        browser,
        lead,
        wa.number,
        {"kind": "file", "caption": "Planta do 2 quartos", "file": SimpleUploadedFile("planta.jpg", JPEG)},
        django_capture_on_commit_callbacks,
    )
    assert page.status_code == 200 and 'data-testid="wa-queued"' in page.content.decode()
    row = OutboxMessage.objects.get(lead_id=lead.pk)
    assert (row.kind, row.state, row.media_type) == ("image", OutboxState.QUEUED, "image/jpeg")
    assert wa.sent == [] and wa.media == {}  # nothing reaches Meta from the request

    outbox_dispatch_task()

    (sent,) = wa.sent
    assert sent["payload"]["to"] == WA_ID and sent["payload"]["type"] == "image"
    media_id = sent["payload"]["image"]["id"]
    assert sent["payload"]["image"]["caption"] == "Planta do 2 quartos"
    assert wa.media[media_id]["content"] == JPEG and wa.media[media_id]["mime_type"] == "image/jpeg"
    assert sent["payload"]["biz_opaque_callback_data"] == f"outbox:{row.pk}"
    row.refresh_from_db()
    assert row.state == OutboxState.SENT
    thread = browser.get(f"/leads/{lead.pk}/whatsapp/").content.decode()
    assert "Planta do 2 quartos" in thread and f"/leads/{lead.pk}/whatsapp/{row.message_id}/media/" in thread
    image = browser.get(f"/leads/{lead.pk}/whatsapp/{row.message_id}/media/")
    assert image.status_code == 200 and b"".join(image.streaming_content) == JPEG


@pytest.mark.parametrize(
    ("data", "kind", "check"),
    [
        (
            {"kind": "buttons", "body": "Podemos agendar a visita?", "button_title": ["Sim", "Outro dia", ""]},
            "buttons",
            lambda p: [b["reply"]["title"] for b in p["interactive"]["action"]["buttons"]] == ["Sim", "Outro dia"],
        ),
        (
            {"kind": "list", "body": "Qual planta?", "button": "Ver plantas", "row_title": ["2 quartos", "3 quartos"]},
            "list",
            lambda p: (
                [r["title"] for r in p["interactive"]["action"]["sections"][0]["rows"]] == ["2 quartos", "3 quartos"]
            ),
        ),
        (
            {"kind": "location", "latitude": "-23,5613", "longitude": "-46.6565", "name": "Stand de vendas"},
            "location",
            lambda p: p["location"]["latitude"] == -23.5613 and p["location"]["name"] == "Stand de vendas",
        ),
        (
            {"kind": "contacts", "name": "Carol Corretora", "phone": "+5511955551234"},
            "contacts",
            lambda p: p["contacts"][0]["name"]["formatted_name"] == "Carol Corretora",
        ),
    ],
)
def test_buttons_lists_locations_and_contact_cards_go_from_the_lead_page_through_the_outbox(
    wa, ana, meta_post, login, django_capture_on_commit_callbacks, data, kind, check
):
    """Break 11: the lead page's simple forms for buttons (≤ 3), a list, a location and a contact card; each is an
    outbox row of its kind, sent at once like a text (same checks), and shown in the thread."""
    user, lead = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="Oi"))
    browser = login(user)
    page = _rich(browser, lead, wa.number, data, django_capture_on_commit_callbacks).content.decode()
    assert 'role="alert"' not in page
    row = OutboxMessage.objects.get(lead_id=lead.pk)
    assert (row.kind, row.state) == (kind, OutboxState.SENT)
    (sent,) = wa.sent
    assert sent["payload"]["to"] == WA_ID and check(sent["payload"])
    assert 'data-status="sent"' in page


def test_an_integrator_sends_reply_buttons_through_the_api(
    wa, ana, meta_post, integrator, django_capture_on_commit_callbacks
):
    """Break 11: POST /api/v1/leads/{id}/whatsapp/messages/ (scope whatsapp:write) queues buttons in the outbox
    (202); the dispatch task sends them; a token without the scope is refused."""
    _user, lead = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="Oi, tenho interesse"))
    url = f"/api/v1/leads/{lead.pk}/whatsapp/messages/"
    body = {"type": "buttons", "body": "Quer agendar uma visita?", "buttons": ["Sim", "Agora não"]}
    readonly = api_client_for(integrator, scopes=("leads:read", "whatsapp:read"))
    assert readonly.post(url, body, format="json").status_code == 403

    api = api_client_for(integrator, scopes=("whatsapp:write",))
    with django_capture_on_commit_callbacks(execute=False):
        answer = api.post(url, body, format="json")
    assert answer.status_code == 202, answer.content
    assert answer.json()["kind"] == "buttons" and answer.json()["state"] == "queued" and answer.json()["to"] == PHONE

    outbox_dispatch_task()

    (sent,) = wa.sent
    assert sent["payload"]["to"] == WA_ID and sent["payload"]["interactive"]["type"] == "button"
    assert [b["reply"]["title"] for b in sent["payload"]["interactive"]["action"]["buttons"]] == ["Sim", "Agora não"]
    assert OutboxMessage.objects.get(pk=answer.json()["id"]).state == OutboxState.SENT

    too_many = api.post(url, {**body, "buttons": ["a", "b", "c", "d"]}, format="json")
    assert too_many.status_code == 400 and "buttons" in too_many.json()["details"]


def test_an_oversize_file_is_refused_with_a_message_and_nothing_is_kept_or_sent(
    wa, ana, meta_post, login, integrator, django_capture_on_commit_callbacks
):
    """Break 11 / README "image 5 MB": a 5 MB + 1 byte photo is refused on the lead page and in the API, saying
    the size and the limit; no outbox row, no upload. A file whose bytes are not an image cannot go as one."""
    user, lead = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="Manda a foto"))
    browser = login(user)
    big = JPEG + b"\x00" * (5 * 1024**2 + 1 - len(JPEG))
    page = _rich(
        browser,
        lead,
        wa.number,
        {"kind": "file", "media_kind": "image", "file": SimpleUploadedFile("grande.jpg", big)},
        django_capture_on_commit_callbacks,
    ).content.decode()
    assert 'role="alert"' in page and "5.0 MB" in page
    fake = _rich(
        browser,
        lead,
        wa.number,
        {"kind": "file", "media_kind": "image", "file": SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not a photo")},
        django_capture_on_commit_callbacks,
    ).content.decode()
    assert 'role="alert"' in fake and "application/pdf" in fake

    api = api_client_for(integrator, scopes=("whatsapp:write",))
    answer = api.post(
        f"/api/v1/leads/{lead.pk}/whatsapp/messages/",
        {"type": "image", "file": SimpleUploadedFile("grande.jpg", big)},
        format="multipart",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "media_invalid"
    assert "5.0 MB" in answer.json()["message"]
    assert not OutboxMessage.objects.exists() and wa.sent == [] and wa.media == {}


def test_outside_the_window_a_rich_message_is_refused_saying_only_templates_go(
    wa, ana, login, integrator, django_capture_on_commit_callbacks
):
    """Break 11 / README "free text only inside the window, approved templates outside it": with no message from
    the customer in 24 h, buttons and files are refused on the page and in the API with that reason."""
    user, lead = ana
    browser = login(user)
    panel = browser.get(f"/leads/{lead.pk}/whatsapp/").content.decode()
    assert 'data-testid="window-closed"' in panel and 'data-testid="wa-attach"' not in panel
    page = _rich(
        browser,
        lead,
        wa.number,
        {"kind": "file", "file": SimpleUploadedFile("planta.jpg", JPEG)},
        django_capture_on_commit_callbacks,
    ).content.decode()
    assert 'role="alert"' in page and "só um modelo aprovado" in page

    api = api_client_for(integrator, scopes=("whatsapp:write",))
    answer = api.post(
        f"/api/v1/leads/{lead.pk}/whatsapp/messages/",
        {"type": "buttons", "body": "Vamos agendar?", "buttons": ["Sim"]},
        format="json",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "window_closed"
    assert "só um modelo aprovado" in answer.json()["message"]
    assert not OutboxMessage.objects.exists() and wa.sent == []


def test_a_suppressed_contact_is_refused_whatever_the_kind(
    wa, ana, meta_post, login, integrator, django_capture_on_commit_callbacks
):
    """Break 11 / README "consent/opt-out from compliance": after the consultant records the person's opt-out on
    the lead page, a file, buttons or a location to that phone are refused with the reason; nothing is sent."""
    user, lead = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="Oi"))
    browser = login(user)
    point = lead.contact_points.get(value=PHONE)
    browser.post(f"/leads/{lead.pk}/contacts/{point.pk}/opt-out/", {"reason": "pediu para não receber"})

    page = _rich(
        browser,
        lead,
        wa.number,
        {"kind": "file", "file": SimpleUploadedFile("planta.jpg", JPEG)},
        django_capture_on_commit_callbacks,
    ).content.decode()
    assert 'role="alert"' in page
    api = api_client_for(integrator, scopes=("whatsapp:write",))
    answer = api.post(
        f"/api/v1/leads/{lead.pk}/whatsapp/messages/",
        {"type": "location", "latitude": -23.56, "longitude": -46.65},
        format="json",
    )
    assert answer.status_code == 422 and answer.json()["code"] == "whatsapp_recipient_refused"
    assert answer.json()["message"]
    outbox_dispatch_task()
    assert wa.sent == [] and wa.media == {}


def test_someone_who_cannot_see_the_lead_cannot_send_to_it(
    wa, ana, meta_post, login, django_capture_on_commit_callbacks
):
    """Break 11 / README "Visibility is one rule for HTML, HTMX partials and the API": another consultant's
    attachment or API call to Ana's lead is a 404 and nothing is queued; a NUL byte in a caption is no 500."""
    user, lead = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="Oi"))
    other = login(consultant(username="outra"))
    page = _rich(
        other,
        lead,
        wa.number,
        {"kind": "file", "file": SimpleUploadedFile("planta.jpg", JPEG)},
        django_capture_on_commit_callbacks,
    )
    assert page.status_code == 404
    answer = other.post(
        f"/api/v1/leads/{lead.pk}/whatsapp/messages/",
        {"type": "location", "latitude": -23.56, "longitude": -46.65},
        content_type="application/json",
    )
    assert answer.status_code == 404 and not OutboxMessage.objects.exists()

    owner = login(user)
    sent = _rich(
        owner,
        lead,
        wa.number,
        {"kind": "location", "latitude": "-23.56", "longitude": "-46.65", "name": "Stand\x00 de vendas"},
        django_capture_on_commit_callbacks,
    )
    assert sent.status_code == 200 and wa.sent[0]["payload"]["location"]["name"] == "Stand de vendas"


def test_a_pdf_sent_as_an_image_is_refused_in_words_and_the_window_reads_as_a_clock(
    wa, ana, meta_post, login, django_capture_on_commit_callbacks
):
    """Issue #21 user test: "O WhatsApp não aceita application/pdf como image; use image/jpeg, image/png" and
    "janela 22,6 h" — codes and decimal hours in a pt-BR screen."""
    user, lead = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="manda a tabela"))
    browser = login(user)
    page = _rich(
        browser,
        lead,
        wa.number,
        {"kind": "image", "file": SimpleUploadedFile("tabela.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n")},
        django_capture_on_commit_callbacks,
    ).content.decode()
    assert "O WhatsApp não aceita um arquivo PDF como imagem; use JPEG, PNG." in page
    assert "como image;" not in page and not OutboxMessage.objects.filter(lead_id=lead.pk).exists()
    panel = browser.get(f"/leads/{lead.pk}/whatsapp/").content.decode()
    assert re.search(r"Janela aberta: faltam (23 h 5\d min|24 h)", panel), panel[:400]


def test_a_document_sent_with_a_caption_shows_the_caption_in_the_thread(
    wa, ana, meta_post, login, django_capture_on_commit_callbacks
):
    """Issue #21 user test: a PDF sent with "Tabela de preços" showed only "Abrir o arquivo (PDF) tabela.pdf"."""
    user, lead = ana
    meta_post(inbound_text_body(wa_id=WA_ID, text="manda a tabela"))
    browser = login(user)
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    page = _rich(
        browser,
        lead,
        wa.number,
        {"kind": "file", "caption": "Tabela de preços", "file": SimpleUploadedFile("tabela.pdf", pdf)},
        django_capture_on_commit_callbacks,
    )
    assert page.status_code == 200 and 'data-testid="wa-queued"' in page.content.decode()
    outbox_dispatch_task()
    (sent,) = wa.sent
    assert sent["payload"]["type"] == "document" and sent["payload"]["document"]["caption"] == "Tabela de preços"
    thread = browser.get(f"/leads/{lead.pk}/whatsapp/").content.decode()
    assert "Tabela de preços" in thread and "(PDF)" in thread
