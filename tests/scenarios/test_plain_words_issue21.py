"""Issue #21, a Chromium user test: raw codes, English and clumsy Portuguese shown to people. Filter errors name the
filters by their labels; the bulk send picks its audience's source by name; an opt-out by a rule says what the person
asked, never the rule's code; the API's 409 explains its reason and a bad e-mail is reported under ``emails``;
``{{imovel}}`` never reads "outro"; counts agree in number; a source is not named twice; a task is not due in 2020."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leads.models import ContactKind, LeadSource, LeadStage, QuickReply, SourceKind
from tests.factories import LeadFactory
from tests.scenarios.conftest import inbound_text_body

pytestmark = pytest.mark.django_db
PT = {"HTTP_ACCEPT_LANGUAGE": "pt-br"}


def test_a_bad_filter_is_named_by_its_label(world, login):
    page = login(world["ana"]).get("/leads/", {"created_after": "ontem"}, **PT).content.decode()
    assert "Criado a partir de: " in page
    assert "created_after" not in page.split('role="alert"')[1].split("</p>")[0]


def test_the_bulk_send_picks_its_source_by_name_and_names_bad_filters_by_label(world, login, api_for):
    browser = login(world["sup_a"])
    page = browser.get("/antiban/bulk/new/", **PT).content.decode()
    assert "Público: origem" in page and "id da origem" not in page
    assert f'<option value="{world["source"].pk}">Site</option>' in page
    refused = browser.post("/antiban/bulk/new/", {"name": "X", "source": "999999", "spread_minutes": 60}, **PT)
    assert refused.status_code == 200
    assert "Faça uma escolha válida" in refused.content.decode()

    api = api_for(world["sup_a"], scopes=("leads:read",))
    answer = api.get("/api/v1/leads/export/", {"format": "csv", "source": "999999"}, **PT)
    assert answer.status_code == 400
    assert "Origem" in answer.content.decode() and "inválidos: source" not in answer.content.decode()


WA_ID, PHONE = "5511987654321", "+5511987654321"


def test_an_opt_out_by_a_rule_says_what_the_person_asked_not_the_rule_code(wa, meta_post, world, login):
    from leads.models import EventKind, LeadEvent

    lead = LeadFactory(owner=world["ana"], team=world["team_a"], full_name="Ana Lima")
    lead.contact_points.all().delete()
    lead.contact_points.create(kind=ContactKind.PHONE, value=PHONE, is_primary=True)

    assert meta_post(inbound_text_body(wa_id=WA_ID, text="por favor não me mandem mais mensagens")).status_code == 200

    event = LeadEvent.objects.get(lead=lead, kind=EventKind.CONSENT)
    assert event.payload["opt_out"] is True and event.payload["evidence"]["layer"] == "rule"
    page = login(world["ana"]).get(reverse("leads:detail", args=[lead.pk]), **PT).content.decode()
    assert "Descadastro pelo WhatsApp (pediu para parar de receber mensagens)" in page
    assert event.payload["keyword"] not in page.split('data-testid="timeline"')[1]


def test_the_api_explains_a_duplicate_and_reports_a_bad_email_under_emails(world, api_for):
    api = api_for(world["ana"], scopes=("leads:read", "leads:write"))
    first = {"full_name": "Rita Souza", "source": world["source"].pk, "phones": ["11 98123-4567"]}
    assert api.post("/api/v1/leads/", first, format="json", **PT).status_code == 201
    again = api.post("/api/v1/leads/", {**first, "full_name": "Rita Souza"}, format="json", **PT)
    assert again.status_code == 409
    body = again.json()
    assert body["reason"].startswith("same phone")  # the code stays, for programs
    assert body["detail"].startswith("mesmo telefone")  # and people read it

    bad = {"full_name": "Caio Prado", "source": world["source"].pk, "emails": ["caio.prado@"]}
    answer = api.post("/api/v1/leads/", bad, format="json", **PT)
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "emails" in text and "phones" not in text


@pytest.mark.parametrize(("interest", "word"), [("other", "imóvel"), ("", "imóvel"), ("house", "casa")])
def test_imovel_in_a_quick_reply_is_a_word_people_say(world, login, interest, word):
    lead = LeadFactory(owner=world["ana"], team=world["team_a"], city="Campinas", interest_type=interest)
    reply = QuickReply.objects.create(
        title="Interesse", body="Vi seu interesse em {{imovel}} em {{cidade}}.", owner=world["ana"]
    )
    page = login(world["ana"]).get(
        reverse("leads:whatsapp_quick_reply", args=[lead.pk]), {"quick_reply": reply.pk}, **PT
    )
    assert page.status_code == 200
    assert f"Vi seu interesse em {word} em Campinas." in page.content.decode()


def test_counts_agree_in_number_and_a_source_is_named_once(world, login):
    browser = login(world["sup_a"])
    lead = world["leads"]["ana"][0]
    response = browser.post("/leads/bulk/stage/", {"lead_ids": [lead.pk], "stage": lead.stage}, follow=True, **PT)
    html = response.content.decode()
    assert "1 já estava nessa etapa" in html and "1 já estavam" not in html
    assert "Nenhum lead movido." in html

    empty = browser.get("/leads/", {"q": "ninguém com esse nome"}, **PT).content.decode()
    assert "O 0 que atende" not in empty

    manual, _ = LeadSource.objects.get_or_create(name="Cadastro manual", defaults={"kind": SourceKind.MANUAL})
    typed = LeadFactory(owner=world["ana"], team=world["team_a"], source=manual, stage=LeadStage.NEW)
    page = browser.get(reverse("leads:detail", args=[typed.pk]), **PT).content.decode()
    assert "Cadastro manual (Cadastro manual)" not in page and ">Cadastro manual</dd>" in page
    site = browser.get(reverse("leads:detail", args=[world["leads"]["ana"][1].pk]), **PT).content.decode()
    assert "Site (" in site  # a source named otherwise still says its kind


def test_a_task_due_last_year_is_refused_in_portuguese(world, login):
    from assignment.models import Task

    lead = world["leads"]["ana"][0]
    browser = login(world["ana"])
    url = reverse("assignment:lead_tasks", args=[lead.pk])
    task = {"kind": "callback", "due_at": "2020-03-01T10:00", "title": "Ligar"}
    refused = browser.post(url, task, HTTP_HX_REQUEST="true", **PT)
    assert refused.status_code == 400
    assert "Essa data já passou (01/03/2020)" in refused.content.decode()
    page = browser.post(url, task, follow=True, **PT).content.decode()  # without JavaScript: the page says so
    assert "Essa data já passou (01/03/2020)" in page
    assert not Task.objects.filter(lead=lead).exists()
