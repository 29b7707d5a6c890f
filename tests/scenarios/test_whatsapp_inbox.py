"""The consultant's WhatsApp desk, driven as Meta and the people at the desk drive it (issue #21, "a full inbox of
conversations (all / mine / unread / waiting for us / window closing in < 2 h), message times, quick replies
(saved snippets with variables)"): signed webhooks bring the messages, the consultant reads and answers on the lead
page, the inbox lists conversations (not only unread ones) with the last message's time and preview."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import LeadFactory
from tests.scenarios.conftest import inbound_text_body

pytestmark = pytest.mark.django_db


def _phone(lead) -> str:
    from leads.models import ContactKind

    return lead.contact_points.get(kind=ContactKind.PHONE).value


def _rows(page: str) -> list[str]:
    """The lead ids of the conversation rows, top to bottom."""
    return re.findall(r'data-testid="conversation" data-lead="(\d+)"', page)


def test_the_inbox_lists_conversations_with_their_filters_times_and_previews(
    world, meta_post, wa, login, contact_hours_open
):
    from django.db.models import F

    from whatsapp.models import Message, ServiceWindow

    ana = world["ana"]
    answered, waiting = world["leads"]["ana"]
    opted = LeadFactory(owner=ana, team=world["team_a"], source=world["source"], full_name="Otávia Descadastrada")
    for lead, text in ((answered, "oi, ainda tem o apê?"), (opted, "quero saber o preço")):
        meta_post(inbound_text_body(wa_id=_phone(lead).lstrip("+"), text=text))
    browser = login(ana)
    # Ana answers the first one from its page; its window is about to close (the message came 23 h ago).
    browser.get(f"/leads/{answered.pk}/whatsapp/")
    sent = browser.post(
        f"/leads/{answered.pk}/whatsapp/text/",
        {"number": wa.number.pk, "to": _phone(answered), "body": "Oi! Tem sim, posso ligar?"},
        HTTP_HX_REQUEST="true",
    )
    assert sent.status_code == 200 and "Tem sim" in sent.content.decode()
    ServiceWindow.objects.filter(contact=_phone(answered)).update(expires_at=timezone.now() + timedelta(minutes=50))
    # Those messages came minutes ago (in the order they were sent): Meta stamps the next inbound message in whole
    # seconds, and within the same second it would sort before Ana's reply.
    for lead, minutes in ((opted, 2), (answered, 1)):
        Message.objects.filter(contact=_phone(lead)).update(created_at=F("created_at") - timedelta(minutes=minutes))
    # The third person opts out on the phone; Ana records it on the lead page.
    point = opted.contact_points.get(value=_phone(opted))
    browser.post(f"/leads/{opted.pk}/contacts/{point.pk}/opt-out/", {"reason": "pediu por telefone"})
    # The newest conversation arrives last: a customer still waiting for an answer.
    meta_post(inbound_text_body(wa_id=_phone(waiting).lstrip("+"), text="Bom dia! Qual o valor do condomínio?"))

    page = browser.get("/leads/whatsapp/").content.decode()
    assert _rows(page) == [str(waiting.pk), str(answered.pk), str(opted.pk)]
    assert "Qual o valor do condomínio?" in page and "Você: Oi! Tem sim, posso ligar?" in page
    assert "quero saber o preço" not in page  # an opted-out person's words are not shown in lists
    assert "Esta pessoa pediu para não ser contatada." in page
    # The message's own time, not the lead's age.
    assert timezone.localtime(timezone.now()).strftime("%d/%m/%Y") in page

    views = {
        view: _rows(browser.get(f"/leads/whatsapp/?view={view}").content.decode())
        for view in ("mine", "unread", "waiting", "closing")
    }
    assert views["mine"] == [str(waiting.pk), str(answered.pk), str(opted.pk)]
    assert views["unread"] == [str(waiting.pk), str(opted.pk)]  # Ana opened the first conversation
    assert views["waiting"] == [str(waiting.pk), str(opted.pk)]
    assert views["closing"] == [str(answered.pk)]
    assert 'data-testid="closing"' in browser.get("/leads/whatsapp/?view=closing").content.decode()

    # The team's supervisor sees the team's conversations (with the owner's name), none are "mine"; the other
    # team and Ana's teammate see none of them. An unknown view is the whole inbox, never an error.
    supervisor = login(world["sup_a"])
    assert len(_rows(supervisor.get("/leads/whatsapp/").content.decode())) == 3
    assert _rows(supervisor.get("/leads/whatsapp/?view=mine").content.decode()) == []
    assert _rows(login(world["bruno"]).get("/leads/whatsapp/").content.decode()) == []
    assert _rows(login(world["sup_b"]).get("/leads/whatsapp/?view=nada&before=2026-99-99").content.decode()) == []


def test_the_inbox_pages_by_the_last_message_time(world, wa, login, django_assert_max_num_queries):
    from whatsapp.models import Message

    ana = world["ana"]
    leads = [LeadFactory(owner=ana, team=world["team_a"], source=world["source"]) for _ in range(52)]
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            number=wa.number,
            contact=_phone(lead),
            direction="in",
            kind="text",
            text=f"mensagem {i}",
            status="delivered",
            created_at=now - timedelta(minutes=i),
        )
        for i, lead in enumerate(leads)
    )
    browser = login(ana)
    with django_assert_max_num_queries(20):
        first = browser.get("/leads/whatsapp/").content.decode()
    assert len(_rows(first)) == 50 and _rows(first)[0] == str(leads[0].pk)
    older = re.search(r'href="([^"]+)" data-testid="inbox-older"', first).group(1).replace("&amp;", "&")
    second = browser.get(f"/leads/whatsapp/{older}").content.decode()
    assert _rows(second) == [str(leads[50].pk), str(leads[51].pk)]


def test_quick_replies_with_variables_are_managed_inserted_and_sent(world, meta_post, wa, login, contact_hours_open):
    from leads.models import Lead

    ana, sup_a = world["ana"], world["sup_a"]
    ana.first_name = "Ana"
    ana.save(update_fields=["first_name"])
    lead = world["leads"]["ana"][0]
    Lead.objects.filter(pk=lead.pk).update(full_name="Maria Souza", city="Campinas", interest_type="apartment")
    meta_post(inbound_text_body(wa_id=_phone(lead).lstrip("+"), text="oi"))

    # The supervisor saves a snippet for the team; a typo in a variable is refused with what to use instead.
    boss = login(sup_a)
    bad = boss.post("/leads/quick-replies/", {"title": "Boas-vindas", "body": "Oi {{nombre}}", "scope": "x"})
    assert bad.status_code == 400
    bad = boss.post(
        "/leads/quick-replies/",
        {"title": "Boas-vindas", "body": "Oi {{nombre}}", "scope": str(world["team_a"].pk)},
    )
    assert (
        bad.status_code == 400 and "{{nombre}}" in bad.content.decode() and "{{primeiro_nome}}" in bad.content.decode()
    )
    saved = boss.post(
        "/leads/quick-replies/",
        {
            "title": "Boas-vindas",
            "body": "Oi {{primeiro_nome}}, aqui é {{consultor}}! Vi que procura {{imovel}} em {{cidade}}.",
            "scope": str(world["team_a"].pk),
        },
    )
    assert saved.status_code == 302
    # Ana keeps a personal one; she sees both, her teammate sees only the team's, the other team neither.
    browser = login(ana)
    assert browser.post("/leads/quick-replies/", {"title": "Ligar", "body": "Posso ligar agora?"}).status_code == 302
    assert browser.get("/leads/quick-replies/").content.decode().count('data-testid="quick-reply"') == 2
    assert "Boas-vindas" in login(world["bruno"]).get("/leads/quick-replies/").content.decode()
    assert "Ligar" not in login(world["bruno"]).get("/leads/quick-replies/").content.decode()
    assert "Boas-vindas" not in login(world["carla"]).get("/leads/quick-replies/").content.decode()

    from leads.models import QuickReply

    team_reply = QuickReply.objects.get(title="Boas-vindas")
    own = QuickReply.objects.get(title="Ligar")
    assert browser.post(f"/leads/quick-replies/{team_reply.pk}/", {"title": "x", "body": "y"}).status_code == 404
    assert login(world["bruno"]).post(f"/leads/quick-replies/{own.pk}/delete/").status_code == 404

    # On the lead page, the snippet goes into the send box with the variables filled, after what Ana typed.
    panel = browser.get(f"/leads/{lead.pk}/whatsapp/").content.decode()
    assert 'data-testid="wa-quick"' in panel and "Boas-vindas" in panel
    box = browser.get(
        f"/leads/{lead.pk}/whatsapp/quick-reply/",
        {"quick_reply": team_reply.pk, "body": "Bom dia!"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    text = "Oi Maria, aqui é Ana! Vi que procura apartamento em Campinas."
    assert 'id="wa-body"' in box and f"Bom dia!\n{text}" in box
    sent = browser.post(
        f"/leads/{lead.pk}/whatsapp/text/",
        {"number": wa.number.pk, "to": _phone(lead), "body": f"Bom dia!\n{text}"},
        HTTP_HX_REQUEST="true",
    )
    assert sent.status_code == 200
    assert [m["payload"]["text"]["body"] for m in wa.sent] == [f"Bom dia!\n{text}"]
    # A snippet of another team cannot be used on one's lead.
    carla_reply = QuickReply.objects.create(title="B", body="segredo", owner=world["carla"])
    other = browser.get(f"/leads/{lead.pk}/whatsapp/quick-reply/", {"quick_reply": carla_reply.pk})
    assert other.status_code == 404

    # Edit and delete (the delete button asks first, through the CSP-safe dialog).
    assert (
        browser.post(f"/leads/quick-replies/{own.pk}/", {"title": "Ligar já", "body": "Posso ligar?"}).status_code
        == 302
    )
    listing = browser.get("/leads/quick-replies/").content.decode()
    assert "Ligar já" in listing and "data-confirm=" in listing
    assert browser.post(f"/leads/quick-replies/{own.pk}/delete/").status_code == 302
    assert not QuickReply.objects.filter(pk=own.pk).exists()


def test_the_panel_refreshes_its_thread_without_wiping_the_send_box(world, meta_post, wa, login):
    lead = world["leads"]["ana"][0]
    meta_post(inbound_text_body(wa_id=_phone(lead).lstrip("+"), text="primeira"))
    browser = login(world["ana"])
    live = browser.get(f"/leads/{lead.pk}/whatsapp/?live=open", HTTP_HX_REQUEST="true")
    body = live.content.decode()
    assert "primeira" in body and 'id="wa-body"' not in body and "HX-Retarget" not in live
    # The window closed since the page was drawn: the whole panel comes back (template picker instead of the box).
    from whatsapp.models import ServiceWindow

    ServiceWindow.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    changed = browser.get(f"/leads/{lead.pk}/whatsapp/?live=open", HTTP_HX_REQUEST="true")
    assert changed["HX-Retarget"] == "#whatsapp-panel" and 'data-testid="window-closed"' in changed.content.decode()


def test_new_lead_notifications_are_grouped_and_name_the_lead(world, login):
    """Issue #21: "Notifications are grouped ("32 novos leads para você") and name the lead" — not "lead #4268"."""
    from leads.models import Lead

    supervisor = login(world["sup_a"])
    bruno = world["bruno"]
    first = world["leads"]["ana"][0]
    Lead.objects.filter(pk=first.pk).update(full_name="Maria Aparecida Souza")
    supervisor.post(f"/atribuicao/leads/{first.pk}/atribuir/", {"consultant": bruno.pk, "reason": "cobrir férias"})
    page = login(bruno).get("/notificacoes/").content.decode()
    assert "Maria S." in page and "Novo lead para você" in page and "lead #" not in page
    assert "Maria Aparecida Souza" not in page  # a list names the person, it does not spell them out

    for lead in (world["leads"]["ana"][1], world["unassigned_a"]):
        supervisor.post(f"/atribuicao/leads/{lead.pk}/atribuir/", {"consultant": bruno.pk, "reason": "redistribuição"})
    page = login(bruno).get("/notificacoes/").content.decode()
    assert "3 novos leads para você" in page and 'data-testid="notification-group"' in page
    assert "Maria S." in page  # inside the group's list of names
    # Once read, the group dissolves into the history, each line naming its lead.
    login(bruno).post("/notificacoes/lidas/")
    page = login(bruno).get("/notificacoes/").content.decode()
    assert "novos leads para você" not in page and page.count("Novo lead para você") == 3


def test_outside_the_window_reply_suggestions_offer_the_closest_template_instead_of_a_send_button(
    world, meta_post, wa, login, contact_hours_open
):
    """Issue #21: "outside the 24-hour window, reply suggestions offer the matching template instead of a send
    button that will fail"."""
    import html

    from whatsapp.models import Template

    lead = world["leads"]["ana"][0]
    for name, body in (
        ("visita_imovel", "Olá {{1}}, podemos agendar uma visita ao imóvel esta semana?"),
        ("segunda_via_boleto", "A segunda via do seu boleto está disponível."),
    ):
        Template.objects.create(
            account=wa.number.account,
            name=name,
            language="pt_BR",
            category="UTILITY",
            status="APPROVED",
            components=[{"type": "BODY", "text": body}],
        )
    browser = login(world["ana"])
    browser.post(f"/ai/leads/{lead.pk}/suggestions/", HTTP_HX_REQUEST="true")
    from ai_middleware.models import Suggestion

    suggestion = Suggestion.objects.filter(lead_id=lead.pk).latest("id")
    page = html.unescape(browser.get(f"/ai/leads/{lead.pk}/suggestions/{suggestion.pk}/").content.decode())
    assert suggestion.drafts and 'data-testid="suggestions-outside-window"' in page
    assert "Enviar este" not in page and f"/leads/{lead.pk}/whatsapp/text/" not in page
    assert page.count('data-testid="draft-template"') == len(suggestion.drafts)
    assert "visita_imovel" in page  # the drafts talk about the property, not about a payment slip

    sent = browser.post(
        f"/leads/{lead.pk}/whatsapp/template/",
        {
            "number": wa.number.pk,
            "to": _phone(lead),
            "template": Template.objects.get(name="visita_imovel").pk,
            "body_param": ["Maria"],
        },
        HTTP_HX_REQUEST="true",
    )
    assert sent.status_code == 200
    assert [m["payload"]["template"]["name"] for m in wa.sent] == ["visita_imovel"]

    # Once the person writes back, the window is open and the drafts go as they are.
    meta_post(inbound_text_body(wa_id=_phone(lead).lstrip("+"), text="pode ser sábado"))
    page = html.unescape(browser.get(f"/ai/leads/{lead.pk}/suggestions/{suggestion.pk}/").content.decode())
    assert "suggestions-outside-window" not in page and f"/leads/{lead.pk}/whatsapp/text/" in page


def test_a_quick_reply_title_is_used_once_per_scope(world, login):
    """Issue #22: duplicate titles were accepted. A title is used once per scope — a team's quick replies, or one
    person's own — whatever its case; the form says so in Portuguese and keeps what was typed. The same title in
    another scope (the other team, a personal one, a teammate's personal one) is fine."""
    from leads.models import QuickReply

    team_a = world["team_a"]
    boss = login(world["sup_a"])
    welcome = {"title": "Boas-vindas", "body": "Olá {{primeiro_nome}}!", "scope": str(team_a.pk)}
    assert boss.post("/leads/quick-replies/", welcome).status_code == 302
    again = boss.post("/leads/quick-replies/", {**welcome, "title": " boas-VINDAS ", "body": "Outro texto"})
    page = again.content.decode()
    assert again.status_code == 400
    assert "A equipe Equipe A já tem uma resposta rápida chamada “boas-VINDAS”: escolha outro título." in page
    assert "Outro texto" in page  # what was typed is kept

    other_team = {"title": "Boas-vindas", "body": "Oi!", "scope": str(world["team_b"].pk)}
    assert login(world["sup_b"]).post("/leads/quick-replies/", other_team).status_code == 302
    ana = login(world["ana"])
    assert ana.post("/leads/quick-replies/", {"title": "Boas-vindas", "body": "Oi, sou a Ana"}).status_code == 302
    twice = ana.post("/leads/quick-replies/", {"title": "BOAS-VINDAS", "body": "Oi de novo"})
    assert twice.status_code == 400
    assert "Você já tem uma resposta rápida chamada “BOAS-VINDAS”: escolha outro título." in twice.content.decode()
    assert (
        login(world["bruno"]).post("/leads/quick-replies/", {"title": "Boas-vindas", "body": "Oi"}).status_code == 302
    )

    # Editing: renaming onto a title taken in the scope is refused; changing only the case of one's own is not.
    assert ana.post("/leads/quick-replies/", {"title": "Ligar", "body": "Posso ligar?"}).status_code == 302
    ligar = QuickReply.objects.get(owner=world["ana"], title="Ligar")
    renamed = ana.post(f"/leads/quick-replies/{ligar.pk}/", {"title": "boas-vindas", "body": "Posso ligar?"})
    assert renamed.status_code == 400 and "escolha outro título" in renamed.content.decode()
    assert ana.post(f"/leads/quick-replies/{ligar.pk}/", {"title": "LIGAR", "body": "Posso ligar?"}).status_code == 302
    assert QuickReply.objects.filter(title__iexact="boas-vindas").count() == 4


def _marketing_consent(lead) -> None:
    """The lead ticked the marketing box on the web form (the consent a marketing template needs)."""
    from compliance.models import ConsentChannel, ConsentPurpose, ConsentSource, ConsentStatus, LegalBasis
    from compliance.services.consent import consent_record, consent_text_current

    consent_record(
        contact=_phone(lead),
        kind="phone",
        purpose=ConsentPurpose.MARKETING,
        channel=ConsentChannel.ANY,
        legal_basis=LegalBasis.CONSENT,
        status=ConsentStatus.GRANTED,
        source=ConsentSource.FORM,
        text=consent_text_current(ConsentPurpose.MARKETING),
    )


def test_a_marketing_template_whose_footer_says_how_to_stop_is_sent_from_the_lead_page(
    world, wa, login, contact_hours_open
):
    """Issue #21 user test: the demo's marketing template ("… Responda SAIR" in its footer) was always refused from
    the lead page — the content check read the body alone — while the same template went out in bulk sends."""
    from whatsapp.models import Template

    lead = world["leads"]["ana"][0]
    _marketing_consent(lead)
    invite = Template.objects.create(
        account=wa.number.account,
        name="convite_lancamento",
        language="pt_BR",
        category="MARKETING",
        status="APPROVED",
        components=[
            {"type": "BODY", "text": "Olá {{1}}! O lançamento {{2}} abre visitas esta semana. Quer agendar?"},
            {"type": "FOOTER", "text": "Responda SAIR para não receber mais mensagens."},
        ],
    )
    browser = login(world["ana"])
    fields = {"number": wa.number.pk, "to": _phone(lead), "template": invite.pk, "body_param": ["Maria", "Jardins"]}
    page = browser.post(f"/leads/{lead.pk}/whatsapp/template/", fields, HTTP_HX_REQUEST="true").content.decode()
    assert "precisam dizer como deixar de recebê-las" not in page
    assert [m["payload"]["template"]["name"] for m in wa.sent] == ["convite_lancamento"]
    assert "Responda SAIR" in page  # the thread shows what the person reads, footer included

    # Without the footer's instruction, the same marketing template is refused, and says why.
    invite.components = invite.components[:1]
    invite.save(update_fields=["components"])
    page = browser.post(f"/leads/{lead.pk}/whatsapp/template/", fields, HTTP_HX_REQUEST="true").content.decode()
    assert "precisam dizer como deixar de recebê-las" in page and len(wa.sent) == 1


def test_a_marketing_template_from_the_lead_page_goes_from_a_number_that_may_send_marketing(
    world, wa, login, contact_hours_open, django_capture_on_commit_callbacks
):
    """Issue #21 user re-check: a marketing template was pinned to the number shown in the panel, a new one in its
    warm-up days (no marketing yet): it waited forever as "no number available" beside a warmed-up number. A
    template that opens a conversation is not pinned: the pipeline sends it from a number that may."""
    from antiban.tasks import outbox_dispatch_task
    from whatsapp.models import PhoneNumber, Template

    fresh = PhoneNumber.objects.create(
        account=wa.number.account, phone_number_id="109999999999999", display_number="+5511955550009"
    )
    wa.number_add(fresh.phone_number_id, fresh.display_number, wa.number.account.waba_id)
    lead = world["leads"]["ana"][0]
    _marketing_consent(lead)
    invite = Template.objects.create(
        account=wa.number.account,
        name="convite_lancamento",
        language="pt_BR",
        category="MARKETING",
        status="APPROVED",
        components=[
            {"type": "BODY", "text": "Olá {{1}}! Visitas abertas esta semana."},
            {"type": "FOOTER", "text": "Responda SAIR para não receber mais mensagens."},
        ],
    )
    browser = login(world["ana"])
    fields = {"number": fresh.pk, "to": _phone(lead), "template": invite.pk, "body_param": ["Maria"]}
    with django_capture_on_commit_callbacks(execute=False):
        browser.post(f"/leads/{lead.pk}/whatsapp/template/", fields, HTTP_HX_REQUEST="true")
    outbox_dispatch_task()
    assert [(m["number"], m["payload"]["template"]["name"]) for m in wa.sent] == [
        (wa.number.phone_number_id, "convite_lancamento")
    ]
