"""Facebook/Instagram Lead Ads: signed ``leadgen`` webhook → stored delivery → Graph fetch (httpx against the
loopback Graph simulator) → normalized, deduplicated lead with its ad references."""

import pytest

from leads.errors import LeadAdsTransientError
from leads.ingest.facebook import facebook_delivery_retry, facebook_lead_fetch
from leads.models import AdLeadDelivery, DeliveryStatus, Lead, LeadSource

pytestmark = pytest.mark.django_db
PAGE = "100000000000777"
URL = "/webhooks/facebook/leadgen/"


@pytest.fixture
def source():
    return LeadSource.objects.create(name="Facebook — Lançamento", kind="ads", page_id=PAGE, access_token="page-token")


def _answers(**overrides):
    answers = {
        "full_name": "JOÃO  DA SILVA",
        "phone_number": "+5511987654321",
        "email": "Joao.Silva@Example.com",
        "city": "sao paulo",
        "qual_o_valor_que_pretende_investir?": "entre 300 e 400 mil",
    }
    answers.update(overrides)
    return answers


def _deliver(client, graph, leadgen_id, django_capture_on_commit_callbacks, *, signature=None):
    body = graph.leadgen_notification(leadgen_id)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            URL,
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=signature or graph.signature(body),
        )
    return response, callbacks


def test_the_subscription_handshake_echoes_the_challenge_only_for_our_verify_token(client, graph):
    ok = client.get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "1158201444"}
    )
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    wrong = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"})
    assert wrong.status_code == 403
    assert b"1158201444" not in wrong.content


def test_a_signed_leadgen_notification_is_stored_then_fetched_into_a_lead_with_its_ad_ids(
    client, graph, source, django_capture_on_commit_callbacks
):
    graph.lead_add(
        "900001", answers=_answers(), page_id=PAGE, ad_id="31", adset_id="41", campaign_id="51", form_id="21"
    )
    response, callbacks = _deliver(client, graph, "900001", django_capture_on_commit_callbacks)
    assert (response.status_code, response.json()) == (200, {"stored": 1})
    assert len(callbacks) == 1  # the fetch is queued only once the delivery is committed
    delivery = AdLeadDelivery.objects.get()
    assert (delivery.status, delivery.source, delivery.leadgen_id) == (DeliveryStatus.PENDING, source, "900001")

    delivery = facebook_lead_fetch(delivery_id=delivery.pk)

    lead = Lead.objects.get()
    assert (delivery.status, delivery.lead, delivery.attempts) == (DeliveryStatus.DONE, lead, 1)
    assert (lead.full_name, lead.city, lead.campaign_ref, lead.ad_ref, lead.external_ref) == (
        "João da Silva",
        "São Paulo",
        "51",
        "31",
        "900001",
    )
    assert lead.attributes["facebook_adset_id"] == "41"
    assert lead.attributes["facebook_form_id"] == "21"
    assert lead.attributes["facebook_platform"] == "fb"
    assert (lead.budget_min, lead.budget_max) == (300_000, 400_000)  # "valor" in the question maps it to budget
    assert set(lead.contact_points.values_list("value", flat=True)) == {"+5511987654321", "joao.silva@example.com"}
    call = graph.calls[-1]
    assert call["path"].endswith("/900001")
    assert "appsecret_proof" in call["query"]  # and the simulator checked it against the token


def test_a_forged_or_missing_signature_is_refused_and_stores_nothing(
    client, graph, source, django_capture_on_commit_callbacks
):
    graph.lead_add("900002", answers=_answers(), page_id=PAGE)
    forged, _ = _deliver(client, graph, "900002", django_capture_on_commit_callbacks, signature="sha256=" + "0" * 64)
    assert forged.status_code == 403
    body = graph.leadgen_notification("900002")
    tampered = body.replace(b"900002", b"900003")
    response = client.post(
        URL, tampered, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=graph.signature(body)
    )
    assert response.status_code == 403
    assert client.post(URL, body, content_type="application/json").status_code == 403
    assert not AdLeadDelivery.objects.exists()


def test_meta_redelivering_the_same_lead_is_a_no_op(client, graph, source, django_capture_on_commit_callbacks):
    graph.lead_add("900004", answers=_answers(), page_id=PAGE)
    _deliver(client, graph, "900004", django_capture_on_commit_callbacks)
    again, callbacks = _deliver(client, graph, "900004", django_capture_on_commit_callbacks)
    assert (again.status_code, again.json(), len(callbacks)) == (200, {"stored": 0}, 0)
    assert AdLeadDelivery.objects.count() == 1


def test_an_outage_keeps_the_delivery_pending_and_a_retry_ingests_it(
    client, graph, source, django_capture_on_commit_callbacks
):
    graph.lead_add("900005", answers=_answers(), page_id=PAGE)
    _deliver(client, graph, "900005", django_capture_on_commit_callbacks)
    delivery = AdLeadDelivery.objects.get()
    graph.fault_push(status=500, code=2, message="An unexpected error has occurred. Please retry your request later.")
    with pytest.raises(LeadAdsTransientError):
        facebook_lead_fetch(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "500" in delivery.last_error and "unexpected error" in delivery.last_error
    graph.fault_push(status=400, code=4, message="Application request limit reached")
    with pytest.raises(LeadAdsTransientError):
        facebook_lead_fetch(delivery_id=delivery.pk)
    assert not Lead.objects.exists()

    delivery = facebook_lead_fetch(delivery_id=delivery.pk)
    assert (delivery.status, delivery.attempts, Lead.objects.count()) == (DeliveryStatus.DONE, 3, 1)
    assert facebook_lead_fetch(delivery_id=delivery.pk).attempts == 3  # done is done


def test_a_bad_token_fails_with_a_reason_and_is_ingested_after_the_fix(
    client, graph, source, django_capture_on_commit_callbacks
):
    source.access_token = "expired-token"
    source.save()
    graph.lead_add("900006", answers=_answers(), page_id=PAGE)
    _deliver(client, graph, "900006", django_capture_on_commit_callbacks)
    delivery = facebook_lead_fetch(delivery_id=AdLeadDelivery.objects.get().pk)
    assert delivery.status == DeliveryStatus.FAILED
    assert "190" in delivery.last_error and "Invalid OAuth access token" in delivery.last_error
    source.access_token = "page-token"
    source.save()
    with django_capture_on_commit_callbacks() as callbacks:
        facebook_delivery_retry(delivery=delivery)
    assert len(callbacks) == 1
    assert facebook_lead_fetch(delivery_id=delivery.pk).status == DeliveryStatus.DONE
    assert Lead.objects.count() == 1


def test_a_page_with_no_source_is_kept_as_failed_until_one_is_linked(client, graph, django_capture_on_commit_callbacks):
    graph.lead_add("900007", answers=_answers(), page_id="555")
    _deliver(client, graph, "900007", django_capture_on_commit_callbacks)
    delivery = facebook_lead_fetch(delivery_id=AdLeadDelivery.objects.get().pk)
    assert delivery.status == DeliveryStatus.FAILED
    assert "555" in delivery.last_error
    LeadSource.objects.create(name="Instagram", kind="ads", page_id="555", access_token="page-token")
    facebook_delivery_retry(delivery=delivery)
    assert facebook_lead_fetch(delivery_id=delivery.pk).status == DeliveryStatus.DONE


def test_form_questions_follow_the_sources_saved_mapping_and_instagram_is_recorded(
    client, graph, source, django_capture_on_commit_callbacks
):
    source.column_mapping = {"seu_whatsapp": "phone", "cidade_de_interesse": "city"}
    source.save()
    graph.lead_add(
        "900008",
        answers={"full_name": "Maria Souza", "seu_whatsapp": "(21) 99876-5432", "cidade_de_interesse": "niteroi"},
        page_id=PAGE,
        platform="ig",
    )
    _deliver(client, graph, "900008", django_capture_on_commit_callbacks)
    facebook_lead_fetch(delivery_id=AdLeadDelivery.objects.get().pk)
    lead = Lead.objects.get()
    assert (lead.city, lead.attributes["facebook_platform"]) == ("Niterói", "ig")
    assert list(lead.contact_points.values_list("value", flat=True)) == ["+5521998765432"]


def test_a_lead_already_in_the_base_is_merged_not_duplicated(client, graph, source, django_capture_on_commit_callbacks):
    graph.lead_add("900009", answers=_answers(), page_id=PAGE)
    graph.lead_add("900010", answers=_answers(full_name="Joao da Silva", email="outro@example.com"), page_id=PAGE)
    for leadgen_id in ("900009", "900010"):
        _deliver(client, graph, leadgen_id, django_capture_on_commit_callbacks)
    for delivery in AdLeadDelivery.objects.order_by("pk"):
        facebook_lead_fetch(delivery_id=delivery.pk)
    lead = Lead.objects.get()
    assert {d.lead_id for d in AdLeadDelivery.objects.all()} == {lead.pk}
    assert "outro@example.com" in lead.contact_points.values_list("value", flat=True)
