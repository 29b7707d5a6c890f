"""The generated access matrix (issue #19, "How capabilities are proven": "for every URL pattern and API route,
every role of two teams, assert 404/403 where the object is not theirs").

The URL conf is walked (``django.urls.get_resolver``, recursively). Every pattern must be in ``RULES`` (how to fill
its path parameters with the OTHER team's objects, and what kind of page it is) or in ``PUBLIC``; the Django admin
is covered as admin-only. A pattern added tomorrow and not described here fails ``test_every_pattern_is_described``
(and its own matrix case), so a new view is covered the day it is added.

For each pattern, each method it answers, and each person — the supervisor and a consultant of team A looking at
team B's objects and the other way round, an admin, an integrator, an anonymous visitor — the answer is checked:
    * team people on another team's object: 403, 404 or 405 — never a 2xx, never a redirect to the object;
    * team people anywhere: the body never holds another team's people (names, phones, e-mails, import rows);
    * anonymous: a redirect to the login page (HTML) or 401/403 (API), except on public patterns;
    * nobody, ever: a 5xx.
Admins and integrators see every lead by the README's rule, so for them the matrix asserts no 5xx (and integrators
get no HTML page about an object). ``OWN_PAGES`` checks the other direction: each role gets 200 on its own objects
on the main pages (and sees its own people there), so the matrix fails if access is refused too broadly as well.

README: "Visibility by role is one rule: admins and integrators see every lead; supervisors see their teams' leads;
consultants see their own."
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from ai_middleware.models import Suggestion
from antiban.models import BulkSend
from assignment.models import Notification
from compliance.roles import Role
from compliance.services.tokens import SCOPES, api_token_issue
from leads.models import ContactKind, ContactPoint, DuplicateReview, ImportJob, Lead
from tests.factories import LeadFactory, UserFactory
from whatsapp.models import BusinessAccount, Message, PhoneNumber

LOGIN_URL = "/accounts/login/"
OBJECT = "object"  # path parameters name another team's objects: team people must be refused
SHARED = "shared"  # no team's object (a page of one's own, or a team-less resource such as a business number)


@dataclass
class Rule:
    kind: str
    kwargs: list = field(default_factory=list)  # builders: (other team, own team) -> path kwargs


def _lead(other, own):
    return {"lead_id": other.lead.pk}


def _saved_view(side):
    from leads.models import SavedView

    return SavedView.objects.create(user=side.consultant, name=f"Vista {uuid.uuid4().hex[:8]}", query="sort=name")


def _owner_move(side):
    from assignment.models import OwnerMove

    # "to" names nobody: an admin's undo in the matrix finds the lead changed since and leaves it alone.
    entry = {"lead": side.lead.pk, "from": None, "to": -1, "assignment": None, "previous_assignment": None}
    return OwnerMove.objects.create(
        kind="bulk_assign", actor=side.supervisor, entries=[entry], finished_at=side.lead.created_at
    )


def _bulk_change(side):
    from leads.models import BulkChange

    # The event id names nothing: an admin's undo in the matrix finds the lead changed since and leaves it alone.
    entry = {"lead": side.lead.pk, "from": "new", "event": -1}
    return BulkChange.objects.create(kind="stage", actor=side.supervisor, value="qualified", entries=[entry])


def _quick_reply_of(side):
    """A personal quick reply of the other team's consultant (nobody else may change or use it)."""
    from leads.models import QuickReply

    reply, _created = QuickReply.objects.get_or_create(
        owner=side.consultant, title=f"Resposta Matriz-{side.letter}", defaults={"body": "Oi {{primeiro_nome}}"}
    )
    return {"reply_id": reply.pk}


def mixed(builder):
    """Kwargs naming one's OWN lead with another team's sub-object (a contact, a message, a suggestion): refused
    with 403/404, or inside one's own lead panel (an HTMX swap saying "not in this conversation") — never with the
    other team's data."""
    builder.mixed = True
    return builder


def _task(side):
    """A task of the other team's consultant on their lead (tasks: owner and whoever sees the lead)."""
    from assignment.models import Task

    return Task.objects.create(lead_id=side.lead.pk, owner=side.consultant, kind="visit", due_at=side.lead.created_at)


def _feed(side):
    """The other team's consultant's secret .ics address: whoever holds it reads only that person's agenda."""
    from assignment.task_services import calendar_feed_rotate

    return calendar_feed_rotate(user=side.consultant)


# Every non-admin pattern of the URL conf, by name. A pattern missing here fails the matrix.
RULES: dict[str, Rule] = {
    "home": Rule(SHARED),
    "logout": Rule(SHARED),
    "two_factor_setup": Rule(SHARED),
    "two_factor_verify": Rule(SHARED),
    "leads:list": Rule(SHARED),
    "leads:detail": Rule(OBJECT, [_lead]),
    "leads:edit": Rule(OBJECT, [_lead]),
    "leads:note_create": Rule(OBJECT, [_lead]),
    "leads:stage_change": Rule(OBJECT, [_lead]),
    "leads:referral_create": Rule(OBJECT, [_lead]),
    "leads:contact_opt_out": Rule(
        OBJECT,
        [
            lambda other, own: {"lead_id": other.lead.pk, "contact_id": other.contact.pk},
            mixed(lambda other, own: {"lead_id": own.lead.pk, "contact_id": other.contact.pk}),
        ],
    ),
    "leads:whatsapp_inbox": Rule(SHARED),
    "leads:whatsapp_panel": Rule(OBJECT, [_lead]),
    "leads:whatsapp_text": Rule(OBJECT, [_lead]),
    "leads:whatsapp_template": Rule(OBJECT, [_lead]),
    "leads:whatsapp_rich": Rule(OBJECT, [_lead]),
    "leads:create": Rule(SHARED),
    "leads:whatsapp_quick_reply": Rule(OBJECT, [_lead]),
    "leads:quick_replies": Rule(SHARED),
    "leads:quick_reply_edit": Rule(OBJECT, [lambda other, own: _quick_reply_of(other)]),
    "leads:quick_reply_delete": Rule(OBJECT, [lambda other, own: _quick_reply_of(other)]),
    "leads:export": Rule(SHARED),  # the list's own filters: one's visible leads only
    "leads:saved_view_create": Rule(SHARED),  # one's own saved views
    "leads:saved_view_delete": Rule(OBJECT, [lambda other, own: {"view_id": _saved_view(other).pk}]),
    "leads:bulk_tag": Rule(SHARED),  # the selection is checked lead by lead against what one may see
    "leads:bulk_stage": Rule(SHARED),
    "leads:bulk_export": Rule(SHARED),
    "leads:bulk_undo": Rule(OBJECT, [lambda other, own: {"change_id": _bulk_change(other).pk}]),
    "leads:whatsapp_retry": Rule(
        OBJECT,
        [
            lambda other, own: {"lead_id": other.lead.pk, "message_id": other.message.pk},
            mixed(lambda other, own: {"lead_id": own.lead.pk, "message_id": other.message.pk}),
        ],
    ),
    "leads:whatsapp_media": Rule(
        OBJECT,
        [
            lambda other, own: {"lead_id": other.lead.pk, "message_id": other.message.pk},
            mixed(lambda other, own: {"lead_id": own.lead.pk, "message_id": other.message.pk}),
        ],
    ),
    "leads:import_upload": Rule(SHARED),
    "leads:import_detail": Rule(OBJECT, [lambda other, own: {"job_id": other.job.pk}]),
    "leads:import_report": Rule(OBJECT, [lambda other, own: {"job_id": other.job.pk}]),
    "leads:review_queue": Rule(SHARED),
    "leads:review_decide": Rule(OBJECT, [lambda other, own: {"review_id": other.review.pk}]),
    # Business numbers and bulk sends belong to the operation, not to a team (any supervisor runs them).
    "whatsapp:numbers": Rule(SHARED),
    "whatsapp:number_toggle": Rule(SHARED, [lambda other, own: {"number_id": other.number.pk}]),
    "antiban:dashboard": Rule(SHARED),
    "bulk_send_new": Rule(SHARED),
    "antiban:bulk_decide": Rule(SHARED, [lambda other, own: {"bulk_id": other.bulk.pk}]),
    "antiban:warmup_start": Rule(SHARED, [lambda other, own: {"number_id": other.number.pk}]),
    "ai:learning": Rule(SHARED),
    "ai:drafts": Rule(SHARED),
    "ai:lead_insights": Rule(OBJECT, [_lead]),
    "ai:lead_suggestions": Rule(OBJECT, [_lead]),
    "ai:suggestion": Rule(
        OBJECT,
        [
            lambda other, own: {"lead_id": other.lead.pk, "suggestion_id": other.suggestion.pk},
            mixed(lambda other, own: {"lead_id": own.lead.pk, "suggestion_id": other.suggestion.pk}),
        ],
    ),
    "ai:suggestion_discard": Rule(
        OBJECT,
        [
            lambda other, own: {"lead_id": other.lead.pk, "suggestion_id": other.suggestion.pk},
            mixed(lambda other, own: {"lead_id": own.lead.pk, "suggestion_id": other.suggestion.pk}),
        ],
    ),
    "assignment:supervisor_home": Rule(SHARED),
    "assignment:load": Rule(SHARED),
    "assignment:consultant_pause": Rule(OBJECT, [lambda other, own: {"user_id": other.consultant.pk}]),
    "assignment:consultant_rebalance": Rule(OBJECT, [lambda other, own: {"user_id": other.consultant.pk}]),
    "assignment:queue": Rule(SHARED),
    "assignment:bulk_assign": Rule(SHARED),  # leads one may see, consultants of one's teams
    "assignment:owner_move_undo": Rule(OBJECT, [lambda other, own: {"move_id": _owner_move(other).pk}]),
    "assignment:owner_move_status": Rule(OBJECT, [lambda other, own: {"move_id": _owner_move(other).pk}]),
    "assignment:capacity_raise": Rule(SHARED),  # the supervisor's own teams only
    "assignment:waiting_assign": Rule(SHARED),
    "assignment:waiting_spread": Rule(SHARED),
    "assignment:notifications": Rule(SHARED),
    "assignment:notifications_badge": Rule(SHARED),
    "assignment:notifications_read": Rule(SHARED),
    "assignment:lead_card": Rule(OBJECT, [_lead]),
    "assignment:lead_assign": Rule(OBJECT, [_lead]),
    "assignment:board": Rule(SHARED),
    "assignment:board_move": Rule(OBJECT, [_lead]),
    "assignment:board_column": Rule(SHARED, [lambda other, own: {"stage": "new"}]),  # its cards: lead_list's rule
    "assignment:tasks": Rule(SHARED),
    "assignment:lead_tasks": Rule(OBJECT, [_lead]),
    "assignment:task_done": Rule(OBJECT, [lambda other, own: {"task_id": _task(other).pk}]),
    "assignment:task_snooze": Rule(OBJECT, [lambda other, own: {"task_id": _task(other).pk}]),
    "assignment:calendar": Rule(SHARED),
    "assignment:calendar_feed_rotate": Rule(SHARED),
    "qualification:overview": Rule(SHARED),
    "qualification:lead_card": Rule(OBJECT, [_lead]),
    "api:leads": Rule(SHARED),
    "api:leads_ingest": Rule(SHARED),
    "api:lead_detail": Rule(OBJECT, [_lead]),
    "api:lead_stage": Rule(OBJECT, [_lead]),
    "api:lead_timeline": Rule(OBJECT, [_lead]),
    "api:lead_notes": Rule(OBJECT, [_lead]),
    "api:leads_export": Rule(SHARED),
    "api:lead_whatsapp_messages": Rule(OBJECT, [_lead]),
    "token_revoke": Rule(OBJECT, [lambda other, own: {"token_id": other.token.pk}]),
    "privacy_request_create": Rule(SHARED),
    "antiban_metrics": Rule(SHARED),
    "lead_ai": Rule(OBJECT, [_lead]),
    "ai_extract": Rule(SHARED),
    "lead_qualification": Rule(OBJECT, [_lead]),
    "lead_assignment": Rule(OBJECT, [_lead]),
    "team_load": Rule(SHARED),
}


def _worker_reported() -> dict:
    """A Celery worker ran the heartbeat (as beat has it do every minute): /readyz is ready, so a 5xx there is a
    fault. No URL arguments."""
    from common.tasks import heartbeat_task

    heartbeat_task()
    return {}


# Patterns anyone may reach (still: never a 5xx, never a team's people in the body).
PUBLIC: dict[str, Rule] = {
    "healthz": Rule(SHARED),
    "favicon": Rule(SHARED),  # a redirect to the static icon
    "readyz": Rule(SHARED, [lambda other, own: _worker_reported()]),  # 503 (by design) until a worker reports
    "login": Rule(SHARED),
    "password_reset": Rule(SHARED),  # never says whether an address exists
    "password_reset_done": Rule(SHARED),
    "password_reset_confirm": Rule(SHARED, [lambda other, own: {"uidb64": "MQ", "token": "nao-vale"}]),
    "password_reset_complete": Rule(SHARED),
    "set_language": Rule(SHARED),
    "privacy_request": Rule(SHARED),  # the public privacy page (data-subject requests)
    "privacy_status": Rule(SHARED, [lambda other, own: {"public_id": uuid.uuid4()}]),
    "privacy_download": Rule(SHARED, [lambda other, own: {"public_id": uuid.uuid4(), "fmt": "json"}]),
    "web_form": Rule(SHARED, [lambda other, own: {"token": "nao-existe"}]),
    "whatsapp_webhook": Rule(SHARED),  # signed (X-Hub-Signature-256)
    "facebook_leadgen_webhook": Rule(SHARED),  # signed
    "google_ads_webhook": Rule(SHARED, [lambda other, own: {"source_id": other.lead.source_id}]),  # per-source key
    "token_issue": Rule(SHARED),  # username + password
    "api-schema": Rule(SHARED),
    "api-docs": Rule(SHARED),
    "assignment:calendar_feed": Rule(SHARED, [lambda other, own: {"token": _feed(other).token}]),  # the secret
}


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part) or None
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield name, prefix + str(entry.pattern), entry


def all_patterns() -> list[tuple[str, str, URLPattern]]:
    return list(_walk(get_resolver().url_patterns))


def app_patterns():
    return [(name, route, entry) for name, route, entry in all_patterns() if not name.startswith("admin:")]


def _methods(entry: URLPattern) -> list[str]:
    view_class = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
    if view_class is not None:
        return [m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]
    return ["GET", "POST"]


# --- The two teams' objects --------------------------------------------------------------------------------------
@dataclass
class TeamSide:
    letter: str
    supervisor: object
    consultant: object
    lead: Lead
    contact: ContactPoint
    message: Message
    suggestion: Suggestion
    job: ImportJob
    review: DuplicateReview
    token: object
    number: PhoneNumber
    bulk: BulkSend
    markers: list[str] = field(default_factory=list)


def _side(world, letter: str, number: PhoneNumber) -> TeamSide:
    team = world[f"team_{letter.lower()}"]
    sup = world[f"sup_{letter.lower()}"]
    consultant = world["ana"] if letter == "A" else world["carla"]
    members = list(team.members.all())
    # Distinctive names, so that a page holding another team's person is caught by a plain substring search.
    for lead in Lead.objects.filter(owner__in=members) | Lead.objects.filter(team=team):
        Lead.objects.filter(pk=lead.pk).update(full_name=f"Pessoa Matriz-{letter}-{lead.pk:05d}")
    lead = Lead.objects.filter(owner=consultant).order_by("pk").first()
    lead.refresh_from_db()
    ContactPoint.objects.create(
        lead=lead, kind=ContactKind.EMAIL, value=f"pessoa.{letter.lower()}@matriz.example", is_primary=True
    )
    twin = LeadFactory(full_name=f"Gêmea Matriz-{letter}", owner=consultant, team=team, source=world["source"])
    review = DuplicateReview.objects.create(lead=lead, candidate=twin, reason="same name", confidence=0.8)
    job = ImportJob.objects.create(
        source=world["source"],
        original_name=f"planilha-matriz-{letter}.csv",
        file_kind="csv",
        content_hash=uuid.uuid4().hex,
        created_by=sup,
        rows_total=1,
        rejected=1,
    )
    job.error_report.save(f"erros-{letter}.xlsx", ContentFile(f"Rejeitada Matriz-{letter};123".encode()))
    phone = lead.contact_points.get(kind=ContactKind.PHONE)
    message = Message.objects.create(
        number=number, contact=phone.value, direction="in", kind="text", text=f"Oi Matriz-{letter}", status="read"
    )
    message.media.save(f"foto-{letter}.jpg", ContentFile(b"\xff\xd8\xff jpeg"))
    suggestion = Suggestion.objects.create(
        lead_id=lead.pk, provider="offline", drafts=[{"text": f"Rascunho Matriz-{letter}"}], created_by=consultant
    )
    Notification.objects.create(user=consultant, kind="assigned", lead_id=lead.pk, data={})
    token, _key = api_token_issue(user=consultant, name=f"token {letter}", scopes=["leads:read"])
    bulk = BulkSend.objects.create(
        name=f"Campanha {letter}",
        variants=[{"name": "boas_vindas", "language": "pt_BR"}],
        audience=[{"lead_id": lead.pk, "contact": phone.value, "name": lead.full_name.split(" ")[0]}],
        light="yellow",
        light_reasons=[],
        status="waiting",
        created_by_id=sup.pk,
    )
    people = Lead.objects.filter(owner__in=members) | Lead.objects.filter(team=team)
    markers = [*people.values_list("full_name", flat=True)]
    markers += list(ContactPoint.objects.filter(lead__in=people).values_list("value", flat=True))
    markers += [job.original_name, f"Rejeitada Matriz-{letter}", f"Rascunho Matriz-{letter}", f"Oi Matriz-{letter}"]
    return TeamSide(
        letter, sup, consultant, lead, phone, message, suggestion, job, review, token, number, bulk, markers
    )


@pytest.fixture
def matrix(world):
    account = BusinessAccount.objects.create(name="Fluxo", waba_id="waba-matriz", access_token="t")
    number = PhoneNumber.objects.create(account=account, phone_number_id="pn-matriz", display_number="+5511955550001")
    sides = {"A": _side(world, "A", number), "B": _side(world, "B", number)}
    admin = UserFactory(username="matriz_admin", role=Role.ADMIN, is_staff=True)
    integrator = UserFactory(username="matriz_integrador", role=Role.INTEGRATOR)
    return {"sides": sides, "admin": admin, "integrator": integrator, "world": world}


def _client(user, *, api: bool, session: bool = False):
    """A browser (session) for pages; for API routes a token holding every scope, or the browser's session."""
    if api:
        client = APIClient()
        if user is not None and session:
            client.force_login(user)
        elif user is not None:
            _token, key = api_token_issue(user=user, name="matriz", scopes=sorted(SCOPES))
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _call(client, method: str, url: str, *, api: bool):
    if api:
        return getattr(client, method.lower())(url, {}, format="json")
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, {})


def _body(response) -> str:
    streaming = getattr(response, "streaming", False)
    content = b"".join(response.streaming_content) if streaming else response.content
    return content.decode("utf-8", errors="ignore")


# --- The matrix ---------------------------------------------------------------------------------------------------
def test_every_pattern_is_described():
    """Every URL pattern of the URL conf (API routes included) is in the matrix's tables, or in the admin."""
    unknown = [
        f"{name} ({route})" for name, route, _entry in app_patterns() if name not in RULES and name not in PUBLIC
    ]
    assert not unknown, (
        "These URL patterns are not in the access matrix: add each to RULES (how to fill its path parameters with "
        f"another team's objects) or to PUBLIC in tests/scenarios/test_access_matrix.py: {unknown}"
    )
    stale = sorted((set(RULES) | set(PUBLIC)) - {name for name, _r, _e in app_patterns()})
    assert not stale, f"The matrix describes patterns that no longer exist: {stale}"


@pytest.mark.parametrize("name", [name for name, _route, _entry in app_patterns()])
def test_access_matrix(name, matrix):
    """Issue #19 access matrix: for this pattern, every role of two teams, on the other team's objects."""
    rule = RULES.get(name) or PUBLIC.get(name)
    assert rule is not None, f"{name} is not in the access matrix (RULES or PUBLIC): describe it"
    public = name in PUBLIC
    entry = next(e for n, _r, e in app_patterns() if n == name)
    route = next(r for n, r, _e in app_patterns() if n == name)
    api = route.startswith("api/")
    sides = matrix["sides"]
    failures = []
    viewers = []
    for mine, theirs in (("A", "B"), ("B", "A")):
        own, other = sides[mine], sides[theirs]
        for builder in rule.kwargs or [lambda o, w: {}]:
            url = reverse(name, kwargs=builder(other, own))
            in_page = getattr(builder, "mixed", False)
            viewers += [
                ("anonymous", None, url, other, in_page),
                (f"consultant {mine}", own.consultant, url, other, in_page),
                (f"supervisor {mine}", own.supervisor, url, other, in_page),
            ]
    url_b = reverse(name, kwargs=(rule.kwargs or [lambda o, w: {}])[0](sides["B"], sides["A"]))
    viewers += [
        ("integrator", matrix["integrator"], url_b, None, False),
        ("admin", matrix["admin"], url_b, None, False),
    ]

    if api:  # the API answers tokens and browser sessions: both go through the same rule
        viewers = [(f"{who} ({auth})", *rest, auth) for who, *rest in viewers for auth in ("token", "session")]
    else:
        viewers = [(who, *rest, "session") for who, *rest in viewers]

    for who, user, url, other, in_page, auth in viewers:
        client = _client(user, api=api, session=auth == "session")
        for method in _methods(entry):
            response = _call(client, method, url, api=api)
            status = response.status_code
            where = f"{who} {method} {url} → {status}"
            if status >= 500:
                failures.append(f"{where}: server error")
                continue
            if other is not None:
                body = _body(response)
                leaked = [m for m in other.markers if m and m in body]
                if leaked:
                    failures.append(f"{where}: shows the other team's people {leaked[:3]}")
            if public:
                continue
            if user is None:
                to_login = status == 302 and response["Location"].startswith(LOGIN_URL)
                if not (to_login or status in (401, 403, 405)):
                    failures.append(f"{where}: an anonymous visitor must be sent to log in (or get 401/403)")
            elif rule.kind == OBJECT and other is not None and status not in (403, 404, 405) + ((200,) * in_page):
                failures.append(f"{where}: another team's object must be 403/404")
            elif who == "integrator" and rule.kind == OBJECT and not api and status not in (302, 403, 404, 405):
                failures.append(f"{where}: integrators have no HTML pages about an object")
    assert not failures, "\n".join(failures)


# --- The other direction: each role reaches its own objects -------------------------------------------------------
OWN_PAGES = [
    # (who, pattern, kwargs from (own side, other side), text that must be on the page)
    ("consultant", "leads:list", lambda own, other: {}, lambda own: own.lead.full_name),
    ("consultant", "leads:detail", lambda own, other: {"lead_id": own.lead.pk}, lambda own: own.lead.full_name),
    ("consultant", "leads:whatsapp_panel", lambda own, other: {"lead_id": own.lead.pk}, None),
    ("consultant", "leads:whatsapp_inbox", lambda own, other: {}, None),
    ("consultant", "ai:lead_insights", lambda own, other: {"lead_id": own.lead.pk}, None),
    (
        "consultant",
        "ai:suggestion",
        lambda own, other: {"lead_id": own.lead.pk, "suggestion_id": own.suggestion.pk},
        lambda own: own.suggestion.drafts[0]["text"],
    ),
    ("consultant", "qualification:lead_card", lambda own, other: {"lead_id": own.lead.pk}, None),
    ("consultant", "assignment:lead_card", lambda own, other: {"lead_id": own.lead.pk}, None),
    ("consultant", "assignment:queue", lambda own, other: {}, None),
    ("consultant", "assignment:notifications", lambda own, other: {}, None),
    ("consultant", "assignment:board", lambda own, other: {}, lambda own: own.lead.full_name),
    ("consultant", "assignment:tasks", lambda own, other: {}, None),
    ("consultant", "assignment:lead_tasks", lambda own, other: {"lead_id": own.lead.pk}, None),
    ("consultant", "assignment:calendar", lambda own, other: {}, None),
    ("supervisor", "assignment:board", lambda own, other: {}, lambda own: own.lead.full_name),
    ("consultant", "api:leads", lambda own, other: {}, lambda own: own.lead.full_name),
    ("consultant", "api:lead_detail", lambda own, other: {"lead_id": own.lead.pk}, lambda own: own.lead.full_name),
    ("consultant", "api:lead_timeline", lambda own, other: {"lead_id": own.lead.pk}, None),
    ("consultant", "lead_ai", lambda own, other: {"lead_id": own.lead.pk}, None),
    ("supervisor", "leads:list", lambda own, other: {}, lambda own: own.lead.full_name),
    ("supervisor", "leads:detail", lambda own, other: {"lead_id": own.lead.pk}, lambda own: own.lead.full_name),
    ("supervisor", "leads:review_queue", lambda own, other: {}, lambda own: own.review.candidate.full_name),
    ("supervisor", "leads:import_upload", lambda own, other: {}, lambda own: own.job.original_name),
    ("supervisor", "leads:import_detail", lambda own, other: {"job_id": own.job.pk}, lambda own: own.job.original_name),
    ("supervisor", "leads:import_report", lambda own, other: {"job_id": own.job.pk}, lambda own: "Rejeitada Matriz"),
    ("supervisor", "assignment:supervisor_home", lambda own, other: {}, None),
    ("supervisor", "assignment:load", lambda own, other: {}, None),
    ("supervisor", "assignment:lead_card", lambda own, other: {"lead_id": own.lead.pk}, None),
    ("supervisor", "qualification:overview", lambda own, other: {}, None),
    ("supervisor", "api:lead_detail", lambda own, other: {"lead_id": own.lead.pk}, lambda own: own.lead.full_name),
    ("supervisor", "team_load", lambda own, other: {}, None),
    # Admins and integrators see every team's leads (README): here, team B's.
    ("admin", "leads:detail", lambda own, other: {"lead_id": other.lead.pk}, lambda own: None),
    ("admin", "leads:review_queue", lambda own, other: {}, lambda own: None),
    ("admin", "leads:import_report", lambda own, other: {"job_id": other.job.pk}, lambda own: None),
    ("integrator", "api:lead_detail", lambda own, other: {"lead_id": other.lead.pk}, lambda own: None),
    ("integrator", "api:leads", lambda own, other: {}, lambda own: None),
]


@pytest.mark.parametrize("team", ["A", "B"])
def test_each_role_reaches_its_own_objects(team, matrix):
    """The other direction of the matrix: each role gets 200 on its own objects on the main pages (admins and
    integrators on any team's), with its own people on the page."""
    sides = matrix["sides"]
    own, other = sides[team], sides["B" if team == "A" else "A"]
    people = {
        "consultant": own.consultant,
        "supervisor": own.supervisor,
        "admin": matrix["admin"],
        "integrator": matrix["integrator"],
    }
    failures = []
    for who, name, kwargs, expected in OWN_PAGES:
        url = reverse(name, kwargs=kwargs(own, other))
        api = url.startswith("/api/")
        response = _call(_client(people[who], api=api), "GET", url, api=api)
        if response.status_code != 200:
            failures.append(f"{who} {team} GET {url} → {response.status_code}, expected 200")
            continue
        text = expected(own) if expected else None
        if text and text not in _body(response):
            failures.append(f"{who} {team} GET {url}: {text!r} is not on the page")
    assert not failures, "\n".join(failures)


ADMIN_ROLES = [Role.SUPERVISOR, Role.CONSULTANT, Role.INTEGRATOR]


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_the_django_admin_is_for_admins_only(role, db):
    """Every Django admin page without path parameters (index and each model's list) sends anyone but an admin
    to the admin login, even with the staff flag."""
    user = UserFactory(username=f"staff_{role.lower()}", role=role, is_staff=True)
    browser = Client()
    browser.force_login(user)
    public = {"admin:login", "admin:logout"}
    admin_pages = [
        (name, route)
        for name, route, entry in all_patterns()
        if name.startswith("admin:") and "<" not in route and name not in public
    ]
    assert admin_pages
    for name, route in admin_pages:
        response = browser.get("/" + route)
        assert response.status_code in (302, 404), f"{role} GET /{route} ({name}) → {response.status_code}"
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"]


def test_the_admin_reaches_the_django_admin(db):
    admin = UserFactory(username="matriz_admin", role=Role.ADMIN, is_staff=True)
    browser = Client()
    browser.force_login(admin)
    assert browser.get("/admin/").status_code == 200
