"""Issue #19, breaks 2 and 5, driven over HTTP through the whole middleware stack: two-factor holds on the API
(browser sessions and token issuance), and lockouts / rate limits see each client behind a reverse proxy while a
forged X-Forwarded-For changes nothing without one.

README: "Accounts: django-axes lockout, … optional TOTP two-factor …", "API tokens: … An account with two-factor on
also sends the current code in `otp`", and the Configuration row of `FLUXO_TRUSTED_PROXIES`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from compliance.models import ApiToken, AuditEntry
from compliance.roles import Role
from leads.models import LeadEvent
from tests.factories import LeadSourceFactory, UserFactory
from tests.scenarios.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the reverse proxy every request arrives from
ATTACKER, COLLEAGUE = "198.51.100.7", "203.0.113.9"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Fluxo", confirmed=True)


def _assert_api_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


# --- Break 2: two-factor through the API ---------------------------------------------------------------------


def test_a_2fa_supervisor_reaches_the_api_only_after_the_code_step(login, world):
    """Break 2: a supervisor with a confirmed TOTP device who logged in through the form but skipped the code
    step gets 403 (in the API's error shape, saying to verify) on GET /api/v1/leads/ and POST …/notes/, even when
    the request carries some other Authorization header; after the code step both work."""
    supervisor, lead = world["sup_a"], world["leads"]["ana"][0]
    device = _device(supervisor)
    browser = login(supervisor)  # password only: the code step is still due
    notes_before = LeadEvent.objects.filter(lead=lead).count()

    listing = browser.get("/api/v1/leads/")
    body = _assert_api_error(listing, 403, "two_factor_required")
    assert "/accounts/2fa/verify/" in body["message"]
    assert lead.full_name not in listing.content.decode()
    _assert_api_error(browser.get("/api/v1/leads/", HTTP_AUTHORIZATION="Bearer whatever"), 403, "two_factor_required")
    note = browser.post(f"/api/v1/leads/{lead.pk}/notes/", {"text": "ligar amanhã"}, content_type="application/json")
    _assert_api_error(note, 403, "two_factor_required")
    assert LeadEvent.objects.filter(lead=lead).count() == notes_before
    assert browser.get("/leads/").status_code == 302  # the pages, as before, send the person to the code step

    assert browser.post("/accounts/2fa/verify/", {"token": _code(device)}).status_code == 302

    listing = browser.get("/api/v1/leads/")
    assert listing.status_code == 200
    assert lead.pk in {row["id"] for row in listing.json()["results"]}
    note = browser.post(f"/api/v1/leads/{lead.pk}/notes/", {"text": "ligar amanhã"}, content_type="application/json")
    assert note.status_code == 201, note.content[:500]
    assert LeadEvent.objects.filter(lead=lead).count() == notes_before + 1


def test_the_code_page_shows_no_menu_and_partials_send_the_window_to_it(login, world):
    """Found trying it in a browser: before the code step the bell's polling got the code page back and htmx pasted it
    into the menu, copy after copy. The code page now shows no menu (no polling), and any HTMX partial answers with
    ``HX-Redirect`` to the code step instead of a page to swap in."""
    supervisor = world["sup_a"]
    device = _device(supervisor)
    browser = login(supervisor)
    page = browser.get("/accounts/2fa/verify/?next=/").content.decode()
    assert "notificacoes" not in page and "hx-get" not in page and "Sair" in page
    badge = browser.get("/notificacoes/badge/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/fila/")
    assert badge.status_code == 200 and badge.content == b""
    assert badge["HX-Redirect"] == "/accounts/2fa/verify/?next=%2Ffila%2F"
    assert browser.post("/accounts/2fa/verify/", {"token": _code(device)}).status_code == 302
    assert "hx-get" in browser.get("/supervisor/").content.decode()  # the menu and its bell are back


def test_people_without_a_device_use_the_api_from_their_session_as_before(login, world):
    """Break 2 (what must keep working): a consultant without 2FA reads their leads through the API after the
    login form alone."""
    browser = login(world["ana"])
    listing = browser.get("/api/v1/leads/")
    assert listing.status_code == 200
    assert {row["id"] for row in listing.json()["results"]} == {lead.pk for lead in world["leads"]["ana"]}


def test_token_issuance_for_a_2fa_account_needs_the_current_code(settings):
    """Break 2: POST /api/v1/auth/tokens/ for an admin with a confirmed device issues nothing on the password
    alone (401 otp_required), nor with a wrong or replayed code (401 otp_invalid); each refusal is audited as a
    failed login and counts towards the django-axes lockout. With the current code the token is issued and works
    like any integrator token (no code per request)."""
    admin = UserFactory(username="chefe", role=Role.ADMIN)
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    device = _device(admin)
    client = APIClient()
    body = {"username": "chefe", "password": DEMO_PASSWORD, "name": "erp", "scopes": ["leads:read"]}

    code = _code(device)
    issued = client.post("/api/v1/auth/tokens/", body | {"otp": code}, format="json")
    assert issued.status_code == 201, issued.content[:500]
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['key']}")
    assert reader.get("/api/v1/leads/").status_code == 200

    replayed = client.post("/api/v1/auth/tokens/", body | {"otp": code}, format="json")
    _assert_api_error(replayed, 401, "otp_invalid")
    missing = _assert_api_error(client.post("/api/v1/auth/tokens/", body, format="json"), 401, "otp_required")
    assert "otp" in missing["message"]
    wrong = "000000" if _code(device) != "000000" else "111111"
    _assert_api_error(client.post("/api/v1/auth/tokens/", body | {"otp": wrong}, format="json"), 401, "otp_invalid")
    assert ApiToken.objects.filter(user=admin).count() == 1
    assert AuditEntry.objects.filter(action="auth.login_failed", details__username="chefe").count() == 3

    for _ in range(settings.AXES_FAILURE_LIMIT - 3):
        client.post("/api/v1/auth/tokens/", body | {"otp": wrong}, format="json")
    locked = client.post("/api/v1/auth/tokens/", body | {"otp": _code(device)}, format="json")
    _assert_api_error(locked, 429, "locked_out")
    assert ApiToken.objects.filter(user=admin).count() == 1


def test_integrators_without_2fa_still_get_a_token_with_the_password(integrator):
    """Break 2 (what must keep working): "`POST /api/v1/auth/tokens/` (integrators) returns a key once"."""
    integrator.set_password(DEMO_PASSWORD)
    integrator.save()
    body = {"username": "integrator", "password": DEMO_PASSWORD, "name": "erp", "scopes": ["leads:read"]}
    issued = APIClient().post("/api/v1/auth/tokens/", body, format="json")
    assert issued.status_code == 201, issued.content[:500]
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['key']}")
    assert reader.get("/api/v1/leads/").status_code == 200


# --- Break 5: the client's address behind a reverse proxy ------------------------------------------------------


def _behind_proxy(client_address: str, forged: str | None = None) -> Client:
    """A browser whose requests reach Fluxo through the proxy: the proxy appends the address it saw (as nginx's
    $proxy_add_x_forwarded_for does) to whatever the browser sent."""
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def _login_form(browser: Client, username: str, password: str):
    return browser.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.parametrize("trusted", [["1"], ["10.0.0.0/24"]], ids=["compose-one-hop", "proxy-network"])
def test_behind_the_proxy_one_clients_wrong_passwords_do_not_lock_out_another(settings, world, trusted):
    """Break 5: with FLUXO_TRUSTED_PROXIES set (as docker-compose.yml sets it for its nginx, or as the proxy's
    network), five wrong passwords for a supervisor from one client lock that client out, while the supervisor
    logging in from another client behind the same proxy gets in; the audit log and axes record each client's own
    address. Forging X-Forwarded-For through the proxy does not let the attacker out of the lockout."""
    settings.FLUXO_TRUSTED_PROXIES = trusted
    supervisor = world["sup_a"]
    supervisor.set_password(DEMO_PASSWORD)
    supervisor.save()

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login_form(_behind_proxy(ATTACKER, forged=f"192.0.2.{attempt}"), "sup_a", "wrong")
    locked = _login_form(_behind_proxy(ATTACKER, forged="192.0.2.99"), "sup_a", DEMO_PASSWORD)
    assert locked.status_code == 429
    with translation.override("pt-br"):  # what the person reads on the page
        expected = translation.gettext("Too many failed attempts. Try again in %(minutes)d minutes.")
    assert expected % {"minutes": int(settings.AXES_COOLOFF_TIME * 60)} in locked.content.decode()

    colleague = _behind_proxy(COLLEAGUE)
    response = _login_form(colleague, "sup_a", DEMO_PASSWORD)
    assert response.status_code == 302
    assert colleague.get("/api/v1/leads/").status_code == 200

    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert AuditEntry.objects.filter(action="auth.login", ip_address=COLLEAGUE).count() == 1
    assert not AuditEntry.objects.filter(ip_address=PROXY).exists()


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_dodge_the_lockout(settings, world):
    """Break 5: with FLUXO_TRUSTED_PROXIES empty (the default) X-Forwarded-For is ignored: an attacker who sends
    a new forged address with each wrong password is still locked out after five, on the login form and on token
    issuance alike."""
    settings.FLUXO_TRUSTED_PROXIES = []
    supervisor = world["sup_a"]
    supervisor.set_password(DEMO_PASSWORD)
    supervisor.save()

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        forged = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
        _login_form(forged, "sup_a", "wrong")
    forged = Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert _login_form(forged, "sup_a", DEMO_PASSWORD).status_code == 429

    integrator = UserFactory(username="integrador", role=Role.INTEGRATOR)
    integrator.set_password(DEMO_PASSWORD)
    integrator.save()
    body = {"username": "integrador", "password": "wrong", "name": "erp", "scopes": ["leads:read"]}
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        api = APIClient(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
        api.post("/api/v1/auth/tokens/", body, format="json")
    api = APIClient(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99")
    locked = api.post("/api/v1/auth/tokens/", body | {"password": DEMO_PASSWORD}, format="json")
    _assert_api_error(locked, 429, "locked_out")


def test_the_web_form_rate_limit_counts_each_client_behind_the_proxy(settings):
    """Break 5: the public web form's limit (20 submissions per IP per hour) applies to each client behind the
    proxy, not to the proxy: the 21st from one client is refused, another client's first is accepted, and the
    consent is recorded with the client's own address."""
    settings.FLUXO_TRUSTED_PROXIES = ["1"]
    source = LeadSourceFactory(name="Site", public_token="form-token")
    url = f"/f/{source.public_token}/"

    def submit(browser: Client, n: int):
        return browser.post(url, {"full_name": f"Pessoa {n}", "email": f"pessoa{n}@example.com"})

    busy = _behind_proxy(ATTACKER)
    statuses = [submit(busy, n).status_code for n in range(21)]
    assert statuses == [200] * 20 + [429]
    assert submit(_behind_proxy(COLLEAGUE), 99).status_code == 200


def test_the_audit_log_records_the_address_the_proxy_saw(settings, world):
    """Break 5: behind a trusted proxy the audit log keeps the client's own address, also for IPv6 clients and
    proxies that append a port (``[2001:db8::5]:51000``); hops the proxy did not vouch for are not believed."""
    settings.FLUXO_TRUSTED_PROXIES = ["10.0.0.0/24"]
    world["ana"].set_password(DEMO_PASSWORD)
    world["ana"].save()
    browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.66, [2001:db8::5]:51000, 10.0.0.3")
    assert _login_form(browser, "ana", DEMO_PASSWORD).status_code == 302
    assert list(AuditEntry.objects.filter(action="auth.login").values_list("ip_address", flat=True)) == ["2001:db8::5"]


def test_a_mistyped_trusted_proxies_setting_stops_manage_py_check(settings):
    """Break 5: FLUXO_TRUSTED_PROXIES that is neither a number nor an address/network is reported by
    `manage.py check` by name, instead of failing requests later."""
    settings.FLUXO_TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(CommandError) as error:  # SystemCheckError is a CommandError
        call_command("check")
    assert "FLUXO_TRUSTED_PROXIES" in str(error.value)
