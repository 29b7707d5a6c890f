"""Forms of the assignment pages: a task on a lead, a snooze."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from assignment.models import TaskKind
from assignment.task_services import TITLE_MAX
from common.forms import LocalDateTimeField


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices, initial=TaskKind.CALLBACK)
    due_at = LocalDateTimeField(label=_("When"))
    title = forms.CharField(label=_("What"), max_length=TITLE_MAX, required=False)


class SnoozeForm(forms.Form):
    snooze = forms.ChoiceField(
        label=_("Snooze"),
        choices=[("1h", _("1 hour")), ("tomorrow", _("Tomorrow 9:00")), ("pick", _("Pick…"))],
    )
    until = LocalDateTimeField(label=_("Until"), required=False)
