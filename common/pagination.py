"""Pagination that never counts a whole base: past ``FLUXO_LIST_COUNT_CAP`` rows the count says "more than 10.000"
instead of scanning a million leads for an exact figure nobody reads. The count query stops at ``cap + 1`` rows (a
bounded index scan); pages reach the first ``cap`` rows — beyond that, people refine the filter (and OFFSET would be
slow anyway). When PostgreSQL's own estimate (an EXPLAIN: planning only, no rows read) says the matches are far
beyond the cap, the bounded count is skipped. The count also has a time budget (``FLUXO_LIST_COUNT_BUDGET_MS``): a
search whose matches are expensive to walk (a tag on a hundred thousand leads) shows the planner's estimate,
"cerca de N leads", rather than making the page wait."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db import OperationalError, connections, transaction
from django.utils.functional import cached_property


def rows_estimate(queryset) -> int:
    """The planner's estimate of how many rows ``queryset`` returns (0 for a queryset known to be empty)."""
    output = "" if queryset.query.is_empty() else queryset.order_by().explain(format="json")
    if not output:  # a filter that can match nothing (``pk__in=[]``) compiles to no SQL at all
        return 0
    return int(json.loads(output)[0]["Plan"]["Plan Rows"])


class CappedPaginator(Paginator):
    """``count`` up to ``settings.FLUXO_LIST_COUNT_CAP`` (10,000 by default); ``count_capped`` when there are more."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = settings.FLUXO_LIST_COUNT_CAP

    count_estimated = False

    @cached_property
    def _counted(self) -> int:
        """Rows up to ``cap + 1``: one bounded COUNT over a LIMIT subquery within the time budget; the planner's
        estimate when far more are expected or the budget runs out."""
        rows = self.object_list
        if not hasattr(rows, "query"):
            return len(rows)
        estimate = rows_estimate(rows)
        if estimate > self.cap:
            return self.cap + 1
        counted = _count_within_budget(rows[: self.cap + 1], settings.FLUXO_LIST_COUNT_BUDGET_MS)
        if counted is None:
            self.count_estimated = True
            return max(estimate, 1)
        return counted

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def count_capped(self) -> bool:
        """True when there are more rows than ``count`` says (show "more than 10.000")."""
        return self._counted > self.cap


def _count_within_budget(rows, budget_ms: int) -> int | None:
    """``rows.count()``, or None when PostgreSQL needs more than ``budget_ms``. The statement_timeout is set for this
    count only: inside a transaction (or savepoint) that is rolled back afterwards, which also undoes the setting."""
    connection = connections[rows.db]
    try:
        with transaction.atomic(using=rows.db):
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{max(1, int(budget_ms))}ms"])
            counted = rows.count()
            transaction.set_rollback(True, using=rows.db)  # nothing was written; this resets statement_timeout
            return counted
    except OperationalError:  # QueryCanceled: the budget ran out
        return None
