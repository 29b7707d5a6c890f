"""One filter set for the HTML list, its HTMX partial and the API."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from common.db import Fold
from common.forms import LocalDateField
from common.text import fold
from leads.models import BrazilianState, Lead, LeadSource, LeadStage
from leads.normalization import cpf_digits, cpf_is_valid
from leads.search import lead_filter_tag, lead_find_by_document, lead_search
from leads.visibility import owners_visible_to


class NumberInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """``?ids=1,2,3``: each one a number (``null`` or text is a 400 naming the filter, never a 500)."""


class LocalDateFilter(django_filters.DateFilter):
    """``?created_after=10/12/2026`` as well as the date input's ``2026-12-10``; a wrong day is named in Portuguese."""

    field_class = LocalDateField


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    # distinct=False: a plain column needs no DISTINCT (which sorted a million rows for "stage=new")
    stage = django_filters.MultipleChoiceFilter(choices=LeadStage.choices, label=_("Stage"), distinct=False)
    owner = django_filters.ModelChoiceFilter(queryset=None, label=_("Owner"))
    unassigned = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull", label=_("Unassigned"))
    source = django_filters.ModelChoiceFilter(queryset=LeadSource.objects.all(), label=_("Source"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag (includes sub-tags)"))
    city = django_filters.CharFilter(method="filter_city", label=_("City"))
    state = django_filters.ChoiceFilter(choices=BrazilianState.choices, label=_("State"))
    ids = NumberInFilter(field_name="id", label=_("Selected leads"))
    created_after = LocalDateFilter(field_name="created_at", lookup_expr="date__gte", label=_("Created from"))
    created_before = LocalDateFilter(field_name="created_at", lookup_expr="date__lte", label=_("Created until"))

    class Meta:
        model = Lead
        fields = ["q", "stage", "owner", "unassigned", "source", "tag", "city", "state"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["owner"].queryset = (
            owners_visible_to(user) if user is not None else get_user_model().objects.none()
        )

    def filter_q(self, queryset, name, value):
        found = lead_search(queryset, value)
        if self.user is not None and cpf_is_valid(cpf_digits(value)):
            # The CPF column is encrypted: a CPF typed in the search finds its lead through the blind index.
            by_document = lead_find_by_document(user=self.user, document=value).values("pk")
            found = found | queryset.filter(pk__in=by_document)
        return found

    def filter_tag(self, queryset, name, value):
        return lead_filter_tag(queryset, value)

    def filter_city(self, queryset, name, value):
        """The city as typed, accents and case aside: "sao paulo" is São Paulo."""
        return queryset.alias(city_folded=Fold("city")).filter(city_folded=fold(value.strip()))
