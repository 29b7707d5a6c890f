"""Reads on leads. Visibility by role is decided here, once, for HTML, HTMX partials, the API and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.pagination import rows_counted_capped, rows_estimate, within_budget
from compliance.roles import Role, user_roles
from compliance.services.audit import audit_access_denied
from compliance.services.consent import calls_refused_among, contact_preferences_many, suppressed_among
from compliance.teams import team_member_ids, teams_supervised_by
from leads.errors import LeadFilterInvalid
from leads.filters import LeadFilter
from leads.list_columns import list_extensions
from leads.models import (
    AdLeadDelivery,
    BulkChange,
    ContactKind,
    ContactPoint,
    DeliveryStatus,
    DuplicateReview,
    EventKind,
    ImportJob,
    InterestType,
    Lead,
    LeadCount,
    LeadEvent,
    LeadSource,
    LeadStage,
    ReviewStatus,
    SavedView,
    Tag,
)
from leads.search import (  # the search primitives, part of this module's public reads
    PHONE_CONTAINS_MIN as PHONE_CONTAINS_MIN,
)
from leads.search import (
    PHONE_DIGITS_MIN as PHONE_DIGITS_MIN,
)
from leads.search import (
    _search_sample as _search_sample,
)
from leads.search import (
    lead_filter_tag as lead_filter_tag,
)
from leads.search import (
    lead_find_by_document as lead_find_by_document,
)
from leads.search import (
    lead_search as lead_search,
)
from leads.visibility import (  # the visibility rule, part of this module's public reads
    _visibility,
    lead_visible_to,
    owners_visible_to,
)
from leads.visibility import (
    lead_placement_for_create as lead_placement_for_create,
)
from whatsapp.selectors import unread_inbound, unread_version


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    """Admins: every import. Supervisors: the imports they or people of their teams started. Others: none.
    An import's error report holds names, phones and e-mails: it follows this rule everywhere."""
    roles = user_roles(user)
    jobs = ImportJob.objects.all()
    if Role.ADMIN in roles:
        return jobs
    if Role.SUPERVISOR in roles:
        return jobs.filter(Q(created_by=user) | Q(created_by__in=team_member_ids(teams_supervised_by(user))))
    return jobs.none()


def duplicate_reviews_visible_to(user) -> QuerySet[DuplicateReview]:
    """The possible-duplicate pairs ``user`` may see and decide: both leads must be visible to them
    (``lead_visible_to``). A lead that no team holds and nobody owns yet (fresh from an import, waiting for the
    roulette) counts as visible when the pair came from one of the user's imports (``import_jobs_visible_to``).
    So a pair that spans another team waits for an admin, and nobody sees another team's people here."""
    reviews = DuplicateReview.objects.all()
    if Role.ADMIN in user_roles(user):
        return reviews
    theirs = import_jobs_visible_to(user).values("pk")

    def side(field: str) -> Q:
        # The rule on the joined lead's own columns (not "lead in <every visible lead>", which PostgreSQL plans as
        # a scan of the base).
        visible = _visibility(user, f"{field}__")
        if visible is None:
            return Q()
        unheld = Q(**{f"{field}__owner__isnull": True, f"{field}__team__isnull": True})
        return visible | (Q(import_job__in=theirs) & unheld)

    return reviews.filter(side("lead") & side("candidate"))


def duplicate_reviews_pending(*, user) -> QuerySet[DuplicateReview]:
    """The review queue: pending pairs ``user`` may see, surest first, with what a card shows preloaded."""
    return (
        duplicate_reviews_visible_to(user)
        .filter(status=ReviewStatus.PENDING)
        .select_related("lead__source", "candidate__source")
        .prefetch_related("lead__contact_points", "candidate__contact_points")
        .order_by("-confidence", "created_at")
    )


def _primary_contacts_prefetch() -> Prefetch:
    primaries = ContactPoint.objects.filter(is_primary=True).order_by("kind")
    return Prefetch("contact_points", queryset=primaries, to_attr="primary_contacts")


def _with_list_relations(leads: QuerySet[Lead], *, tags: bool = True) -> QuerySet[Lead]:
    """What a list row shows: owner, source and team joined; the primary contacts (``primary_contacts``) and, with
    ``tags``, the tags in path order (``tag_list``, a list: ``lead.tags.all()`` would build a queryset per row)."""
    leads = leads.select_related("owner", "source", "team").prefetch_related(_primary_contacts_prefetch())
    if tags:
        leads = leads.prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("path"), to_attr="tag_list"))
    return leads


def _without_blanks(filters) -> QueryDict:
    """HTML forms send every field, most of them empty: an empty field is no filter, not a bad one."""
    data = QueryDict(mutable=True)
    items = filters.lists() if hasattr(filters, "lists") else filters.items()
    for key, values in items:
        values = values if isinstance(values, list | tuple) else [values]
        kept = [str(v) for v in values if v is not None and str(v).strip()]
        if kept:
            data.setlist(key, kept)
    return data


def _filter_labels(filterset) -> str:
    """The invalid filters by their labels as the form shows them ("Origem", not "source")."""
    fields = filterset.form.fields
    return ", ".join(str(fields[name].label) if name in fields else name for name in filterset.errors)


def lead_list_filter(*, user, filters: dict | None = None):
    """The ``leads.filters.LeadFilter`` of the visible live leads bound to ``filters`` (empty fields dropped): the
    list page builds it once for its form and hands it to ``lead_list_page`` for the rows."""
    visible = lead_visible_to(user).filter(merged_into__isnull=True)  # merged leads live on in their survivor
    return LeadFilter(_without_blanks(filters or {}), queryset=visible, user=user)


def lead_list(*, user, filters: dict | None = None, filterset=None) -> QuerySet[Lead]:
    """Visible leads, filtered by ``leads.filters.LeadFilter`` (``filterset``, from ``lead_list_filter``, or built
    from ``filters``), with what a list row shows preloaded.

    Raises LeadFilterInvalid (details per field) rather than silently ignoring a bad filter."""
    if filterset is None:
        filterset = lead_list_filter(user=user, filters=filters)
    if not filterset.is_valid():
        raise LeadFilterInvalid(
            _("Some filters are invalid: %(fields)s.") % {"fields": _filter_labels(filterset)},
            details={field: [str(e) for e in errors] for field, errors in filterset.errors.items()},
        )
    return _with_list_relations(filterset.qs).order_by("-created_at", "-id")


# --- The lead list: sort orders, columns, pages without COUNT(*) -------------------------------------------------
LIST_SORTS = {
    "created": (gettext_lazy("Newest first"), (F("created_at").desc(), F("id").desc())),
    "created_asc": (gettext_lazy("Oldest first"), (F("created_at").asc(), F("id").asc())),
    "name": (gettext_lazy("Name (A–Z)"), (F("full_name").asc(), F("id").asc())),
    "last_contact": (
        gettext_lazy("Last contact (most recent)"),
        (F("last_contact_at").desc(nulls_last=True), F("id").desc()),
    ),
    "no_contact": (
        gettext_lazy("Last contact (longest ago)"),
        (F("last_contact_at").asc(nulls_first=True), F("id").asc()),
    ),
    "stage": (gettext_lazy("Stage changed (most recent)"), (F("stage_changed_at").desc(), F("id").desc())),
}
LIST_COLUMNS = {
    "stage": gettext_lazy("Stage"),
    "owner": gettext_lazy("Owner"),
    "last_contact": gettext_lazy("Last contact"),
    "source": gettext_lazy("Source"),
    "city": gettext_lazy("City"),
    "created": gettext_lazy("Created"),
    "tags": gettext_lazy("Tags"),
}
DEFAULT_COLUMNS = ("stage", "score", "owner", "last_contact", "source")


def lead_list_sorts() -> list[tuple[str, str]]:
    """(key, label) of every sort order, the ones apps above contribute (score, next task) included."""
    extras = [(key, ext.label) for key, ext in list_extensions().items() if ext.order_by]
    return [(key, label) for key, (label, _order) in LIST_SORTS.items()] + extras


def lead_list_columns() -> list[tuple[str, str]]:
    extras = [(key, ext.column_label or ext.label) for key, ext in list_extensions().items() if ext.template]
    return [(key, str(label)) for key, label in LIST_COLUMNS.items()] + [(k, str(v)) for k, v in extras]


def lead_list_column_templates(columns) -> list[tuple[str, str]]:
    """(key, template) of the chosen columns that apps above contribute (each renders its cell for ``lead``)."""
    extensions = list_extensions()
    return [(key, extensions[key].template) for key in columns if key in extensions and extensions[key].template]


@dataclass
class LeadPage:
    """One page of the list: ``rows`` plus whether more follow. ``count`` is exact up to
    ``settings.FLUXO_LIST_COUNT_CAP`` and ``count_more`` says there are more than that (no COUNT(*) over a
    million leads)."""

    rows: list
    number: int
    size: int
    has_next: bool
    count: int
    count_more: bool
    sort: str
    columns: list[str]
    count_estimated: bool = False  # ``count`` is PostgreSQL's estimate: counting took longer than its time budget
    past_end: bool = False  # the page asked for lies past the end and the end is not known exactly (a capped count)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def lead_list_columns_chosen(value) -> list[str]:
    """``?cols=score,owner`` (or repeated ``cols``) → the known column keys, in the order given; none → defaults."""
    known = {key for key, _label in lead_list_columns()}
    values = value if isinstance(value, list | tuple) else [value or ""]
    chosen = [c.strip() for v in values for c in str(v).split(",") if c.strip() in known]
    return list(dict.fromkeys(chosen)) or [c for c in DEFAULT_COLUMNS if c in known]


LIST_COUNT_WITH_ROWS_MAX = 2000  # expected matches up to which a page and its count are one statement


def lead_list_page(
    *, user, filters, sort: str = "", page: int = 1, size: int = 25, columns=None, filterset=None
) -> LeadPage:
    """A page of the list in the chosen order with the chosen columns' data, in a constant number of queries:
    the rows (``size + 1`` fetched to know whether another page follows), their relations, and a count capped at
    ``settings.FLUXO_LIST_COUNT_CAP`` within ``FLUXO_LIST_COUNT_BUDGET_MS`` — the API's ``CappedPaginator`` count:
    skipped when the planner expects more than the cap, the planner's estimate when counting runs out of time.
    When the planner expects few matches (up to ``LIST_COUNT_WITH_ROWS_MAX`` and the cap: a search), the page and the
    exact count are one statement (``count(*) OVER ()``), so a trigram search scans its index once. A search's
    words that come together ("sao paulo") are estimated together (``_words_estimate_factor``).
    A page past the end is the last page when the count is exact (Django's ``get_page``); past a capped count the
    page says it is past the end (``past_end``). Raises LeadFilterInvalid like ``lead_list``."""
    extensions = list_extensions()
    sort = sort if sort in LIST_SORTS or (sort in extensions and extensions[sort].order_by) else "created"
    columns = list(columns) if columns else lead_list_columns_chosen(None)
    leads = lead_list(user=user, filters=filters, filterset=filterset)
    cap = settings.FLUXO_LIST_COUNT_CAP
    estimate = rows_estimate(leads)
    matching = leads
    for key, extension in extensions.items():
        if key == sort or key in columns:
            leads = extension.annotate(leads)
    order = LIST_SORTS[sort][1] if sort in LIST_SORTS else (*extensions[sort].order_by, F("id").desc())
    page = max(1, page)
    offset = (page - 1) * size
    ordered = leads.order_by(*order)
    if "tags" not in columns:  # the tags column is off by default: no query for it
        ordered = _with_list_relations(ordered.prefetch_related(None), tags=False)
    rows = count = None
    estimated = False
    if estimate <= min(cap, LIST_COUNT_WITH_ROWS_MAX):
        # Few matches expected (a search): PostgreSQL finds them all to sort them anyway, so the page and their
        # count come from one statement (one trigram scan, not two), within the time budget of a count and a page.
        counted = ordered.annotate(list_matches=Window(Count("pk")))[offset : offset + size + 1]
        found = within_budget(lambda: list(counted), counted.db, 2 * settings.FLUXO_LIST_COUNT_BUDGET_MS)
        if found is None:  # far more than expected: the planner's figure, and the page as for any list
            count, estimated = min(max(estimate, 1), cap + 1), True
        elif found:
            rows, count = found, found[0].list_matches
        elif offset == 0:
            rows, count = found, 0
    if count is None:
        count, estimated = rows_counted_capped(matching, cap, estimate=estimate)
    if rows is None:
        rows = list(ordered[offset : offset + size + 1])
    past_end = False
    if not rows and page > 1:  # past the end (``?page=999``): the last page, as Django's ``get_page`` does
        if not estimated and count <= cap:
            page = max(1, -(-count // size))
            rows = list(ordered[(page - 1) * size : page * size + 1]) if count else []
        else:  # the end is not known exactly (more than the cap): say so rather than guess a page
            past_end = True
    return LeadPage(
        rows=rows[:size],
        number=page,
        size=size,
        has_next=len(rows) > size,
        count=min(count, cap),
        count_more=count > cap,
        count_estimated=estimated,
        sort=sort,
        columns=columns,
        past_end=past_end,
    )


def lead_ids_matching(*, user, filters, limit: int = 5000) -> list[int]:
    """Ids of the visible leads the filters match (a bulk action on "all matching the filter"), at most ``limit``."""
    return list(lead_list(user=user, filters=filters).order_by("id").values_list("pk", flat=True)[:limit])


def lead_ids_visible(*, user, lead_ids) -> list[int]:
    """The given ids that ``user`` may see (a bulk action's selection, checked row by row)."""
    ids = [int(i) for i in lead_ids if str(i).isdigit()]
    return list(lead_visible_to(user).filter(pk__in=ids, merged_into__isnull=True).values_list("pk", flat=True))


def lead_ids_for_bulk(*, user, data) -> list[int]:
    """The selection of a bulk action, from its form: the ticked rows (``lead_ids``), or every lead matching the
    list's filters (``all_matching=1`` with ``query``, the list's query string) — only leads ``user`` may see."""
    if data.get("all_matching") == "1":
        return lead_ids_matching(user=user, filters=QueryDict(data.get("query", "")), limit=5001)
    return lead_ids_visible(user=user, lead_ids=data.getlist("lead_ids"))


def saved_views_for(*, user) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user).order_by("name")


def lead_get_for_user(*, user, lead_id: int) -> Lead:
    """The lead, if ``user`` may see it; otherwise 404 (never 403: existence is not disclosed)."""
    lead = (
        lead_visible_to(user)
        .select_related("owner", "source", "team")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("path")))
        .filter(pk=lead_id)
        .first()
    )
    if lead is None:
        if Lead.objects.filter(pk=lead_id).exists():
            audit_access_denied(object_type="leads.lead", object_id=lead_id, actor=user)
        raise Http404("lead not found")
    return lead


def lead_contact_points_qs(*, lead: Lead) -> QuerySet[ContactPoint]:
    return lead.contact_points.all()


def lead_contact_points(*, lead: Lead) -> list[ContactPoint]:
    """The lead's contact points, each with ``is_suppressed`` (on the LGPD do-not-contact list), and for phones
    what the person asked short of that: ``no_calls`` ("não me liga") and ``preference`` (text instead of audio,
    own days and hours; None when they stated none)."""
    points = list(lead.contact_points.order_by("kind", "-is_primary", "id"))
    suppressed = suppressed_among([(p.value, p.kind) for p in points])
    phones = [p.value for p in points if p.kind == ContactKind.PHONE and (p.value, p.kind) not in suppressed]
    preferences = contact_preferences_many(contacts=phones, kind="phone") if phones else {}
    no_calls = calls_refused_among(contacts=phones) if phones else set()
    for point in points:
        point.is_suppressed = (point.value, point.kind) in suppressed
        point.no_calls = point.value in no_calls
        point.preference = preferences.get(point.value)
    return points


def lead_timeline(*, lead: Lead) -> QuerySet[LeadEvent]:
    return LeadEvent.objects.filter(lead=lead).select_related("actor").order_by("-occurred_at", "-id")


def _lead_count_sums(user, *fields: str) -> QuerySet:
    """(``*fields``, n) of the live leads ``user`` may see, from ``LeadCount``'s sums."""
    rows = LeadCount.objects.all()
    scope = _visibility(user)
    if scope is not None:
        rows = rows.filter(scope)
    return rows.order_by().values_list(*fields).annotate(total=Sum("n")).filter(total__gt=0)


def lead_counts_overview(*, user) -> dict:
    """Exact counts of the live (not merged) leads ``user`` may see, from the per-(owner, team, stage) sums the
    triggers keep (``LeadCount``) — one query on a table of a few hundred rows, whatever the size of the base:
    ``{"stages": [{"stage", "label", "count"}] in pipeline order, "total", "by_owner": [{"owner", "stages",
    "total"}]}``; ``by_owner`` has one row per owner (None = unassigned) with a count per stage, largest first."""
    sums = _lead_count_sums(user, "owner_id", "stage")
    by_owner: dict = {}
    per_stage = dict.fromkeys(LeadStage.values, 0)
    for owner_id, stage, n in sums:
        if stage not in per_stage:
            continue
        by_owner.setdefault(owner_id, dict.fromkeys(LeadStage.values, 0))[stage] = n
        per_stage[stage] += n
    users = get_user_model().objects.in_bulk([pk for pk in by_owner if pk is not None])
    owners = [
        {"owner": users.get(pk), "stages": stages, "total": sum(stages.values())}
        for pk, stages in by_owner.items()
        if pk is None or pk in users
    ]
    owners.sort(key=lambda r: (r["owner"] is None, -r["total"]))
    stages = [{"stage": stage.value, "label": stage.label, "count": per_stage[stage.value]} for stage in lead_stages()]
    return {"stages": stages, "total": sum(per_stage.values()), "by_owner": owners}


def lead_counts_compact() -> int:
    """Fold ``LeadCount``'s delta rows into one row per (owner, team, stage) — groups summing to zero go — in one
    statement; returns the rows left. Rows appended meanwhile by other transactions are not seen and stay for the
    next run. Beat runs it every minute; a run already under way makes this one a no-op (-1)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext('leads_leadcount_compact'))")
        if not cursor.fetchone()[0]:
            return -1
        cursor.execute(
            """
            WITH gone AS (DELETE FROM leads_leadcount RETURNING owner_id, team_id, stage, n)
            INSERT INTO leads_leadcount (owner_id, team_id, stage, n)
            SELECT owner_id, team_id, stage, sum(n) FROM gone GROUP BY 1, 2, 3 HAVING sum(n) <> 0
            """
        )
        return cursor.rowcount


def lead_sources() -> QuerySet[LeadSource]:
    return LeadSource.objects.filter(is_active=True).order_by("name")


LIST_CHOICES_CACHE_SECONDS = 300
LIST_CHOICES_VERSION_KEY = "lead_list_choices_version"


def lead_list_choices(*, user) -> dict:
    """The list form's sources and owners (``owners_visible_to``) as ``{"sources": [(pk, name)], "owners":
    [(pk, label)]}``, in the form's order: kept in Redis per user until a source, a person, a team, a team's
    members or someone's roles change (``leads.receivers.lead_list_choices_changed``), and for at most
    ``LIST_CHOICES_CACHE_SECONDS``."""
    key = f"lead_list_choices:{user.pk}:{cache.get(LIST_CHOICES_VERSION_KEY, 0)}"
    choices = cache.get(key)
    if choices is None:
        choices = {
            "sources": [(source.pk, source.name) for source in LeadSource.objects.all()],
            "owners": [(person.pk, person.get_full_name() or person.username) for person in owners_visible_to(user)],
        }
        cache.set(key, choices, timeout=LIST_CHOICES_CACHE_SECONDS)
    return choices


def stale_leads_for(*, user, before) -> dict:
    """Leads ``user`` may see that are still new and were created on or before the date ``before`` ("stuck"): the
    same rows as the lead list filtered ``stage=new&created_before=<before>``, so the figure and the list it links to
    agree. ``{"count", "count_capped"}``; the count stops at ``FLUXO_LIST_COUNT_CAP`` like the list's."""
    cap = settings.FLUXO_LIST_COUNT_CAP
    # Every new lead the user may see (LeadCount's sums, exact) less the new ones created after ``before`` (the
    # last few days: a short range of the stage/created index) — not a count of up to ``cap`` older rows.
    new_leads = LeadCount.objects.filter(stage=LeadStage.NEW)
    scope = _visibility(user)
    if scope is not None:
        new_leads = new_leads.filter(scope)
    new_total = new_leads.aggregate(total=Sum("n"))["total"] or 0
    after = timezone.make_aware(datetime.combine(before + timedelta(days=1), datetime.min.time()))
    recent = lead_visible_to(user).filter(merged_into__isnull=True, stage=LeadStage.NEW, created_at__gte=after)
    recent_count = recent.order_by().values("pk")[: cap + 1].count()
    if recent_count <= cap:
        count = max(0, new_total - recent_count)
    else:  # a flood of new leads lately: count the stuck ones themselves, up to the cap
        leads = lead_list(user=user, filters={"stage": [LeadStage.NEW], "created_before": before.isoformat()})
        count = leads.order_by().values("pk")[: cap + 1].count()
    return {"count": min(count, cap), "count_capped": count > cap}


def lead_stages() -> list[LeadStage]:
    """The pipeline's stages in order (value and translated label), for boards in other apps."""
    return list(LeadStage)


def interest_type_choices() -> list[tuple[str, str]]:
    """(code, translated label) of what a lead may be interested in, for apps that label these codes."""
    return list(InterestType.choices)


def lead_external_ref_exists(*, source: LeadSource, external_ref: str) -> bool:
    return Lead.objects.filter(source=source, external_ref=external_ref).exists()


def ad_lead_deliveries_stale(*, minutes: int):
    """Lead-ads deliveries still pending ``minutes`` after they arrived, oldest first."""
    cutoff = timezone.now() - timedelta(minutes=minutes)
    return AdLeadDelivery.objects.filter(status=DeliveryStatus.PENDING, received_at__lt=cutoff).order_by("received_at")


def lead_find_by_phone(*, e164: str) -> Lead | None:
    """The live lead holding this phone (a merged lead is followed to the one it was merged into)."""
    lead = (
        Lead.objects.filter(contact_points__kind=ContactKind.PHONE, contact_points__value=e164)
        .order_by("merged_into_id", "-last_interest_at")
        .first()
    )
    seen: set[int] = set()
    while lead is not None and lead.merged_into_id and lead.pk not in seen:
        seen.add(lead.pk)
        lead = lead.merged_into
    return lead


def _owned_phones(user):
    return ContactPoint.objects.filter(lead__owner=user, kind=ContactKind.PHONE).values("value")


WHATSAPP_UNREAD_CACHE_SECONDS = 20


def whatsapp_unread_count(*, user) -> int:
    """Unread WhatsApp messages on the consultant's own leads (the navigation badge, on every page): one query,
    then kept in Redis until a message arrives or is read (``whatsapp.selectors.unread_version``) and for at most
    ``WHATSAPP_UNREAD_CACHE_SECONDS`` (a lead or a phone that changes hands shows within that)."""
    key = f"whatsapp_unread:{user.pk}:{unread_version()}"
    count = cache.get(key)
    if count is None:
        count = unread_inbound(contacts=_owned_phones(user)).count()
        cache.set(key, count, timeout=WHATSAPP_UNREAD_CACHE_SECONDS)
    return count


def lead_audience(*, user, filters: dict | None = None, limit: int = 100_000) -> list[dict]:
    """The people a bulk send would reach: each visible, filtered lead with a valid phone (the primary one first),
    as {lead_id, contact, name}. Raises LeadFilterInvalid like ``lead_list``."""
    leads = lead_list(user=user, filters=filters).values_list("pk", "full_name")[:limit]
    names = dict(leads)
    phones = (
        ContactPoint.objects.filter(lead_id__in=names, kind=ContactKind.PHONE, is_valid=True)
        .order_by("lead_id", "-is_primary", "pk")
        .distinct("lead_id")
        .values_list("lead_id", "value")
    )
    return [
        {"lead_id": lead_id, "contact": phone, "name": (names[lead_id] or "").split(" ")[0]}
        for lead_id, phone in phones
    ]


def lead_by_id(*, lead_id: int) -> Lead | None:
    """For background work that acts for no user (AI extraction, scoring): never for a view."""
    return Lead.objects.select_related("source", "owner").filter(pk=lead_id).first()


def lead_event(*, event_id: int) -> LeadEvent | None:
    return LeadEvent.objects.filter(pk=event_id).first()


CONVERSATION_KINDS = (EventKind.MESSAGE_IN, EventKind.MESSAGE_OUT, EventKind.NOTE)


def lead_conversation_recent(*, lead_id: int, limit: int = 50, before_event_id: int | None = None) -> list[LeadEvent]:
    """The lead's latest messages and notes, newest first."""
    events = LeadEvent.objects.filter(lead_id=lead_id, kind__in=CONVERSATION_KINDS)
    if before_event_id:
        events = events.exclude(pk__gte=before_event_id)
    return list(events.order_by("-occurred_at", "-id")[:limit])


def lead_inbound_message_events(*, since, limit: int) -> list[tuple[int, int]]:
    """(event id, lead id) of inbound messages since ``since``, oldest first: for backfills."""
    return list(
        LeadEvent.objects.filter(kind=EventKind.MESSAGE_IN, occurred_at__gte=since)
        .order_by("occurred_at", "id")
        .values_list("id", "lead_id")[:limit]
    )


def lead_optout_question_sent_by(*, lead_id: int, outbox_id: int) -> bool:
    """Whether the outbox row ``outbox_id`` is the opt-out confirmation question Fluxo asked this lead."""
    return LeadEvent.objects.filter(
        lead_id=lead_id, kind=EventKind.CONSENT, payload__optout_question=True, payload__outbox_id=outbox_id
    ).exists()


def lead_inbound_text_events(*, lead_ids: list[int]) -> list[tuple[int, int]]:
    """(event id, lead id) of the inbound messages with text on these leads' timelines (what AI extraction reads).
    A request to stop is not read (nothing reads it to sell to the person): its message is left out, so a lead
    created by "SAIR" does not wait for a reading that never comes."""
    stops = set(
        LeadEvent.objects.filter(lead_id__in=lead_ids, kind=EventKind.CONSENT, payload__opt_out=True).values_list(
            "lead_id", "payload__message_id"
        )
    )
    rows = (
        LeadEvent.objects.filter(lead_id__in=lead_ids, kind=EventKind.MESSAGE_IN)
        .exclude(payload__text="")
        .exclude(payload__text=None)
        .values_list("id", "lead_id", "payload__message_id")
    )
    return [(event_id, lead_id) for event_id, lead_id, message_id in rows if (lead_id, message_id) not in stops]


# --- Reads for scoring and routing (background work, no user) ----------------------------------------------------
OPEN_STAGES = tuple(s for s in LeadStage.values if s not in (LeadStage.WON, LeadStage.LOST))
SCORING_COLUMNS = (
    "id",
    "stage",
    "interest_type",
    "budget_min",
    "budget_max",
    "state",
    "city",
    "source_kind",
    "recurrence_count",
    "created_at",
    "last_interest_at",
    "ai",
    "language",
    "team_id",
    "owner_id",
    "messages_in",
    "messages_out",
    "last_in_at",
    "first_out_at",
    "touches",
)
_SCORING_SQL = """
SELECT l.id, l.stage, l.interest_type, l.budget_min::float8, l.budget_max::float8, l.state, l.city, s.kind,
       l.recurrence_count, l.created_at, l.last_interest_at, l.attributes -> 'ai', l.attributes ->> 'language',
       l.team_id, l.owner_id, coalesce(ev.n_in, 0), coalesce(ev.n_out, 0), ev.last_in, ev.first_out,
       coalesce(ev.n_touch, 0)
FROM leads_lead l
JOIN leads_leadsource s ON s.id = l.source_id
LEFT JOIN (
    SELECT e.lead_id,
           count(*) FILTER (WHERE e.kind = 'message_in') AS n_in,
           count(*) FILTER (WHERE e.kind = 'message_out') AS n_out,
           max(e.occurred_at) FILTER (WHERE e.kind = 'message_in') AS last_in,
           min(e.occurred_at) FILTER (WHERE e.kind = 'message_out') AS first_out,
           count(*) FILTER (WHERE e.kind IN ('call', 'meeting')) AS n_touch
    FROM leads_leadevent e
    WHERE e.lead_id = ANY(%s) AND e.kind IN ('message_in', 'message_out', 'call', 'meeting')
    GROUP BY e.lead_id
) ev ON ev.lead_id = l.id
WHERE l.id = ANY(%s) AND l.merged_into_id IS NULL
ORDER BY l.id
"""


def lead_scoring_rows(*, lead_ids: list[int]) -> list[tuple]:
    """One tuple per lead (``SCORING_COLUMNS``): the facts qualification scores, from the lead, its AI profile and
    its timeline, in one query. Merged-away leads are left out."""
    if not lead_ids:
        return []
    ids = list(lead_ids)
    with connection.cursor() as cursor:
        cursor.execute(_SCORING_SQL, [ids, ids])
        return cursor.fetchall()


def lead_ids_open(*, after_id: int = 0, limit: int = 5000) -> list[int]:
    """Open (not won or lost, not merged) lead ids above ``after_id``, ascending: for batch re-scoring."""
    return list(
        Lead.objects.filter(pk__gt=after_id, stage__in=OPEN_STAGES, merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def lead_ids_recent(*, limit: int) -> list[int]:
    """The ``limit`` newest lead ids (previews of a scoring change)."""
    return list(
        Lead.objects.filter(merged_into__isnull=True)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[:limit]
    )


def lead_outcomes(*, limit: int = 200_000) -> list[tuple[int, bool, object]]:
    """(lead id, won?, created_at) of closed leads, oldest first: the history a learned model trains on."""
    return list(
        Lead.objects.filter(stage__in=[LeadStage.WON, LeadStage.LOST], merged_into__isnull=True)
        .order_by("created_at", "id")
        .values_list("pk", "stage", "created_at")[:limit]
    )


def lead_open_counts_by_owner(*, owner_ids: list[int]) -> dict[int, int]:
    """Open leads per owner (workload reconciliation)."""
    rows = (
        Lead.objects.filter(owner_id__in=owner_ids, stage__in=OPEN_STAGES, merged_into__isnull=True)
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    return {r["owner_id"]: r["n"] for r in rows}


def lead_conversion_by_owner(*, owner_ids: list[int]) -> dict[tuple[int, str], tuple[int, int]]:
    """(owner, interest type) → (won, closed): each consultant's history on similar leads."""
    rows = (
        Lead.objects.filter(owner_id__in=owner_ids, stage__in=[LeadStage.WON, LeadStage.LOST])
        .values("owner_id", "interest_type")
        .annotate(won=Count("id", filter=Q(stage=LeadStage.WON)), closed=Count("id"))
    )
    return {(r["owner_id"], r["interest_type"]): (r["won"], r["closed"]) for r in rows}


def lead_ids_unassigned(*, limit: int = 500) -> list[int]:
    """Open leads with no owner, highest recurrence priority first, then oldest (the roulette's backlog)."""
    return list(
        Lead.objects.filter(owner__isnull=True, stage__in=OPEN_STAGES, merged_into__isnull=True)
        .order_by("-priority", "created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def _unassigned_in_teams(team_ids: list[int]):
    return Lead.objects.filter(owner__isnull=True, stage__in=OPEN_STAGES, merged_into__isnull=True).filter(
        Q(team_id__in=team_ids) | Q(team__isnull=True)
    )


def lead_ids_unassigned_in_teams(*, team_ids: list[int], limit: int = 1000) -> list[int]:
    """The roulette's backlog for ``team_ids`` (and leads of no team, which any team may take), in serving order."""
    return list(
        _unassigned_in_teams(team_ids).order_by("-priority", "created_at", "id").values_list("pk", flat=True)[:limit]
    )


def lead_unassigned_count_in_teams(*, team_ids: list[int]) -> int:
    """How many leads wait for the roulette in ``team_ids`` (the same backlog as ``lead_ids_unassigned_in_teams``):
    the one number the supervisor's home and load board both show. Read from ``LeadCount``'s sums (exact, kept by
    triggers; merged leads are not counted there either), not by counting the backlog's rows."""
    waiting = LeadCount.objects.filter(owner__isnull=True, stage__in=OPEN_STAGES).filter(
        Q(team_id__in=team_ids) | Q(team__isnull=True)
    )
    return waiting.aggregate(total=Sum("n"))["total"] or 0


def lead_ids_owned_open(*, owner_id: int) -> list[int]:
    return list(
        Lead.objects.filter(owner_id=owner_id, stage__in=OPEN_STAGES, merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def lead_owner_id(*, lead_id: int) -> int | None:
    return Lead.objects.filter(pk=lead_id).values_list("owner_id", flat=True).first()


def lead_survivor_id(*, lead_id: int) -> int:
    """The live lead a (possibly merged) lead now lives on in."""
    seen: set[int] = set()
    while lead_id not in seen:
        seen.add(lead_id)
        merged_into = Lead.objects.filter(pk=lead_id).values_list("merged_into_id", flat=True).first()
        if not merged_into:
            return lead_id
        lead_id = merged_into
    return lead_id


def lead_priority_and_age(*, lead_ids: list[int]) -> dict[int, tuple[int, object]]:
    """lead id → (recurrence priority, created_at): the roulette's order among leads of the same class."""
    rows = Lead.objects.filter(pk__in=list(lead_ids)).values_list("pk", "priority", "created_at")
    return {pk: (priority, created_at) for pk, priority, created_at in rows}


def lead_owner_ids_open(*, lead_ids: list[int]) -> dict[int, tuple[int, str, datetime]]:
    """lead id → (owner id, stage, last touch), for the open (not won/lost, not merged) leads among ``lead_ids``
    that have an owner. The last touch is the last message or call (``last_contact_at``), else the creation."""
    rows = (
        Lead.objects.filter(pk__in=lead_ids, owner__isnull=False, stage__in=OPEN_STAGES, merged_into__isnull=True)
        .annotate(touched=Coalesce("last_contact_at", "created_at"))
        .values_list("pk", "owner_id", "stage", "touched")
    )
    return {pk: (owner, stage, touched) for pk, owner, stage, touched in rows}


BOARD_CARDS_PER_STAGE = 25
BOARD_CARD_FIELDS = (
    "id",
    "full_name",
    "stage",
    "created_at",
    "owner__id",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)
CONTACT_KINDS = (EventKind.MESSAGE_IN, EventKind.MESSAGE_OUT)


def lead_board(*, user, filters: dict | None = None, per_stage: int = BOARD_CARDS_PER_STAGE) -> list[dict]:
    """The pipeline board: one column per stage with how many visible leads (matching the list's ``filters``) are
    in it (capped like the list) and its newest ``per_stage`` cards — ``lead_board_columns``. Raises
    LeadFilterInvalid like the list."""
    return lead_board_columns(user=user, per_stage=per_stage, filters=filters)


def lead_board_counts(*, user, stages: list[str], filters: dict | None = None) -> list[dict]:
    """The capped counts of only these columns (a card moved: its old and new column), in pipeline order, each
    ``{"stage", "label", "count", "count_capped"}``: one query. Unknown stages are left out."""
    return lead_board_columns(user=user, per_stage=0, filters=filters, stages=stages)


def lead_board_column_more(
    *, user, stage: str, after_id: int, filters: dict | None = None, limit: int = BOARD_CARDS_PER_STAGE
) -> list[Lead] | None:
    """A column's next cards ("ver mais"): the ``limit`` visible leads of ``stage`` matching ``filters`` that come
    after the card ``after_id`` in the board's order (newest first), with owner, source and team loaded — whatever
    column that card is in now (it may have been moved). None when ``after_id`` is no lead ``user`` may see.
    Raises LeadFilterInvalid."""
    leads = lead_list(user=user, filters=filters).filter(stage=stage)
    last = lead_visible_to(user).filter(pk=after_id).values_list("created_at", flat=True).first()
    if last is None:
        return None
    after = Q(created_at__lt=last) | Q(created_at=last, pk__lt=after_id)
    cards = leads.filter(after).select_related(None).select_related("owner").only(*BOARD_CARD_FIELDS)
    return list(cards.order_by("-created_at", "-id")[:limit])


def lead_last_contact_many(*, lead_ids: list[int]) -> dict[int, object]:
    """lead id → when the last WhatsApp message (either way) was, for the leads that have one."""
    rows = (
        LeadEvent.objects.filter(lead_id__in=lead_ids, kind__in=CONTACT_KINDS)
        .order_by()
        .values("lead_id")
        .annotate(last=Max("occurred_at"))
        .values_list("lead_id", "last")
    )
    return dict(rows)


def lead_board_columns(
    *, user, per_stage: int = 20, filters: dict | None = None, stages: list[str] | None = None
) -> list[dict]:
    """The pipeline board: one column per stage, in pipeline order, over the leads ``lead_list`` shows ``user``
    (same visibility and filters): ``{"stage", "label", "count", "count_capped", "cards"}``. Without filters
    ``count`` is exact (``LeadCount``'s sums); with filters it stops at ``FLUXO_LIST_COUNT_CAP`` (``count_capped``
    says there are more). ``cards`` are the ``per_stage`` newest leads (``BOARD_CARD_FIELDS`` loaded). Three
    queries whatever the size of the base: the counts of every stage in one statement, the card ids of every stage
    in one UNION ALL, then the cards. ``stages`` limits the columns to those (a moved card's two counts)."""
    cap = settings.FLUXO_LIST_COUNT_CAP
    leads = lead_list(user=user, filters=filters).order_by()
    wanted = set(stages) if stages is not None else None
    stages = [stage for stage in lead_stages() if wanted is None or stage.value in wanted]
    if not stages:
        return []
    if not _without_blanks(filters or {}):  # the whole pipeline: the exact counts the triggers keep
        counts = dict(_lead_count_sums(user, "stage"))
        cap = max(cap, *counts.values(), 0)
    else:
        counts_sql, params = [], []
        for stage in stages:
            sql, sql_params = leads.filter(stage=stage.value).values("pk")[: cap + 1].query.sql_with_params()
            counts_sql.append(f"SELECT %s, (SELECT count(*) FROM ({sql}) AS s)")  # noqa: S608 (compiled by the ORM)
            params += [stage.value, *sql_params]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(counts_sql), params)
            counts = dict(cursor.fetchall())
    newest = [
        leads.filter(stage=stage.value).order_by("-created_at", "-id").values_list("pk", flat=True)[:per_stage]
        for stage in stages
    ]
    ids = list(newest[0].union(*newest[1:], all=True)) if per_stage > 0 else []
    cards: dict[str, list[Lead]] = {stage.value: [] for stage in stages}
    # a card shows its name, stage and owner: the rest of a lead's 40 columns (and its source and team) were most
    # of the board's model-building time over 200 cards
    loaded = Lead.objects.filter(pk__in=ids).select_related("owner").only(*BOARD_CARD_FIELDS)
    for lead in loaded.order_by("-created_at", "-id"):
        cards[lead.stage].append(lead)
    return [
        {
            "stage": stage.value,
            "label": stage.label,
            "count": min(counts.get(stage.value, 0), cap),
            "count_capped": counts.get(stage.value, 0) > cap,
            "cards": cards[stage.value],
        }
        for stage in stages
    ]


def bulk_changes_undoable(*, user, hours: int = 24, limit: int = 10) -> list:
    """The bulk tag and stage changes ``user`` made in the last ``hours`` and has not undone: the notifications page
    lists them with their "Desfazer" (the banner that offered it was gone once the list was left: user test)."""
    since = timezone.now() - timedelta(hours=hours)
    return list(
        BulkChange.objects.filter(actor=user, undone_at__isnull=True, created_at__gte=since).order_by(
            "-created_at", "-id"
        )[:limit]
    )
