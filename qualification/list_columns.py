"""The lead list's "score and class" column and sort orders (registered in ``QualificationConfig.ready``): the
served score — the learned model's probability when one serves, else the rules' score — and the class."""

from __future__ import annotations

from django.db.models import BooleanField, Case, ExpressionWrapper, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from leads.list_columns import ListExtension, list_extension_register
from qualification.models import Category

CLASS_RANK = {Category.HOT: 0, Category.WARM: 1, Category.COLD: 2}


def _with_score(leads):
    """One LEFT JOIN on the lead's score (not a subquery per row), so that sorting a large list stays one pass."""
    if "score_value" in leads.query.annotations:
        return leads
    # The same served score as ``selectors.ServedClass`` (probability in percent, else the rules' score), in SQL.
    served = Coalesce(F("qualification__probability") * 100, F("qualification__score"), output_field=FloatField())
    return leads.annotate(
        score_value=served,
        score_class=F("qualification__category"),
        score_by_model=ExpressionWrapper(Q(qualification__probability__isnull=False), output_field=BooleanField()),
        score_rank=Case(
            *[When(qualification__category=code, then=Value(rank)) for code, rank in CLASS_RANK.items()],
            default=Value(9),
            output_field=IntegerField(),
        ),
    )


def register() -> None:
    list_extension_register(
        ListExtension(
            key="score",
            label=_("Score (highest first)"),
            annotate=_with_score,
            order_by=(F("score_value").desc(nulls_last=True),),
            template="qualification/_list_score.html",
            column_label=_("Score and class"),
        )
    )
    list_extension_register(
        ListExtension(
            key="class",
            label=_("Class (hot first)"),
            annotate=_with_score,
            order_by=(F("score_rank").asc(), F("score_value").desc(nulls_last=True)),
        )
    )
