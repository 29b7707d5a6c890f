"""Query counts on every page and API route (issue #22 item 7: "query counts asserted on every list and detail
page and API", not only on the lead lists' page sizes in tests/leads/test_views.py, once leads/tests/
test_query_counts.py).

The URL space is the access matrix's (``tests/scenarios/test_access_matrix.py``): the same walk of the URL conf, the
same ``RULES``/``PUBLIC`` builders for path parameters and the same two-team ``matrix`` world. Here each pattern
that answers GET is requested by the person it is for (``VIEWERS``: a consultant by default, an integrator's token
for /api/, nobody for public pages), once in a world with 2 of every kind of object (leads, timeline events,
messages, tasks, notifications, suggestions, imports, reviews, numbers, bulk sends, quick replies, ...) and once
after 10 more of each were added. The count must not grow with the data (no N+1) and must be within the pattern's
``BUDGETS`` entry. A pattern that is neither in ``BUDGETS`` nor in ``NOT_PAGES`` fails, so a new view gets a budget
the day it is added.

Each count is of the second of two identical requests with Redis emptied before the first, so one-off writes of a
first visit (the session loaded into the cache, a token's last_used_at, a consultant's "seen") are not counted and
a count from the small world cannot be served to the large one from the cache.

The worlds are built once per module run (``measured``): the first test builds them inside its transaction and
measures every pattern; the others read the numbers.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from ai_middleware.models import AiCall, Extraction, LearningEvent, MessageDraft, Prompt, Suggestion
from antiban.models import BulkSend, Incident, OutboxMessage
from assignment.models import Assignment, Notification, OwnerMove, Task, Team
from assignment.services import consultant_profile_get_or_create
from compliance.models import SubjectRequest
from leads.models import (
    BulkChange,
    ContactKind,
    ContactPoint,
    DuplicateReview,
    EventChannel,
    EventKind,
    ImportJob,
    Lead,
    QuickReply,
    SavedView,
)
from leads.selectors import lead_list_columns
from leads.services.timeline import timeline_event_record
from qualification.models import LeadScore, ScoreHistory
from tests.factories import LeadFactory, consultant
from tests.scenarios.test_access_matrix import (  # noqa: F401 (matrix: the access matrix's world, a fixture)
    PUBLIC,
    RULES,
    _body,
    _client,
    _methods,
    app_patterns,
    matrix,
)
from whatsapp.models import Message, PhoneNumber

SMALL, MORE = 2, 10  # objects of each kind in the small world; added for the large one

# Each pattern's count as measured on 2026-12-07 (the same in both worlds), plus MARGIN for a query a reviewer agrees
# to add. Lower a budget when a page gets cheaper; raise it only with a reason in the commit. Counts include what
# every request pays (the session and user, the notifications badge, a token's lookup) and, on paginated lists,
# the bounded count's estimate, time budget and savepoint (common.pagination).
MARGIN = 2
BUDGETS: dict[str, int] = {
    "home": 3 + MARGIN,
    "healthz": 1 + MARGIN,
    "readyz": 1 + MARGIN,
    "favicon": 0 + MARGIN,
    "login": 0 + MARGIN,
    "password_reset": 0 + MARGIN,
    "password_reset_done": 0 + MARGIN,
    "password_reset_confirm": 10 + MARGIN,
    "password_reset_complete": 0 + MARGIN,
    "two_factor_setup": 6 + MARGIN,
    "two_factor_verify": 3 + MARGIN,
    "set_language": 0 + MARGIN,
    "leads:list": 12 + MARGIN,
    "leads:export": 8 + MARGIN,
    "leads:create": 6 + MARGIN,
    "leads:detail": 12 + MARGIN,
    "leads:edit": 5 + MARGIN,
    "leads:whatsapp_inbox": 8 + MARGIN,
    "leads:whatsapp_panel": 23 + MARGIN,
    "leads:whatsapp_media": 11 + MARGIN,
    "leads:whatsapp_quick_reply": 5 + MARGIN,
    "leads:quick_replies": 5 + MARGIN,
    "leads:quick_reply_edit": 4 + MARGIN,
    "leads:import_upload": 5 + MARGIN,
    "leads:import_detail": 4 + MARGIN,
    "leads:import_report": 4 + MARGIN,
    "leads:review_queue": 7 + MARGIN,
    "whatsapp:numbers": 4 + MARGIN,
    "antiban:dashboard": 12 + MARGIN,
    "bulk_send_new": 6 + MARGIN,
    "ai:learning": 8 + MARGIN,
    "ai:drafts": 4 + MARGIN,
    "ai:lead_insights": 6 + MARGIN,
    "ai:suggestion": 10 + MARGIN,
    "privacy_request": 0 + MARGIN,
    "privacy_status": 1 + MARGIN,
    "privacy_download": 2 + MARGIN,
    "web_form": 2 + MARGIN,
    "assignment:supervisor_home": 14 + MARGIN,
    "assignment:load": 10 + MARGIN,
    "assignment:owner_move_status": 4 + MARGIN,
    "assignment:queue": 6 + MARGIN,
    "assignment:notifications": 9 + MARGIN,
    "assignment:notifications_badge": 4 + MARGIN,
    "assignment:lead_card": 7 + MARGIN,
    "assignment:board": 10 + MARGIN,
    "assignment:board_column": 10 + MARGIN,
    "assignment:tasks": 6 + MARGIN,
    "assignment:lead_tasks": 7 + MARGIN,
    "assignment:calendar": 5 + MARGIN,
    "assignment:calendar_feed": 3 + MARGIN,
    "qualification:overview": 9 + MARGIN,
    "qualification:lead_card": 7 + MARGIN,
    "api:leads": 11 + MARGIN,
    "api:leads_export": 7 + MARGIN,
    "api:lead_detail": 6 + MARGIN,
    "api:lead_timeline": 11 + MARGIN,
    "antiban_metrics": 7 + MARGIN,
    "lead_ai": 5 + MARGIN,
    "lead_qualification": 6 + MARGIN,
    "lead_assignment": 5 + MARGIN,
    "team_load": 4 + MARGIN,
    "api-schema": 0 + MARGIN,
    "api-docs": 0 + MARGIN,
}

# Patterns that are no page: GET answers 405 (checked below), or only Meta's signed webhook handshake.
POST_ONLY = "POST only: GET answers 405"
HANDSHAKE = "GET is Meta's subscription handshake (hub.challenge against the verify token): no data read"
NOT_PAGES: dict[str, str] = {
    "logout": POST_ONLY,
    "leads:saved_view_create": POST_ONLY,
    "leads:saved_view_delete": POST_ONLY,
    "leads:bulk_tag": POST_ONLY,
    "leads:bulk_stage": POST_ONLY,
    "leads:bulk_undo": POST_ONLY,
    "leads:bulk_export": POST_ONLY,
    "leads:note_create": POST_ONLY,
    "leads:stage_change": POST_ONLY,
    "leads:referral_create": POST_ONLY,
    "leads:contact_opt_out": POST_ONLY,
    "leads:whatsapp_text": POST_ONLY,
    "leads:whatsapp_template": POST_ONLY,
    "leads:whatsapp_rich": POST_ONLY,
    "leads:whatsapp_retry": POST_ONLY,
    "leads:quick_reply_delete": POST_ONLY,
    "leads:review_decide": POST_ONLY,
    "whatsapp:number_toggle": POST_ONLY,
    "antiban:bulk_decide": POST_ONLY,
    "antiban:warmup_start": POST_ONLY,
    "ai:lead_suggestions": POST_ONLY,
    "ai:suggestion_discard": POST_ONLY,
    "assignment:consultant_pause": POST_ONLY,
    "assignment:consultant_rebalance": POST_ONLY,
    "assignment:bulk_assign": POST_ONLY,
    "assignment:owner_move_undo": POST_ONLY,
    "assignment:capacity_raise": POST_ONLY,
    "assignment:waiting_assign": POST_ONLY,
    "assignment:waiting_spread": POST_ONLY,
    "assignment:notifications_read": POST_ONLY,
    "assignment:lead_assign": POST_ONLY,
    "assignment:board_move": POST_ONLY,
    "assignment:task_done": POST_ONLY,
    "assignment:task_snooze": POST_ONLY,
    "assignment:calendar_feed_rotate": POST_ONLY,
    "google_ads_webhook": POST_ONLY,
    # DRF views: their methods are their handlers (no GET handler, no GET route).
    "api:leads_ingest": POST_ONLY,
    "api:lead_stage": POST_ONLY,
    "api:lead_notes": POST_ONLY,
    "api:lead_whatsapp_messages": POST_ONLY,
    "token_issue": POST_ONLY,
    "token_revoke": "DELETE only",
    "privacy_request_create": POST_ONLY,
    "ai_extract": POST_ONLY,
    "whatsapp_webhook": HANDSHAKE,
    "facebook_leadgen_webhook": HANDSHAKE,
}

# Who looks at each page. Default: a consultant (HTML), an integrator's token (/api/), nobody (public patterns).
VIEWERS: dict[str, str] = {
    "leads:list": "admin",  # every team's leads
    "leads:export": "admin",
    "leads:whatsapp_inbox": "admin",
    "leads:import_upload": "supervisor",
    "leads:import_detail": "supervisor",
    "leads:import_report": "supervisor",
    "leads:review_queue": "supervisor",
    "whatsapp:numbers": "supervisor",
    "antiban:dashboard": "supervisor",
    "bulk_send_new": "supervisor",
    "ai:learning": "supervisor",
    "ai:drafts": "supervisor",
    "assignment:supervisor_home": "supervisor",
    "assignment:load": "supervisor",
    "assignment:owner_move_status": "supervisor",
    "assignment:board": "supervisor",
    "assignment:board_column": "supervisor",
    "qualification:overview": "supervisor",
    "two_factor_setup": "supervisor",  # consultants without a device are not asked to set one up
}

# What a page answers when it is no 200 page (a redirect is still a GET worth counting).
STATUS: dict[str, int] = {
    "home": 302,  # to the person's start page
    "favicon": 301,  # to the static icon
    "set_language": 302,  # back where one came from
}

HEADERS: dict[str, dict] = {
    "assignment:board_column": {"HTTP_HX_REQUEST": "true"},  # an htmx fragment (a plain GET goes to the list)
}


def _newest_new_lead(m: dict) -> dict:
    """The board column's "ver mais" after its first card: the rest of the column."""
    lead = Lead.objects.filter(team=m["sides"]["A"].lead.team, stage="new").order_by("-created_at", "-id").first()
    return {"after": lead.pk}


def _every_column(m: dict) -> dict:
    """The lead list with every column shown (the apps' columns too: score, class, next task), not the defaults."""
    return {"cols": [key for key, _label in lead_list_columns()]}


# Query strings some pages need to answer with data, or to show all they can, from the world.
PARAMS: dict[str, object] = {
    "leads:list": _every_column,
    "assignment:board_column": _newest_new_lead,
}

# Pages that show more in the large world (their body is longer): proof that the added objects reach them, so their
# equal counts mean something. A page whose body stops growing here no longer exercises its list.
SHOWS_MORE = {
    "leads:list",
    "leads:export",
    "leads:detail",
    "leads:whatsapp_inbox",
    "leads:whatsapp_panel",
    "leads:quick_replies",
    "leads:import_upload",
    "leads:review_queue",
    "whatsapp:numbers",
    "antiban:dashboard",
    "ai:learning",
    "ai:drafts",
    "ai:lead_insights",
    "assignment:supervisor_home",
    "assignment:load",
    "assignment:queue",
    "assignment:notifications",
    "assignment:board",
    "assignment:board_column",
    "assignment:tasks",
    "assignment:lead_tasks",
    "assignment:calendar",
    "assignment:calendar_feed",
    "qualification:overview",
    "qualification:lead_card",
    "api:leads",
    "api:leads_export",
    "api:lead_detail",
    "api:lead_timeline",
    "antiban_metrics",
    "lead_ai",
    "lead_qualification",
    "team_load",
}

# Patterns whose count does grow with the data today, with the reason it is not fixed yet. Prefer fixing.
KNOWN_GROWTH: dict[str, str] = {}


# --- The worlds ---------------------------------------------------------------------------------------------------
def _public_kwargs(name: str, m: dict, side) -> dict | None:
    """Path parameters naming a real object for the public pages whose matrix rule names none (the matrix wants
    their 404)."""
    if name == "web_form":
        return {"token": m["form_token"]}
    if name == "privacy_status":
        return {"public_id": m["privacy"].public_id}
    if name == "privacy_download":
        return {"public_id": m["privacy"].public_id, "fmt": "json"}
    return None


def _setup(m: dict) -> None:
    """What some pages need beyond the matrix world: a published web form, a finished privacy request, and on each
    team's lead an AI profile, a score and a current assignment (the assignment API answers 404 without one)."""
    source = m["world"]["source"]
    source.public_token = "formulario-contagem"
    source.save(update_fields=["public_token"])
    m["form_token"] = source.public_token
    now = timezone.now()
    privacy = SubjectRequest.objects.create(
        public_id=uuid.uuid4(),
        kind="access",
        status="completed",
        channel="public_page",
        requester_name="Titular",
        contact="titular@example.com",
        contact_kind="email",
        due_at=now + timedelta(days=15),
        completed_at=now,
    )
    privacy.export_json.save("meus-dados.json", ContentFile(b"{}"))
    m["privacy"] = privacy
    for side in m["sides"].values():
        # The lead pages' AI and score cards: a profile read from messages, a current score (their lists grow).
        profile = {"intent": "visit", "city": "São Paulo", "questions": ["Aceita financiamento?"]}
        Lead.objects.filter(pk=side.lead.pk).update(
            attributes={"ai": profile, "ai_provenance": {"intent": {"provider": "offline", "confidence": 0.9}}}
        )
        LeadScore.objects.create(
            lead=side.lead,
            score=80.0,
            category="hot",
            confidence=0.8,
            action="schedule_meeting",
            sla_minutes=15,
            config_version=1,
            trigger="message",
        )
        Assignment.objects.create(
            lead=side.lead,
            consultant=side.consultant,
            team=side.lead.team,
            kind="manual",
            sla_minutes=30,
            due_at=now + timedelta(minutes=30),
            actor=side.supervisor,
        )


def _grow(m: dict, n: int, round_: int) -> None:
    """``n`` more objects of every kind the pages list, on both teams: leads with history, and on each team's
    viewed lead more notes, messages, tasks, suggestions and contacts; imports, reviews, numbers, bulk sends, quick
    replies, saved views, moves, bulk changes, notifications, AI drafts and calls."""
    now = timezone.now()
    world = m["world"]
    for side in m["sides"].values():
        team = side.lead.team
        actors = [side.consultant, side.supervisor, m["admin"]]
        number = side.number
        for i in range(n):
            tag = f"r{round_}-{side.letter}-{i}"
            lead = LeadFactory(
                owner=side.consultant,
                team=team,
                source=world["source"],
                tags=[f"perfil/p{i % 3}", f"campanha/{tag}"],
                email=f"{tag}@contagem.example",
            )
            timeline_event_record(lead=lead, kind=EventKind.CREATED, channel=EventChannel.WEB, actor=side.consultant)
            timeline_event_record(
                lead=lead, kind=EventKind.NOTE, channel=EventChannel.WEB, actor=actors[i % 3], payload={"text": tag}
            )
            phone = lead.contact_points.get(kind=ContactKind.PHONE).value
            Message.objects.create(number=number, contact=phone, direction="in", kind="text", text=tag, status="read")
            Task.objects.create(
                lead_id=lead.pk, owner=side.consultant, kind="call", due_at=now + timedelta(hours=i + 1)
            )
            Notification.objects.create(user=side.consultant, kind="assigned", lead_id=lead.pk, data={})
            Notification.objects.create(user=side.supervisor, kind="breach", lead_id=lead.pk, data={})
            Assignment.objects.create(
                lead=lead,
                consultant=side.consultant,
                team=team,
                kind="roulette",
                sla_minutes=30,
                due_at=now + timedelta(minutes=30 + i),
            )
            score = 90.0 - i
            category = ("hot", "warm", "cold")[i % 3]
            LeadScore.objects.create(
                lead=lead,
                score=score,
                category=category,
                confidence=0.7,
                action="send_material",
                sla_minutes=60,
                config_version=1,
                trigger="created",
            )
            ScoreHistory.objects.create(
                lead=lead, score=score, category=category, confidence=0.7, config_version=1, trigger="created"
            )
            # The viewed lead's own history.
            timeline_event_record(
                lead=side.lead,
                kind=(EventKind.NOTE, EventKind.STAGE_CHANGED, EventKind.TASK)[i % 3],
                channel=EventChannel.WEB,
                actor=actors[i % 3],
                payload={"text": f"nota {tag}", "from": "new", "to": "contacted"},
            )
            ContactPoint.objects.create(lead=side.lead, kind=ContactKind.EMAIL, value=f"{tag}@lead.example")
            ScoreHistory.objects.create(
                lead=side.lead, score=70.0 + i, category="hot", confidence=0.8, config_version=1, trigger="message"
            )
            Message.objects.create(
                number=number,
                contact=side.contact.value,
                direction=("in", "out")[i % 2],
                kind="text",
                text=f"mensagem {tag}",
                status=("read", "delivered", "failed")[i % 3],
                sent_by_id=side.consultant.pk if i % 2 else None,
                created_at=now - timedelta(minutes=n - i),
            )
            Task.objects.create(
                lead_id=side.lead.pk,
                owner=side.consultant,
                kind="visit",
                due_at=now + timedelta(days=i % 5, hours=1),
                created_by=actors[i % 3],
            )
            suggestion = Suggestion.objects.create(
                lead_id=side.lead.pk, provider="offline", drafts=[{"text": f"Rascunho {tag}"}], created_by=actors[i % 3]
            )
            prompt = Prompt.objects.create(key=f"prompt-{tag}", system="Responda", template="{message}")
            LearningEvent.objects.create(prompt=prompt, kind="edited", lead_id=side.lead.pk, suggestion=suggestion)
            call = AiCall.objects.create(task="extraction", provider="offline", outcome="ok", prompt=prompt)
            Extraction.objects.create(
                lead_id=side.lead.pk,
                text=f"quero visitar {tag}",
                result={"intent": "visit"},
                provider="offline",
                prompt=prompt,
                call=call,
            )
            # One more consultant on the team and one more team of the supervisor's (supervisor pages list both).
            member = consultant(username=f"consultor-{tag}")
            team.members.add(member)
            consultant_profile_get_or_create(member)
            Team.objects.create(name=f"Equipe {tag}", supervisor=side.supervisor).members.add(member)
            twin = LeadFactory(full_name=f"Gêmea {tag}", owner=side.consultant, team=team, source=world["source"])
            job = ImportJob.objects.create(
                source=world["source"],
                original_name=f"planilha-{tag}.csv",
                file_kind="csv",
                content_hash=uuid.uuid4().hex,
                created_by=side.supervisor,
                rows_total=3,
                rejected=1,
            )
            DuplicateReview.objects.create(
                lead=side.lead, candidate=twin, reason="same name", confidence=0.8, import_job=job
            )
            extra = PhoneNumber.objects.create(
                account=number.account,
                phone_number_id=f"pn-{tag}",
                display_number=f"+55119{5555_0000 + round_ * 100 + i + (50 if side.letter == 'B' else 0):08d}",
            )
            Incident.objects.create(number=extra, severity="low", reason=f"qualidade {tag}")
            bulk = BulkSend.objects.create(
                name=f"Campanha {tag}",
                variants=[{"name": "boas_vindas", "language": "pt_BR"}],
                audience=[{"lead_id": lead.pk, "contact": phone, "name": "Cliente"}],
                light="green",
                light_reasons=[],
                status=("released", "rejected", "pending")[i % 3],
                created_by_id=side.supervisor.pk,
            )
            OutboxMessage.objects.create(
                contact=phone, lead_id=lead.pk, priority=2, payload={"type": "template"}, bulk=bulk
            )
            QuickReply.objects.create(owner=side.consultant, title=f"Pessoal {tag}", body="Oi {{primeiro_nome}}")
            QuickReply.objects.create(team=team, title=f"Equipe {tag}", body="Bom dia")
            SavedView.objects.create(user=side.consultant, name=f"Vista {tag}", query="sort=name")
            SavedView.objects.create(user=side.supervisor, name=f"Vista {tag}", query="stage=new")
            OwnerMove.objects.create(
                kind="bulk_assign",
                actor=side.supervisor,
                entries=[{"lead": lead.pk, "from": None, "to": side.consultant.pk}],
                finished_at=now,
            )
            BulkChange.objects.create(
                kind="stage", actor=side.supervisor, value="qualified", entries=[{"lead": lead.pk, "from": "new"}]
            )
            MessageDraft.objects.create(
                goal=f"objetivo {tag}",
                tone="cordial",
                text="Olá",
                status="usable",
                provider="offline",
                created_by=side.supervisor,
            )


def _viewer(name: str, route: str) -> str:
    if name in VIEWERS:
        return VIEWERS[name]
    if name in PUBLIC:
        return "anonymous"
    return "integrator" if route.startswith("api/") else "consultant"


def _get(client, url: str, headers: dict):
    """One GET, its body read (a streamed file's queries run while it is read)."""
    response = client.get(url, **headers)
    return response, _body(response)


def _measure_world(m: dict, clients: dict) -> dict:
    """For every pattern: (status, number of queries, their SQL, length of the body) of a warmed GET by its viewer;
    for NOT_PAGES, the status of a GET."""
    side = m["sides"]["A"]
    found = {}
    for name, route, entry in app_patterns():
        rule = RULES.get(name) or PUBLIC.get(name)
        if rule is None:
            continue  # test_every_pattern_has_a_budget names it
        cache.clear()  # before the builders: /readyz's worker heartbeat is in the cache
        kwargs = _public_kwargs(name, m, side)
        if kwargs is None:
            kwargs = (rule.kwargs or [lambda other, own: {}])[0](side, side)
        url = reverse(name, kwargs=kwargs)
        if name in PARAMS:
            url += "?" + urlencode(PARAMS[name](m), doseq=True)
        headers = HEADERS.get(name, {})
        client = clients[_viewer(name, route)]
        if name in NOT_PAGES:
            if route.startswith("api/"):
                found[name] = ("GET" in _methods(entry) and 200) or 405, 0, [], 0
            else:
                found[name] = client.get(url, **headers).status_code, 0, [], 0
            continue
        try:
            _get(client, url, headers)
            with CaptureQueriesContext(connection) as ctx:
                response, text = _get(client, url, headers)
        except Exception as exc:  # reported on the pattern's own test
            found[name] = (f"{type(exc).__name__}: {exc}", -1, [], 0)
            continue
        found[name] = (
            response.status_code,
            len(ctx.captured_queries),
            [q["sql"] for q in ctx.captured_queries],
            len(text),
        )
    return found


_MEASURED: dict = {}


@pytest.fixture
def measured(request, db):
    """Both worlds' counts, measured once per module run (by whichever test comes first, in its transaction)."""
    if not _MEASURED:
        m = request.getfixturevalue("matrix")
        _setup(m)
        side = m["sides"]["A"]
        people = {
            "consultant": side.consultant,
            "supervisor": side.supervisor,
            "admin": m["admin"],
            "integrator": m["integrator"],
        }
        clients = {"anonymous": Client()}
        session = clients["anonymous"].session
        session[f"privacy:{m['privacy'].public_id}"] = True  # the browser that proved it owns the privacy request
        session.save()
        for who, user in people.items():
            clients[who] = _client(user, api=who == "integrator")
        _grow(m, SMALL, 0)
        small = _measure_world(m, clients)
        _grow(m, MORE, 1)
        large = _measure_world(m, clients)
        _MEASURED.update(small=small, large=large)
    return _MEASURED


# --- The checks ---------------------------------------------------------------------------------------------------
def test_every_pattern_has_a_budget():
    """A pattern of the URL conf is a page with a budget or is named as no page; nothing stale."""
    names = {name for name, _route, _entry in app_patterns() if not name.startswith("admin:")}
    missing = sorted(names - set(BUDGETS) - set(NOT_PAGES))
    assert not missing, (
        "These URL patterns have no query budget: measure them (test_query_count says the count when it fails) and add "
        f"them to BUDGETS in tests/test_query_counts_every_page.py, or to NOT_PAGES if GET is refused: {missing}"
    )
    described = [BUDGETS, NOT_PAGES, VIEWERS, STATUS, HEADERS, PARAMS, SHOWS_MORE, KNOWN_GROWTH]
    stale = sorted(set().union(*described) - names)
    assert not stale, f"Budgets for patterns that no longer exist: {stale}"
    both = sorted(set(BUDGETS) & set(NOT_PAGES))
    assert not both, f"A pattern is either a page with a budget or no page: {both}"


def test_post_only_patterns_refuse_get(measured):
    """What NOT_PAGES names (webhook handshakes aside) answers GET with 405: a GET added to one of them needs a
    budget instead."""
    wrong = {
        name: measured["small"][name][0]
        for name, reason in NOT_PAGES.items()
        if reason != HANDSHAKE and name in measured["small"] and measured["small"][name][0] != 405
    }
    assert not wrong, f"These answer GET (move them from NOT_PAGES to BUDGETS): {wrong}"


def _shape(sql: str) -> str:
    """A statement without its values (ids and literals differ between the worlds)."""
    return re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "?", sql))[:200]


def _growth(small_sql: list, large_sql: list) -> str:
    """The statements the large world ran more often than the small one (what an N+1 looks like)."""
    small, large = Counter(map(_shape, small_sql)), Counter(map(_shape, large_sql))
    grown = [(shape, small[shape], n) for shape, n in large.items() if n > small[shape]]
    return "\n".join(f"  {before} → {after} × {shape}" for shape, before, after in grown)


@pytest.mark.parametrize(
    "name", [name for name, _route, _entry in app_patterns() if not name.startswith("admin:") and name not in NOT_PAGES]
)
def test_query_count(name, measured):
    """The pattern's page costs the same number of queries with 2 or 12 of everything, within its budget."""
    assert name in measured["small"], f"{name} is not described in the access matrix (RULES or PUBLIC)"
    status_s, small, sql_s, size_s = measured["small"][name]
    status_l, large, sql_l, size_l = measured["large"][name]
    expected = STATUS.get(name, 200)
    assert status_s == expected and status_l == expected, f"{name}: GET answered {status_s}/{status_l}, not {expected}"
    budget = BUDGETS.get(name)
    assert budget is not None, f"{name} has no budget: today it runs {small} queries (small world), {large} (large)"
    if name not in KNOWN_GROWTH:
        grown = _growth(sql_s, sql_l)
        assert large <= small, (
            f"{name}: {small} queries with {SMALL} of each object, {large} with {SMALL + MORE}:\n{grown}"
        )
    assert large <= budget, f"{name}: {large} queries, over its budget of {budget}"
    if name in SHOWS_MORE:
        assert size_l > size_s, f"{name}: the page shows no more with {SMALL + MORE} of each object than with {SMALL}"
