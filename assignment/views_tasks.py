"""Tasks and reminders ("Minhas tarefas", the lead page's task block), the week agenda of visits and meetings and
its secret .ics feed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assignment import task_selectors, task_services
from assignment.forms import SnoozeForm, TaskForm
from assignment.ical import CalendarEvent, calendar_ics
from assignment.models import TaskKind, TaskOrigin
from common.errors import ApplicationError
from compliance.roles import ANY_STAFF_ROLE, role_required, user_has_role
from leads import selectors as lead_selectors

FEED_PAST_DAYS, FEED_FUTURE_DAYS = 30, 180


def _errors(form) -> str:
    return "; ".join(str(e) for errors in form.errors.values() for e in errors)


TASKS_PER_PAGE = 50


def _my_tasks_context(request, *, params=None, **extra) -> dict:
    """The open tasks of "Minhas tarefas", filtered (kind, origin, due) and 50 to a page; ``params`` are the
    filters and page (the GET query, or the one a done/snooze form carried back)."""
    params = request.GET if params is None else params
    kind = params.get("kind", "") if params.get("kind", "") in TaskKind.values else ""
    origin = params.get("origin", "") if params.get("origin", "") in TaskOrigin.values else ""
    due = params.get("due", "") if params.get("due", "") in task_selectors.TASK_DUE_FILTERS else ""
    tasks = task_selectors.tasks_open_for(user=request.user, kind=kind, origin=origin, due=due)
    page = Paginator(tasks, TASKS_PER_PAGE).get_page(params.get("page"))
    query = QueryDict(mutable=True)
    query.update({k: v for k, v in (("kind", kind), ("origin", origin), ("due", due)) if v})
    return {
        "tasks": page.object_list,
        "page": page,
        "query": query.urlencode(),
        "page_query": f"{query.urlencode()}&page={page.number}" if query else f"page={page.number}",
        "filters": {"kind": kind, "origin": origin, "due": due},
        "kinds": TaskKind.choices,
        "origins": TaskOrigin.choices,
        "done": task_selectors.tasks_done_recently(user=request.user),
        "now": timezone.now(),
        "snooze_form": SnoozeForm(),
        **extra,
    }


def _lead_block_context(request, lead, **extra) -> dict:
    open_tasks, done = task_selectors.tasks_for_lead(lead_id=lead.pk)
    return {
        "lead": lead,
        "tasks": open_tasks,
        "done": done,
        "now": timezone.now(),
        "form": extra.pop("form", None) or TaskForm(initial={"due_at": _next_hour()}),
        "snooze_form": SnoozeForm(),
        **extra,
    }


def _next_hour() -> str:
    local = timezone.localtime() + timedelta(hours=1)
    return local.replace(minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")


@require_GET
@role_required(*ANY_STAFF_ROLE)
def my_tasks_view(request: HttpRequest) -> HttpResponse:
    template = "assignment/tasks.html"
    if request.htmx and request.htmx.target == "my-tasks":
        template += "#my-tasks"
    return TemplateResponse(request, template, _my_tasks_context(request))


@require_http_methods(["GET", "POST"])
@role_required(*ANY_STAFF_ROLE)
def lead_tasks_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    """The lead page's block (GET, loaded by HTMX) and a new task on the lead (POST): for the lead's owner (a
    supervisor gives the task to the consultant who has the lead)."""
    lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    extra: dict = {}
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                task_services.task_create(
                    lead=lead,
                    owner=lead.owner or request.user,
                    kind=data["kind"],
                    due_at=data["due_at"],
                    title=data["title"],
                    actor=request.user,
                )
                extra["message"] = _("Task created.")
            except ApplicationError as exc:
                extra |= {"form": form, "error": exc.message}
                status = exc.http_status
        else:
            extra |= {"form": form, "error": _errors(form)}
            status = 400
        if not request.htmx:  # without JavaScript: the page says what went wrong, not only HTMX's block
            if extra.get("error"):
                messages.error(request, extra["error"])
            return redirect(reverse("leads:detail", args=[lead.pk]) + "#tasks")
    return TemplateResponse(
        request, "assignment/_lead_tasks.html", _lead_block_context(request, lead, **extra), status=status
    )


def _after_task_change(request, task, error: str = "") -> HttpResponse:
    """Answer where the change was made: the lead page's block or "Minhas tarefas"."""
    where = request.POST.get("from", "")
    if where == "lead":
        lead = lead_selectors.lead_get_for_user(user=request.user, lead_id=task.lead_id)
        if not request.htmx:
            return redirect(reverse("leads:detail", args=[lead.pk]) + "#tasks")
        return TemplateResponse(request, "assignment/_lead_tasks.html", _lead_block_context(request, lead, error=error))
    if not request.htmx:
        back = request.POST.get("q", "")
        return redirect(reverse("assignment:tasks") + (f"?{QueryDict(back).urlencode()}" if back else ""))
    params = QueryDict(request.POST.get("q", ""))  # the filters and page the list was showing
    return TemplateResponse(
        request, "assignment/tasks.html#my-tasks", _my_tasks_context(request, params=params, error=error)
    )


@require_POST
@role_required(*ANY_STAFF_ROLE)
def task_done_view(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_selectors.task_get_for_user(user=request.user, task_id=task_id)
    task_services.task_done(task=task, actor=request.user)
    return _after_task_change(request, task)


@require_POST
@role_required(*ANY_STAFF_ROLE)
def task_snooze_view(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_selectors.task_get_for_user(user=request.user, task_id=task_id)
    form = SnoozeForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            until = task_services.snooze_until(
                choice=form.cleaned_data["snooze"], picked=form.cleaned_data["until"], due=task.due_at
            )
            task_services.task_snooze(task=task, actor=request.user, until=until)
        except ApplicationError as exc:
            error = exc.message
    else:
        error = _errors(form)
    return _after_task_change(request, task, error)


def _week_start(raw: str | None) -> date:
    today = timezone.localdate()
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


@require_GET
@role_required(*ANY_STAFF_ROLE)
def calendar_view(request: HttpRequest) -> HttpResponse:
    """The week's visits and meetings, Monday to Sunday (``?semana=AAAA-MM-DD``, any day of the week)."""
    monday = _week_start(request.GET.get("semana"))
    tz = timezone.get_current_timezone()
    start = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
    items = task_selectors.calendar_items(user=request.user, start=start, end=start + timedelta(days=7))
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        days.append({"date": day, "items": [t for t in items if timezone.localtime(t.due_at).date() == day]})
    feed = task_selectors.calendar_feed_for(user=request.user)
    feed_url = request.build_absolute_uri(reverse("assignment:calendar_feed", args=[feed.token])) if feed else ""
    return TemplateResponse(
        request,
        "assignment/calendar.html",
        {
            "days": days,
            "today": timezone.localdate(),
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "feed_url": feed_url,
            "now": timezone.now(),
        },
    )


@require_POST
@role_required(*ANY_STAFF_ROLE)
def calendar_feed_rotate_view(request: HttpRequest) -> HttpResponse:
    task_services.calendar_feed_rotate(user=request.user)
    return redirect("assignment:calendar")


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The person's visits and meetings as iCalendar, for a calendar app: the secret token is the credential."""
    feed = task_selectors.calendar_feed_by_token(token=token)
    if feed is None or not user_has_role(feed.user, *ANY_STAFF_ROLE):
        raise Http404
    now = timezone.now()
    items = task_selectors.calendar_items(
        user=feed.user, start=now - timedelta(days=FEED_PAST_DAYS), end=now + timedelta(days=FEED_FUTURE_DAYS)
    )
    host = request.get_host()
    events = [
        CalendarEvent(
            uid=f"fluxo-task-{task.pk}@{host}",
            start=task.due_at,
            summary=f"{TaskKind(task.kind).label} — {task.lead.full_name}",
            description=task.title,
            url=request.build_absolute_uri(reverse("leads:detail", args=[task.lead_id])),
            stamp=task.created_at,
        )
        for task in items
    ]
    body = calendar_ics(name=_("Fluxo — visits and meetings"), events=events, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = 'inline; filename="fluxo-agenda.ics"'
    return response
