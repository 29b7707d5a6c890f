"""Imports and the duplicate review queue, for supervisors and admins."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ApplicationError
from common.tasks import task_send
from compliance.roles import Role, role_required
from leads import selectors
from leads.ingest.mapping import FIELDS
from leads.ingest.pipeline import import_job_create, import_job_mapping_set
from leads.models import ImportStatus, LeadSource, SourceKind
from leads.services.merge import review_decide

MAX_UPLOAD = 200 * 1024 * 1024
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISORS)
def import_upload_view(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        name = (request.POST.get("source_name") or "").strip()
        source = LeadSource.objects.filter(pk=request.POST.get("source") or 0).first()
        if not source and name:
            source, _created = LeadSource.objects.get_or_create(
                name=name[:120], defaults={"kind": SourceKind.MANUAL_IMPORT}
            )
        if upload is None:
            error = _("Choose a file.")
        elif source is None:
            error = _("Choose a source or name a new one.")
        elif upload.size > MAX_UPLOAD:
            error = _("The file is larger than 200 MB: split it.")
        else:
            with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as temp:
                for part in upload.chunks():
                    temp.write(part)
                temp.flush()
                try:
                    job = import_job_create(
                        path=Path(temp.name),
                        original_name=upload.name,
                        source=source,
                        actor=request.user,
                        allow_repeat=bool(request.POST.get("allow_repeat")),
                    )
                except ApplicationError as exc:
                    error = exc.message
                else:
                    return redirect("leads:import_detail", job_id=job.pk)
    context = {
        "sources": LeadSource.objects.filter(is_active=True),
        "error": error,
        "jobs": selectors.import_jobs_visible_to(request.user)
        .filter(file_kind__in=["xlsx", "csv"])
        .select_related("source")
        .order_by("-created_at")[:20],
    }
    return TemplateResponse(request, "leads/import_upload.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISORS)
def import_detail_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(selectors.import_jobs_visible_to(request.user).select_related("source"), pk=job_id)
    error = None
    if request.method == "POST" and job.status == ImportStatus.PENDING:
        mapping = {header: request.POST.get(f"map::{header}", target) for header, target in job.mapping.items()}
        try:
            import_job_mapping_set(job=job, mapping=mapping)
        except ApplicationError as exc:
            error = exc.message
        else:
            task_send("leads.import_run", job.pk)
            return redirect("leads:import_detail", job_id=job.pk)
    # The real elapsed time: until it finished, not until now (a file done in 0.8 s is 2,500 rows/s, not 5 an hour on).
    elapsed = ((job.finished_at or timezone.now()) - job.started_at).total_seconds() if job.started_at else 0
    rate = job.rows_done / elapsed if elapsed > 0 else 0
    eta = (job.rows_total - job.rows_done) / rate if rate and job.status == ImportStatus.RUNNING else None
    percent = int(100 * job.rows_done / job.rows_total) if job.rows_total else 0
    context = {
        "job": job,
        "targets": [*FIELDS, "attribute", "ignore"],
        "error": error,
        "rate": round(rate),
        "eta": round(eta) if eta is not None else None,
        "percent": min(percent, 100),
    }
    template = "leads/import_detail.html"
    if request.htmx:
        template += "#progress"
    return TemplateResponse(request, template, context)


@require_GET
@role_required(*SUPERVISORS)
def import_report_view(request: HttpRequest, job_id: int) -> FileResponse:
    job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=job_id)
    if not job.error_report:
        raise Http404("no report")
    return FileResponse(job.error_report.open("rb"), as_attachment=True, filename=f"erros-importacao-{job.pk}.xlsx")


@require_GET
@role_required(*SUPERVISORS)
def review_queue_view(request: HttpRequest) -> HttpResponse:
    pending = selectors.duplicate_reviews_pending(user=request.user)
    page = Paginator(pending, 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "leads/review_queue.html", {"page": page})  # masking: see context_processors


@require_POST
@role_required(*SUPERVISORS)
def review_decide_view(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(selectors.duplicate_reviews_visible_to(request.user), pk=review_id)
    try:
        review_decide(review=review, actor=request.user, merge=request.POST.get("decision") == "merge")
    except ApplicationError as exc:
        messages.warning(request, exc.message)
    if request.htmx:
        return HttpResponse("")  # the card disappears
    return redirect("leads:review_queue")
