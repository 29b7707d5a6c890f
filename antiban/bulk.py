"""Bulk sends: a traffic light decides (green goes, yellow waits for a supervisor, red is refused), then the audience
becomes outbox rows, template variants rotated across recipients and spread over time instead of one burst."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from antiban.filters import contact_hours_spread, content_checks, recipient_checks_many, refusals
from antiban.health import effective, number_states
from antiban.limits import limiter
from antiban.models import BulkSend, BulkStatus, Incident, Light, OutboxMessage, OutboxState, Priority
from antiban.services import TIER_LIMITS, _sent_today, outbox_enqueue
from common.errors import ApplicationError
from whatsapp import payloads
from whatsapp import selectors as wa_selectors


class BulkSendInvalid(ApplicationError):
    code = "bulk_send_invalid"


@dataclass(frozen=True)
class LightVerdict:
    light: str
    reasons: list[str]
    capacity: int
    refused_recipients: int


def _templates(variants: list[dict]):
    numbers = list(wa_selectors.numbers_usable())
    if not numbers:
        raise BulkSendInvalid(_("No WhatsApp number is available to send from."))
    account_id = numbers[0].account_id
    found = []
    for variant in variants:
        template = wa_selectors.template_for_send(
            account_id=account_id, name=variant["name"], language=variant.get("language", "")
        )
        if template is None or template.status != "APPROVED":
            raise BulkSendInvalid(_("Template “%(name)s” is not approved.") % {"name": variant["name"]})
        found.append(template)
    return found


def _parameters_check(templates, parameter: str) -> None:
    """Each person's name fills {{1}} and the send's one parameter fills {{2}}: a template that needs {{2}} with no
    parameter given, or more than two, cannot be sent (Meta refuses an empty parameter; the approval then failed)."""
    for template in templates:
        needs = payloads.template_placeholders(template.components).get("body", 0)
        if needs > 2:
            raise BulkSendInvalid(
                _("Template “%(name)s” has %(n)s parameters; a bulk send fills two (the name and one more).")
                % {"name": template.name, "n": needs},
                details={"templates": [template.name]},
            )
        if needs == 2 and not parameter.strip():
            raise BulkSendInvalid(
                _("Template “%(name)s” uses {{2}}: fill in the second parameter.") % {"name": template.name},
                details={"parameter": [_("Required.")]},
            )


def _params(template, person: dict, parameter: str) -> dict:
    needs = payloads.template_placeholders(template.components).get("body", 0)
    values = [person.get("name") or _("customer"), parameter][:needs]
    return {"body": values + [""] * (needs - len(values))}


def _full_text(template, params: dict) -> str:
    return payloads.template_full_text(template.components, params)


def _capacity(now) -> tuple[int, list[str]]:
    """How many business-initiated conversations the numbers can still open today, and, per number that holds the
    total back, why in plain words and what to do ("warming up until 12/12; today it can send 50 more")."""
    total, notes = 0, []
    today = timezone.localtime(now).date()
    plan_days = len(settings.ANTIBAN_WARMUP_PLAN)
    for state in number_states(wa_selectors.numbers_usable()).values():
        allowed = effective(state, now)
        number = state.number.display_number
        until = (today + timedelta(days=max(plan_days - state.warmup_day, 0))).strftime("%d/%m")
        facts = {
            "number": number,
            "until": until,
            "day": state.warmup_day,
            "days": plan_days,
            "why": allowed.why_not.rstrip("."),
        }
        if not allowed.may_send:
            notes.append(
                _("%(number)s is not sending now (%(why)s): send from another number or wait until it is back.") % facts
            )
            continue
        if not allowed.marketing:
            if state.warmup_day:
                first = settings.ANTIBAN_WARMUP_REPLIES_FIRST_DAYS
                opens = today + timedelta(days=first - state.warmup_day + 1)
                notes.append(
                    _(
                        "%(number)s is warming up until %(until)s (day %(day)s of %(days)s): in its first "
                        "%(first)s days it only answers people who wrote; it may start sending on %(opens)s. "
                        "Send from a warmed-up number."
                    )
                    % {**facts, "first": first, "opens": opens.strftime("%d/%m")}
                )
            else:
                notes.append(
                    _(
                        "%(number)s is in restrictive mode after a quality drop: no bulk sends until its quality "
                        "recovers. Send from another number."
                    )
                    % facts
                )
            continue
        tier = TIER_LIMITS.get(state.number.messaging_limit, 100_000)
        room = max(tier - limiter().window_size(f"portfolio:{state.number.account_id}", window_seconds=86400), 0)
        if allowed.daily_cap is not None:
            left = max(allowed.daily_cap - _sent_today(state.number.pk), 0)
            room = min(room, left)
            notes.append(
                _(
                    "%(number)s is warming up until %(until)s (day %(day)s of %(days)s); "
                    "today it can send %(left)s more."
                )
                % {**facts, "left": left}
            )
        total += room
    for number in wa_selectors.numbers_paused():
        notes.append(
            _("%(number)s is paused in Fluxo: resume it on the WhatsApp numbers page to send from it.")
            % {"number": number.display_number}
        )
    return total, notes


def bulk_light(*, priority: int, templates, audience: list[dict], parameter: str) -> LightVerdict:
    """Green, yellow or red, from the audience size against what the numbers can send, the content score of
    every variant and the share of recipients the filters would refuse."""
    now = timezone.now()
    red, yellow, notes_after = [], [], []
    for template in templates:
        preview = _full_text(template, _params(template, {"name": "Ana"}, parameter))
        checks = content_checks(preview, priority, templated=True)
        red += [f"{template.name}: {c.reason}" for c in checks if not c.passed and c.fatal]
        yellow += [f"{template.name}: {c.reason}" for c in checks if not c.passed and not c.fatal]
    capacity, notes = _capacity(now)
    size = len(audience)
    # What holds the numbers back is said only when it matters: a send that fits goes green.
    if size > capacity:
        red.append(
            _(
                "%(size)s people, but the numbers can open only %(capacity)s conversations today: send to at most "
                "%(capacity)s now and the rest on the following days."
            )
            % {"size": size, "capacity": capacity}
        )
        red += notes
    elif size > capacity / 2:
        yellow.append(
            _("%(size)s people use more than half of today's room (%(capacity)s).")
            % {"size": size, "capacity": capacity}
        )
        yellow += notes
    if size >= settings.ANTIBAN_BULK_REVIEW_SIZE:
        yellow.append(_("Large audience (%(size)s): a supervisor confirms.") % {"size": size})
    checks = recipient_checks_many([(person["contact"], priority) for person in audience], now=now)
    refused = sum(1 for person_checks in checks if refusals(person_checks))
    share = refused / size if size else 0
    why, waiting = refusal_breakdown(checks)
    if share > 0.3:
        red.append(
            _("%(pct)s%% of the audience would be refused (consent, opt-outs, invalid numbers).")
            % {"pct": round(100 * share)}
        )
        red.append(why)
    elif share > 0.1:
        yellow.append(_("%(pct)s%% of the audience would be refused.") % {"pct": round(100 * share)})
        yellow.append(why)
    elif refused:
        notes_after.append(why)
    if waiting:
        notes_after.append(waiting)
    open_incidents = Incident.objects.filter(closed_at__isnull=True).count()
    if open_incidents:
        yellow.append(_("%(n)s open incident(s) on the numbers.") % {"n": open_incidents})
    light = Light.RED if red else Light.YELLOW if yellow else Light.GREEN
    return LightVerdict(light, red + yellow + notes_after, capacity, refused)


# Why a person is refused, in the supervisor's words: each refused person counted once, under the first reason here.
REFUSAL_ORDER = ("opt_out", "held", "no_consent", "invalid", "undeliverable", "weekly_cap")


def _refusal_kind(check) -> str:
    if check.name == "consent":
        if check.code == "held":
            return "held"
        return "opt_out" if check.code in ("suppressed", "revoked") else "no_consent"
    return {
        "valid_mobile": "invalid",
        "on_whatsapp": "undeliverable",
        "marketing_stopped": "opt_out",
        "weekly_cap": "weekly_cap",
    }.get(check.name, "other")


def refusal_breakdown(checks: list[list]) -> tuple[str, str]:
    """(who would be refused and why, with counts: "sem consentimento 12, descadastrados (opt-out) 3…"; who waits
    for the contact hours to open) — empty strings when nobody."""
    counts: dict[str, int] = {}
    waits = [c.wait_until for person in checks for c in person if not c.passed and c.wait_until is not None]
    for person in checks:
        kinds = {_refusal_kind(c) for c in refusals(person)}
        if kinds:
            first = next((k for k in REFUSAL_ORDER if k in kinds), "other")
            counts[first] = counts.get(first, 0) + 1
    labels = {
        "opt_out": ngettext("%(n)s person opted out", "%(n)s people opted out", counts.get("opt_out", 0)),
        "held": ngettext(
            "%(n)s person asked whether they want to stop (no answer yet)",
            "%(n)s people asked whether they want to stop (no answer yet)",
            counts.get("held", 0),
        ),
        "no_consent": _("%(n)s without marketing consent"),
        "invalid": _("%(n)s with an invalid mobile number"),
        "undeliverable": _("%(n)s undeliverable (not on WhatsApp)"),
        "weekly_cap": _("%(n)s at the weekly marketing limit"),
        "other": _("%(n)s for other reasons"),
    }
    parts = [labels[k] % {"n": counts[k]} for k in (*REFUSAL_ORDER, "other") if counts.get(k)]
    why = _("Refused: %(parts)s; they are left out of the send.") % {"parts": ", ".join(parts)} if parts else ""
    waiting = ""
    if waits:
        waiting = _("%(n)s outside contact hours: they wait until %(when)s.") % {
            "n": len(waits),
            "when": timezone.localtime(min(waits)).strftime("%d/%m %H:%M"),
        }
    return why, waiting


def _send_checked(*, variants: list[dict], audience: list[dict], parameter: str) -> list:
    """The approved templates of a send, once its audience, variants and parameters are known to be sendable."""
    if not audience:
        raise BulkSendInvalid(_("The audience is empty."))
    if not variants:
        raise BulkSendInvalid(_("Choose at least one template."))
    templates = _templates(variants)
    _parameters_check(templates, parameter)
    return templates


def bulk_send_preview(
    *, variants: list[dict], audience: list[dict], priority: int, parameter: str = ""
) -> LightVerdict:
    """The light a send would get, with its reasons, before anything is created or queued ("Prever")."""
    templates = _send_checked(variants=variants, audience=audience, parameter=parameter)
    return bulk_light(priority=priority, templates=templates, audience=audience, parameter=parameter)


@transaction.atomic
def bulk_send_create(
    *,
    name: str,
    variants: list[dict],
    audience: list[dict],
    priority: int = Priority.MARKETING,
    parameter: str = "",
    spread_minutes: int = 60,
    audience_filter: dict | None = None,
    created_by=None,
    now=None,
) -> BulkSend:
    """Light the send; green goes to the outbox at once, yellow waits for a supervisor, red is kept refused.
    ``now``: the clock the schedule starts from (default: the real one)."""
    templates = _send_checked(variants=variants, audience=audience, parameter=parameter)
    verdict = bulk_light(priority=priority, templates=templates, audience=audience, parameter=parameter)
    bulk = BulkSend.objects.create(
        name=name,
        priority=priority,
        variants=[{"name": t.name, "language": t.language} for t in templates],
        parameter=parameter,
        audience=audience,
        audience_filter=audience_filter or {},
        spread_minutes=spread_minutes,
        light=verdict.light,
        light_reasons=verdict.reasons,
        status={Light.GREEN: BulkStatus.RELEASED, Light.YELLOW: BulkStatus.PENDING, Light.RED: BulkStatus.REFUSED}[
            verdict.light
        ],
        created_by_id=getattr(created_by, "pk", None),
    )
    if verdict.light == Light.GREEN:
        _release(bulk, templates, now=now)
    return bulk


@transaction.atomic
def bulk_send_decide(*, bulk: BulkSend, approve: bool, actor) -> BulkSend:
    """A supervisor's answer to a yellow light."""
    bulk = BulkSend.objects.select_for_update().get(pk=bulk.pk)
    if bulk.status != BulkStatus.PENDING:
        raise BulkSendInvalid(_("This bulk send is not waiting for approval."))
    bulk.status = BulkStatus.RELEASED if approve else BulkStatus.REJECTED
    bulk.decided_by_id, bulk.decided_at = actor.pk, timezone.now()
    bulk.save(update_fields=["status", "decided_by_id", "decided_at"])
    if approve:
        _release(bulk, _templates(bulk.variants))
    return bulk


def _release(bulk: BulkSend, templates, *, now=None) -> int:
    """One outbox row per person: variants in rotation, start times spread evenly over ``spread_minutes`` of
    contact hours — from now, or from the next opening when released outside them, and continuing at the next
    opening rather than past closing — so a bulk send is never one burst at 09:00."""
    now, size = now or timezone.now(), len(bulk.audience)
    moments = contact_hours_spread(now, size, timedelta(minutes=bulk.spread_minutes))
    for index, person in enumerate(bulk.audience):
        variant = index % len(templates)
        template = templates[variant]
        params = _params(template, person, bulk.parameter)
        outbox_enqueue(
            contact=person["contact"],
            priority=bulk.priority,
            payload=payloads.template_payload(
                person["contact"],
                name=template.name,
                language=template.language,
                components=template.components,
                params=params,
            ),
            text=_full_text(template, params),
            template_name=template.name,
            lead_id=person.get("lead_id"),
            campaign=bulk.name[:120],
            created_by_id=bulk.created_by_id,
            bulk=bulk,
            variant=variant,
            not_before=moments[index],
            kick=index == 0,
            now=now,
        )
    return size


def bulk_sends_progress(bulks) -> list[tuple[BulkSend, dict[str, int]]]:
    """Each bulk send with its outbox messages counted by state, in one query for all of them (the dashboard's
    recent sends: one query per send made the page grow with them)."""
    bulks = list(bulks)
    counts: dict[int, dict[str, int]] = {bulk.pk: {} for bulk in bulks}
    rows = (
        OutboxMessage.objects.filter(bulk__in=bulks)
        .order_by()
        .values_list("bulk_id", "state")
        .annotate(n=Count("pk"))
        .values_list("bulk_id", "state", "n")
    )
    for bulk_id, state, n in rows:
        counts[bulk_id][state] = n
    return [(bulk, {state: counts[bulk.pk].get(state, 0) for state in OutboxState.values}) for bulk in bulks]
