"""Admins edit a scoring draft as JSON (checked on save, each problem with its path), preview its effect on recent
leads next to the active version, then activate it. Scores, history, models and segmentations are read-only."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from qualification import segmentation, services
from qualification.config import definition_errors
from qualification.models import ConfigStatus, LeadModel, LeadScore, ScoreHistory, ScoringConfig, Segmentation


class ScoringConfigForm(forms.ModelForm):
    class Meta:
        model = ScoringConfig
        fields = ["definition", "notes"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 40, "cols": 110, "style": "font-family: monospace"})}

    def clean_definition(self):
        definition = self.cleaned_data["definition"]
        errors = definition_errors(definition)
        if errors:
            raise forms.ValidationError(errors)
        return definition


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScoringConfig)
class ScoringConfigAdmin(admin.ModelAdmin):
    form = ScoringConfigForm
    list_display = ["version", "status", "notes", "created_at", "activated_at", "tools"]
    list_filter = ["status"]
    actions = ["new_draft"]

    def has_add_permission(self, request):
        return False  # drafts come from the "new draft" action, as copies

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == ConfigStatus.DRAFT

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.status == ConfigStatus.DRAFT

    def save_model(self, request, obj, form, change):
        """A draft's edit goes through the service (the definition checked again, only drafts change)."""
        if change:
            services.config_draft_update(
                config=obj, definition=form.cleaned_data["definition"], notes=form.cleaned_data.get("notes", "")
            )
        else:
            super().save_model(request, obj, form, change)

    @admin.display(description=_("tools"))
    def tools(self, obj):
        if obj.status != ConfigStatus.DRAFT:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:qualification_scoringconfig_preview", args=[obj.pk]), _("Preview")
        )

    @admin.action(description=_("New draft from this version"))
    def new_draft(self, request, queryset):
        for config in queryset[:1]:
            draft = services.config_draft_create(actor=request.user, base=config, notes=f"from v{config.version}")
            messages.success(
                request, _("Draft v%(v)d created: edit it, preview it, activate it.") % {"v": draft.version}
            )

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="qualification_scoringconfig_preview",
            ),
            path(
                "<int:pk>/activate/",
                self.admin_site.admin_view(self.activate_view),
                name="qualification_scoringconfig_activate",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int):
        config = get_object_or_404(ScoringConfig, pk=pk)
        try:
            preview = services.config_preview(config=config, limit=int(request.GET.get("leads", 2000)))
        except (ApplicationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            return redirect("admin:qualification_scoringconfig_change", pk)
        rows = list(zip(preview["bins"], preview["histogram_active"], preview["histogram_draft"], strict=True))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview of scoring v%(v)d") % {"v": config.version},
            "config": config,
            "preview": preview,
            "rows": rows,
            "preview_json": json.dumps(preview, ensure_ascii=False, indent=1),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/qualification/preview.html", context)

    def activate_view(self, request, pk: int):
        config = get_object_or_404(ScoringConfig, pk=pk)
        if request.method == "POST":
            try:
                services.config_activate(config=config, actor=request.user)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, _("v%(v)d is active; open leads are being re-scored.") % {"v": config.version}
                )
        return redirect("admin:qualification_scoringconfig_changelist")


class SegmentFilter(admin.SimpleListFilter):
    """Segments by their pt-BR names (the column stores the key, e.g. ``champions``)."""

    title = _("segment")
    parameter_name = "segment"

    def lookups(self, request, model_admin):
        return [(key, label) for key, label in segmentation.NAMES.items()]

    def queryset(self, request, queryset):
        return queryset.filter(segment=self.value()) if self.value() else queryset


@admin.register(LeadScore)
class LeadScoreAdmin(ReadOnly):
    list_display = [
        "lead",
        "score",
        "category",
        "confidence",
        "action",
        "segment_name",
        "config_version",
        "model_version",
        "scored_at",
    ]
    list_filter = ["category", "action", SegmentFilter, "trend"]
    search_fields = ["lead__id"]
    raw_id_fields = ["lead"]

    @admin.display(description=_("segment"), ordering="segment")
    def segment_name(self, obj):
        return segmentation.name(obj.segment)


@admin.register(ScoreHistory)
class ScoreHistoryAdmin(ReadOnly):
    list_display = ["lead", "score", "category", "trigger", "config_version", "model_version", "created_at"]
    list_filter = ["trigger", "category"]
    raw_id_fields = ["lead"]


@admin.register(LeadModel)
class LeadModelAdmin(ReadOnly):
    list_display = ["version", "algorithm", "serving", "auc", "rules_auc", "created_at"]
    exclude = ["artifact"]

    @admin.display(description="AUC")
    def auc(self, obj):
        return obj.report.get("model", {}).get("auc")

    @admin.display(description=_("rules AUC"))
    def rules_auc(self, obj):
        return obj.report.get("rules", {}).get("auc")


@admin.register(Segmentation)
class SegmentationAdmin(ReadOnly):
    list_display = ["created_at", "k", "meaningful", "silhouette", "monotonic", "leads", "min_share"]

    @admin.display(boolean=True, description=_("meaningful segmentation"))
    def meaningful(self, obj):
        return obj.meaningful
