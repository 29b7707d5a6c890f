"""One language (issue #21, "One language": "a test renders every page as each role and fails on untranslated
strings from a list of English tokens and on raw enum codes").

The URL conf is walked like the access matrix does; every HTML page answering GET is rendered in pt-BR as a
consultant, a supervisor and an admin (the Django admin index, every changelist and a change form of each model
too), over a stocked world: a lead with an AI profile read from a real WhatsApp message, scores, a segmentation,
possible duplicates found by the real import dedup, an import waiting for its column mapping and one done, bulk
sends of every light, timeline events of every kind, notifications of every kind. The visible text of each page
(no <script>/<style>/<code>/<pre>/<textarea>, no attributes, no e-mails or URLs) must hold:

* none of ``ENGLISH`` (whole words; the leaks the issue found and English function words);
* no raw code of a ``TextChoices`` of the project where its label should be (a code that is also a Portuguese
  word, or that equals its own label, cannot be told apart and is skipped).
"""

from __future__ import annotations

import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from ai_middleware.models import MessageDraft, Suggestion
from ai_middleware.services import extraction_for_event
from antiban.bulk import bulk_send_create
from antiban.models import Incident, Severity
from assignment.models import Notification, NotificationKind
from assignment.services import consultant_profile_get_or_create, lead_assign, lead_assign_to
from compliance.roles import Role
from leads.ingest.pipeline import import_job_create, import_job_mapping_set, import_job_run
from leads.models import (
    ContactKind,
    ContactPoint,
    DuplicateReview,
    EventChannel,
    EventKind,
    LeadStage,
)
from leads.services import lead_change_stage, lead_tags_set
from leads.services.timeline import timeline_event_record
from qualification.models import LeadScore, Segmentation
from qualification.services import config_draft_create, leads_score
from tests.factories import UserFactory
from tests.scenarios.test_access_matrix import all_patterns
from whatsapp.models import Message, MessageStatus, Template
from whatsapp.services import whatsapp_demo_number_ensure

# --- What must never be visible in a pt-BR page ------------------------------------------------------------------
ENGLISH = [
    # the leaks issue #21 found
    "warm", "cold", "hot", "interested", "apartment", "house", "same e-mail", "different name", "full_name",
    "phone2", "first_name", "champions", "promising", "dormant", "engaged", "lukewarm", "at_risk", "proposal",
    "GREEN", "YELLOW", "RED", "TIER_", "draft", "pending", "approved", "rejected", "Access attempts",
    "TOTP devices", "Ingest requests", "BRL", "None", "True", "False", "wants_info", "price_question",
    "not_interested", "positive", "neutral", "negative", "medium", "awareness", "consideration", "decision",
    "unknown", "price", "timing", "trust", "financing", "location", "roulette", "rebalance", "generalist",
    "shares a contact", "in the file",
    # English words a Portuguese sentence never holds: an untranslated string shows at least one of them
    "the", "and", "with", "of", "is", "are", "not", "this", "your", "you", "by", "from", "yet", "here",
    "lead source", "lead sources", "was changed", "was added", "Select", "to change", "Add", "Change", "Delete",
    "Search", "Filter", "Yes", "Unknown", "empty", "null", "admin action", "closed",
]  # fmt: skip
CASE_SENSITIVE = {"GREEN", "YELLOW", "RED", "BRL", "None", "True", "False", "Add", "Change", "Delete", "Search",
                  "Filter", "Yes", "Unknown", "Select"}  # fmt: skip

# Codes of choices that cannot be told from Portuguese text or from a deliberate abbreviation.
CODE_SKIP = {
    "leads.BrazilianState",  # "Campinas/SP": the UF is the label people use
    "whatsapp.Direction",  # "in"/"out" are never shown
}
SKIP_TAGS = {"script", "style", "code", "pre", "textarea", "template", "noscript", "svg"}
# E-mails, URLs, paths and phone numbers are data; so is "<unknown>", django-axes' stored placeholder for a
# request without a user agent.
EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|/[\w./-]+/|\+?\d[\d ()-]{7,}\d|<unknown>")


class _VisibleText(HTMLParser):
    """The text a person sees: element text outside scripts, code and form values; attributes never."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if not any(t in SKIP_TAGS for t in self.stack):
            self.chunks.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return EMAIL_OR_URL.sub(" ", " ".join(parser.chunks))


def _word(token: str) -> re.Pattern:
    """A whole word (``TIER_`` is a prefix: ``TIER_1K``)."""
    flags = 0 if token in CASE_SENSITIVE else re.IGNORECASE
    end = "" if token.endswith("_") else r"(?![\w-])"
    return re.compile(rf"(?<![\w-]){re.escape(token)}{end}", flags)


ENGLISH_PATTERNS = [(token, _word(token)) for token in ENGLISH]


def _portuguese_words() -> set[str]:
    """Every word of the pt-BR catalogue: a code that is also a Portuguese word is not a leak when seen."""
    import django
    import polib
    from django.conf import settings

    catalogues = [Path(settings.BASE_DIR) / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"]
    catalogues += [Path(django.__file__).parent / "contrib" / app / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"
                   for app in ("admin", "auth")]  # fmt: skip
    words = set()
    for catalogue in catalogues:
        for entry in polib.pofile(str(catalogue)):
            for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                words.update(w.lower() for w in re.findall(r"\w+", text))
    return words


def raw_code_patterns() -> list[tuple[str, str, re.Pattern]]:
    """(choices class, code, pattern) for every TextChoices of the project's apps whose code differs from its
    pt-BR label and is not a Portuguese word."""
    portuguese = _portuguese_words()
    seen = set()
    out = []
    for choices in _project_choices():
        name = f"{choices.__module__.split('.')[0]}.{choices.__name__}"
        if name in CODE_SKIP:
            continue
        with translation.override("pt-br"):
            for value, label in choices.choices:
                code = str(value)
                if not code or code.lower() == str(label).lower() or code.lower() in portuguese:
                    continue
                if code in seen:
                    continue
                seen.add(code)
                out.append((name, code, re.compile(rf"(?<![\w/#.=-]){re.escape(code)}(?![\w/-]|\.\w)")))
    return out


def _project_choices():
    """Every TextChoices defined in a module of one of the project's apps (models, roles…)."""
    import importlib
    import inspect

    found = []
    for config in apps.get_app_configs():
        if ".venv" in str(config.path) or "site-packages" in str(config.path):
            continue
        for module_name in ("models", "roles"):
            try:
                module = importlib.import_module(f"{config.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                ours = obj.__module__.startswith(config.name) and obj not in found
                if ours and issubclass(obj, models.TextChoices) and obj is not models.TextChoices:
                    found.append(obj)
    return found


# --- A stocked world ------------------------------------------------------------------------------------------------
MESSAGE = "Oi! Tenho interesse num apartamento de 400 mil em Campinas, mas achei o preço alto. Dá pra financiar?"


def _csv(text: str) -> Path:
    path = Path(tempfile.mkdtemp()) / "planilha.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def stocked(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    sup, ana = world["sup_a"], world["ana"]
    admin = UserFactory(username="admin_i18n", role=Role.ADMIN, is_staff=True, is_superuser=True)
    for person in (ana, world["bruno"]):
        consultant_profile_get_or_create(person)
    number = whatsapp_demo_number_ensure()
    Template.objects.get_or_create(
        account=number.account, name="boas_vindas", language="pt_BR",
        defaults={"status": "APPROVED", "category": "MARKETING", "components": [{"type": "BODY", "text": "Oi {{1}}"}]},
    )  # fmt: skip
    lead = world["leads"]["ana"][0]
    lead.budget_min = lead.budget_max = 400_000
    lead.interest_type = "apartment"
    lead.save()
    phone = lead.contact_points.get(kind=ContactKind.PHONE)
    ContactPoint.objects.create(lead=lead, kind=ContactKind.EMAIL, value="cliente.i18n@exemplo.com.br", is_primary=True)

    # The timeline: every kind of event, most through the services that write them.
    inbound = timeline_event_record(
        lead=lead, kind=EventKind.MESSAGE_IN, channel=EventChannel.WHATSAPP, payload={"text": MESSAGE}
    )
    Message.objects.create(
        number=number, contact=phone.value, direction="in", kind="text", text=MESSAGE,
        status=MessageStatus.READ,
    )  # fmt: skip
    extraction_for_event(event_id=inbound.pk, provider_name="local")
    lead_change_stage(lead=lead, actor=ana, stage=LeadStage.CONTACTED, reason="ligou de volta")
    lead_change_stage(lead=lead, actor=ana, stage=LeadStage.PROPOSAL, reason="")
    lead_tags_set(lead=lead, actor=ana, paths=["interesse/apartamento"])
    payloads = {
        EventKind.CREATED: {"source": lead.source.name},
        EventKind.UPDATED: {"changes": {"city": {"from": "", "to": "Campinas"}}},
        EventKind.NOTE: {"text": "Prefere contato à tarde."},
        EventKind.MESSAGE_OUT: {"text": "Olá! Posso ajudar?"},
        EventKind.CALL: {"text": "Ligação de 3 minutos."},
        EventKind.MEETING: {"text": "Visita ao decorado."},
        EventKind.CONTACT_ADDED: {"kind": "email", "value": "cliente.i18n@exemplo.com.br"},
        EventKind.INTEREST_AGAIN: {"source": lead.source.name},
        EventKind.MERGED: {"merged_lead_id": 1, "reason": "same phone, different name"},
        EventKind.CONSENT: {"purpose": "marketing", "status": "granted"},
        EventKind.CORRECTION: {"field": "intent", "from": "other", "to": "interested"},
    }
    for kind, payload in payloads.items():
        timeline_event_record(lead=lead, kind=kind, channel=EventChannel.SYSTEM, payload=payload)

    # Scores for everyone; the roulette and a supervisor assign (owner changes with their reasons).
    unassigned = world["unassigned_a"]
    leads_score(lead_ids=[lead.pk, unassigned.pk, *[x.pk for x in world["leads"]["bruno"]]])
    lead_assign(lead_id=unassigned.pk)
    lead_assign_to(lead_id=world["leads"]["bruno"][0].pk, consultant=ana, actor=sup, reason="")
    LeadScore.objects.filter(lead=lead).update(segment="champions")
    Segmentation.objects.create(
        k=3, silhouette=0.41, silhouettes={"2": 0.3, "3": 0.41}, features=["budget"], leads=120, monotonic=True,
        segments=[
            {"key": "champions", "rank": 1, "size": 40, "value": 0.8, "outcome_rate": 0.5, "closed": 12},
            {"key": "promising", "rank": 2, "size": 40, "value": 0.5, "outcome_rate": 0.2, "closed": 11},
            {"key": "dormant", "rank": 3, "size": 40, "value": 0.1, "outcome_rate": 0.05, "closed": 10},
        ],
    )  # fmt: skip

    # Imports: one waiting for its column mapping, one done (its duplicates go to review, by the real dedup).
    source = world["source"]
    waiting = import_job_create(
        path=_csv("Nome completo;Telefone 2;E-mail\nMaria Souza;11 98888-1111;maria@exemplo.com.br\n"),
        original_name="feira.csv", source=source, actor=sup,
    )  # fmt: skip
    done = import_job_create(
        path=_csv(f"Nome;Telefone;E-mail\nRoberta Lima;{phone.value};cliente.i18n@exemplo.com.br\n"),
        original_name="base-antiga.csv", source=source, actor=sup,
    )  # fmt: skip
    import_job_mapping_set(job=done, mapping=done.mapping)
    import_job_run(job_id=done.pk)
    if not DuplicateReview.objects.exists():
        DuplicateReview.objects.create(
            lead=lead, candidate=world["leads"]["ana"][1], reason="same e-mail, different name", confidence=0.7
        )

    # Bulk sends, notifications, AI rows, an incident.
    audience = [{"lead_id": lead.pk, "contact": phone.value, "name": "Cliente"}]
    bulk = bulk_send_create(
        name="Lançamento Jardins", variants=[{"name": "boas_vindas", "language": "pt_BR"}], audience=audience,
        created_by=sup,
    )  # fmt: skip
    for kind in NotificationKind.values:
        for person in (ana, sup):
            Notification.objects.create(
                user=person, kind=kind, lead_id=lead.pk, data={"consultant": "Ana", "reason": "SLA estourado"}
            )
    suggestion = Suggestion.objects.create(
        lead_id=lead.pk, provider="local", drafts=[{"text": "Olá! Posso te ligar?", "handles": ["price"]}],
        objections=["price"], tone="cordial", created_by=ana,
    )  # fmt: skip
    MessageDraft.objects.create(
        goal="Convite para o lançamento", tone="cordial", text="Olá {{1}}, conheça o lançamento!", checks=[],
        status="usable", provider="local", created_by=sup,
    )  # fmt: skip
    Incident.objects.create(number=number, severity=Severity.HIGH, reason="qualidade caiu para amarelo")
    config_draft_create(actor=admin, notes="pesos novos")
    message = Message.objects.filter(contact=phone.value).first()
    return {
        "world": world, "admin": admin, "lead": lead, "job": waiting, "done": done, "bulk": bulk,
        "number": number, "suggestion": suggestion, "message": message, "contact": phone,
        "review": DuplicateReview.objects.first(), "routed": unassigned,
    }  # fmt: skip


# --- Pages ----------------------------------------------------------------------------------------------------------
KWARGS = {
    "lead_id": lambda s: s["lead"].pk,
    "job_id": lambda s: s["job"].pk,
    "review_id": lambda s: s["review"].pk,
    "bulk_id": lambda s: s["bulk"].pk,
    "number_id": lambda s: s["number"].pk,
    "suggestion_id": lambda s: s["suggestion"].pk,
    "message_id": lambda s: s["message"].pk,
    "contact_id": lambda s: s["contact"].pk,
    "user_id": lambda s: s["world"]["ana"].pk,
}


def page_urls(stocked) -> list[str]:
    """Every non-API, non-admin pattern reversed with the stocked world's objects (the import detail twice: the
    mapping step and the summary)."""
    urls = []
    for name, route, _entry in all_patterns():
        if name.startswith("admin:") or route.startswith("api/") or "webhook" in name or "download" in name:
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if any(p not in KWARGS for p in params):
            continue
        try:
            urls.append(reverse(name, kwargs={p: KWARGS[p](stocked) for p in params}))
        except NoReverseMatch:
            continue
    urls.append(reverse("leads:import_detail", kwargs={"job_id": stocked["done"].pk}))
    routed = stocked["routed"].pk  # handed out by the roulette: its reasons on the timeline and the card
    urls += [reverse("leads:detail", args=[routed]), reverse("assignment:lead_card", args=[routed])]
    return urls


def admin_urls() -> list[str]:
    """The admin's index and every model's changelist."""
    urls = [reverse("admin:index")]
    for model in django_admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


def leaks(html: str, codes) -> list[str]:
    """Each leak with the text around it."""
    text = visible_text(html)
    found = []
    for what, pattern in [(f"English {t!r}", p) for t, p in ENGLISH_PATTERNS] + [
        (f"raw code {code!r} ({where})", p) for where, code, p in codes
    ]:
        match = pattern.search(text)
        if match:
            around = " ".join(text[max(0, match.start() - 60) : match.end() + 60].split())
            found.append(f"{what} … {around}")
    return found


def test_every_page_speaks_portuguese_for_every_role(stocked):
    """Issue #21 "One language": every page, as each role, in pt-BR: zero English tokens, zero raw codes."""
    codes = raw_code_patterns()
    world = stocked["world"]
    people = {"consultant": world["ana"], "supervisor": world["sup_a"], "admin": stocked["admin"]}
    failures, checked = [], 0
    for who, user in people.items():
        browser = Client(HTTP_ACCEPT_LANGUAGE="pt-br")
        browser.force_login(user)
        urls = page_urls(stocked) + (admin_urls() if who == "admin" else [])
        for url in urls:
            response = browser.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            checked += 1
            failures += [f"{who} {url}: {leak}" for leak in leaks(response.content.decode(), codes)]
    assert checked > 60, f"only {checked} pages rendered"
    assert not failures, f"{len(failures)} leaks:\n" + "\n".join(failures)


def test_the_checker_sees_leaks_and_ignores_code_and_attributes():
    """The checker itself: visible English and raw codes are found; scripts, attributes, URLs are not read."""
    codes = [c for c in raw_code_patterns() if c[1] in ("warm", "same_phone", "sent_as_is")]
    assert leaks('<p>Classe: <span class="class-warm">warm</span></p>', codes)
    assert leaks("<td>400000 – 400000 BRL</td>", codes)
    assert not leaks('<p data-value="warm">Morno</p><script>var warm = 1;</script><code>full_name</code>', codes)
    assert not leaks('<a href="/leads/?stage=proposal">Proposta</a> <p>ana@house.com.br</p>', codes)
    assert leaks("<td>TIER_1K</td>", codes) and not leaks("<p>Quente · Morno · Frio</p>", codes)


def test_a_draft_reads_rascunho_and_admin_messages_have_no_gender(stocked):
    """Issue #21: "Redigir" for a draft (should read "Rascunho"), "O origem de leads … foi alterado"."""
    browser = Client(HTTP_ACCEPT_LANGUAGE="pt-br")
    browser.force_login(stocked["admin"])
    configs = visible_text(browser.get(reverse("admin:qualification_scoringconfig_changelist")).content.decode())
    assert "Rascunho" in configs and "Redigir" not in configs
    source = stocked["world"]["source"]
    page = browser.get(reverse("admin:leads_leadsource_change", args=[source.pk]))
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    response = browser.post(reverse("admin:leads_leadsource_change", args=[source.pk]), data, follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    assert said.startswith("Alterações salvas:") and "O origem" not in said, said
