"""Issue #19, break 16: reply suggestions answer objections in the ECPR frame — empathize, clarify, present (the
team's answer from the objection library), respond/confirm — offline (the local writer) and through an LLM (the prompt
asks for it; the answer is validated against it). README: "Reply suggestions on the lead page (… 2–3 drafts in the
stage's tone, objections answered from the objection library, editable, sent only by the consultant)"."""

from __future__ import annotations

import html
import re

import pytest

from ai_middleware.models import ObjectionReply, Suggestion
from ai_middleware.testserver import OpenAITestServer
from tests.factories import LeadFactory, consultant

pytestmark = pytest.mark.django_db

OBJECTIONS = ["price", "timing", "trust", "financing", "location", "spouse_decision"]
STEPS = ("empathize", "clarify", "present", "confirm")


def _library() -> dict[str, str]:
    return {row.objection: row.text for row in ObjectionReply.objects.filter(stage="", is_active=True)}


def _ask_for_suggestions(browser, lead) -> tuple[Suggestion, str]:
    page = browser.post(f"/ai/leads/{lead.pk}/suggestions/", HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    suggestion = Suggestion.objects.filter(lead_id=lead.pk).latest("id")
    shown = browser.get(f"/ai/leads/{lead.pk}/suggestions/{suggestion.pk}/", HTTP_HX_REQUEST="true")
    return suggestion, html.unescape(shown.content.decode())


def _assert_ecpr(draft: dict, *, team_answer: str) -> None:
    frame = draft["ecpr"]
    assert frame is not None, draft
    assert all(frame[step].strip() for step in STEPS)
    assert not frame["empathize"].rstrip().endswith("?")  # acknowledges, does not ask
    assert frame["clarify"].rstrip().endswith("?")  # asks what the real concern is
    assert frame["present"].strip() == team_answer.strip()  # the team's answer
    assert frame["confirm"].rstrip().endswith("?")  # checks that it answers the concern
    positions = [draft["text"].index(frame[step].strip()) for step in STEPS]
    assert positions == sorted(positions)  # the message says them in ECPR order


@pytest.mark.parametrize("objection", OBJECTIONS)
def test_offline_drafts_answer_each_objection_in_the_ecpr_frame(login, objection):
    """With no LLM configured, the consultant asks for suggestions on the lead page; the draft that answers the
    lead's objection empathizes, clarifies, presents the team's answer and confirms, in that order."""
    owner = consultant(username=f"cons-{objection}", first_name="Carol")
    lead = LeadFactory(
        owner=owner,
        full_name="Ana Lima",
        stage="qualified",
        attributes={"ai": {"intent": "interested", "objections": [objection]}},
    )
    suggestion, page = _ask_for_suggestions(login(owner), lead)

    assert suggestion.provider == "local" and suggestion.objections == [objection]
    answering = [d for d in suggestion.drafts if d["handles"] == [objection]]
    assert len(answering) == 1
    _assert_ecpr(answering[0], team_answer=_library()[objection])
    assert answering[0]["ecpr"]["empathize"].startswith(("Entendo, Ana", "Você tem toda razão", "Faz todo sentido"))
    assert answering[0]["text"] in page  # what the consultant edits and sends
    others = [d for d in suggestion.drafts if not d["handles"]]
    assert others and all(d["ecpr"] is None for d in others)  # ECPR is for objections


def test_the_llm_is_asked_for_ecpr_and_its_objection_drafts_are_framed(
    login, settings, celery_eager, django_capture_on_commit_callbacks
):
    """With an OpenAI-compatible provider, the prompt the model receives (the active ``suggestions`` prompt) spells
    out the four ECPR steps in order, and the drafts that come back for the lead's objections carry them."""
    owner = consultant(username="cons-llm", first_name="Carol")
    lead = LeadFactory(
        owner=owner,
        full_name="Ana Lima",
        stage="qualified",
        attributes={"ai": {"intent": "interested", "objections": ["price", "financing"]}},
    )
    browser = login(owner)
    with OpenAITestServer(api_key="test-key") as server:
        settings.AI_LLM_BASE_URL, settings.AI_LLM_API_KEY = server.base_url, "test-key"
        settings.AI_LLM_MODEL, settings.AI_LLM_TIMEOUT_S = "gpt-4o-mini", 5.0
        settings.AI_FALLBACK_BASE_URL = settings.AI_FALLBACK_API_KEY = ""
        with django_capture_on_commit_callbacks(execute=True):  # the ai queue (eager here) writes the drafts
            browser.post(f"/ai/leads/{lead.pk}/suggestions/", HTTP_HX_REQUEST="true")
        sent = server.state.last_body["messages"]

    system = sent[0]["content"]
    assert "ECPR" in system
    steps = [system.index(f"{n}. {step}") for n, step in enumerate(STEPS, start=1)]
    assert steps == sorted(steps)
    assert re.search(r"clarify \(Clarificar\).*\?", system) and "confirm (Responder/confirmar)" in system
    library = _library()
    assert library["price"] in sent[1]["content"]  # the team's answers travel with the request

    suggestion = Suggestion.objects.get(lead_id=lead.pk)
    assert suggestion.provider == "llm" and suggestion.prompt.version == 2
    framed = {d["handles"][0]: d for d in suggestion.drafts if d["handles"]}
    assert set(framed) == {"price", "financing"}
    for objection, draft in framed.items():
        _assert_ecpr(draft, team_answer=library[objection])
