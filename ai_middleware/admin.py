from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ai_middleware.models import (
    AiCall,
    Extraction,
    LabelledExample,
    LearningEvent,
    MessageDraft,
    ModelPrice,
    ObjectionReply,
    Prompt,
    Suggestion,
    Task,
)
from ai_middleware.prompts import prompt_system
from common.admin import ReadOnlyAdmin


class PromptForm(forms.ModelForm):
    class Meta:
        model = Prompt
        fields = [
            "key",
            "version",
            "variant",
            "parent",
            "description",
            "system",
            "template",
            "variables",
            "weight",
            "is_active",
        ]

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent")
        node = parent
        while node is not None:  # refuse a loop before it reaches the database
            if self.instance.pk and node.pk == self.instance.pk:
                raise forms.ValidationError(_("A prompt cannot inherit from itself or from one of its children."))
            node = node.parent
        variables = cleaned.get("variables") or {}
        if not isinstance(variables, dict) or any(not isinstance(spec, dict) for spec in variables.values()):
            raise forms.ValidationError(
                {"variables": _('Use an object such as {"message": {"type": "string", "required": true}}.')}
            )
        return cleaned


class PromptKeyFilter(admin.SimpleListFilter):
    """Prompt keys by the task they serve ("Extração"), the shared root by its own key."""

    title = _("task")
    parameter_name = "key"

    def lookups(self, request, model_admin):
        keys = Prompt.objects.order_by("key").values_list("key", flat=True).distinct()
        return [(key, Task(key).label if key in Task.values else key) for key in keys]

    def queryset(self, request, queryset):
        return queryset.filter(key=self.value()) if self.value() else queryset


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    """Prompts are data: add a new version or variant rather than editing one that calls already used, so the
    learning screen compares them fairly."""

    form = PromptForm
    list_display = ["key_code", "task", "version", "variant", "parent", "weight", "is_active", "description"]
    list_filter = [PromptKeyFilter, "is_active"]

    @admin.display(description=_("key"), ordering="key")
    def key_code(self, obj):
        return format_html("<code>{}</code>", obj.key)  # an identifier, not a word: the task column names it

    @admin.display(description=_("task"))
    def task(self, obj):
        return Task(obj.key).label if obj.key in Task.values else "—"

    search_fields = ["key", "description", "system", "template"]
    list_select_related = ["parent"]
    readonly_fields = ["full_system"]
    save_as = True

    @admin.display(description=_("system text sent (with inherited parts)"))
    def full_system(self, obj):
        return prompt_system(obj) if obj.pk else ""


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = ["model", "input_per_million", "cached_input_per_million", "output_per_million"]
    search_fields = ["model"]


@admin.register(AiCall)
class AiCallAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "task",
        "provider",
        "model",
        "prompt",
        "tokens_in",
        "tokens_cached",
        "tokens_out",
        "cost_usd",
        "latency_ms",
        "cache_hit",
        "outcome",
    ]
    list_filter = ["task", "provider", "outcome", "cache_hit"]
    list_select_related = ["prompt"]
    date_hierarchy = "created_at"


@admin.register(Extraction)
class ExtractionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "lead_id", "provider", "prompt", "escalated", "applied"]
    list_filter = ["provider", "escalated"]
    list_select_related = ["prompt"]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "lead_id", "provider", "prompt", "tone", "outcome", "similarity"]
    list_filter = ["outcome", "provider", "tone"]
    list_select_related = ["prompt"]


@admin.register(LearningEvent)
class LearningEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "prompt", "kind", "lead_id", "similarity"]
    list_filter = ["kind"]
    list_select_related = ["prompt"]


@admin.register(ObjectionReply)
class ObjectionReplyAdmin(admin.ModelAdmin):
    list_display = ["objection", "stage", "is_active", "text"]
    list_filter = ["objection", "stage", "is_active"]
    search_fields = ["text"]


@admin.register(MessageDraft)
class MessageDraftAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "goal", "tone", "status", "provider", "prompt"]
    list_filter = ["status", "tone", "provider"]
    search_fields = ["goal", "text"]
    list_select_related = ["prompt"]


@admin.register(LabelledExample)
class LabelledExampleAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "field", "value", "source", "lead_id"]
    list_filter = ["field", "source"]
    search_fields = ["text"]
