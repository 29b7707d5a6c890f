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

ESTIMATE_FACTOR_HINT = "fluxo_rows_estimate_factor"


def rows_estimate_scaled(queryset, factor: float):
    """``queryset`` with a correction to the planner's estimate that ``rows_estimate`` applies: the caller knows
    that its conditions are correlated (every word of "sao paulo" is in the same rows; PostgreSQL multiplies their
    selectivities as if independent). The factor travels with the queryset's clones (in its router hints, which
    no router reads)."""
    if factor == 1:
        return queryset
    queryset._hints = {**queryset._hints, ESTIMATE_FACTOR_HINT: factor}
    return queryset


def rows_estimate(queryset) -> int:
    """The planner's estimate of how many rows ``queryset`` returns (0 for a queryset known to be empty), times the
    correction ``rows_estimate_scaled`` attached, if any."""
    # Only the rows' keys: the same row count, planned without the joins and columns a page loads.
    output = "" if queryset.query.is_empty() else queryset.order_by().values("pk").explain(format="json")
    if not output:  # a filter that can match nothing (``pk__in=[]``) compiles to no SQL at all
        return 0
    rows = int(json.loads(output)[0]["Plan"]["Plan Rows"])
    return int(rows * queryset._hints.get(ESTIMATE_FACTOR_HINT, 1))


def rows_counted_capped(rows, cap: int, *, estimate: int | None = None) -> tuple[int, bool]:
    """(rows up to ``cap + 1``, estimated?): one bounded COUNT over a LIMIT subquery within
    ``FLUXO_LIST_COUNT_BUDGET_MS``; ``cap + 1`` without counting when the planner expects far more; the planner's
    estimate (and True) when the budget runs out. More than ``cap`` means "more than ``cap``". ``estimate``: the
    planner's, when the caller already asked for it."""
    estimate = rows_estimate(rows) if estimate is None else estimate
    if estimate > cap:
        return cap + 1, False
    counted = within_budget(rows.order_by().values("pk")[: cap + 1].count, rows.db)
    if counted is None:
        return min(max(estimate, 1), cap + 1), True
    return counted, False


class CappedPaginator(Paginator):
    """``count`` up to ``settings.FLUXO_LIST_COUNT_CAP`` (10,000 by default); ``count_capped`` when there are more."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = settings.FLUXO_LIST_COUNT_CAP

    count_estimated = False

    @cached_property
    def _counted(self) -> int:
        """Rows up to ``cap + 1`` (see ``rows_counted_capped``)."""
        rows = self.object_list
        if not hasattr(rows, "query"):
            return len(rows)
        counted, self.count_estimated = rows_counted_capped(rows, self.cap)
        return counted

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def count_capped(self) -> bool:
        """True when there are more rows than ``count`` says (show "more than 10.000")."""
        return self._counted > self.cap


def within_budget(read, using: str = "default", budget_ms: int | None = None):
    """``read()`` (a read of the database), or None when PostgreSQL needs more than ``budget_ms`` (default
    ``FLUXO_LIST_COUNT_BUDGET_MS``) for one of its statements. The statement_timeout is set for this read only:
    inside a transaction (or savepoint) that is rolled back afterwards, which also undoes the setting."""
    budget_ms = settings.FLUXO_LIST_COUNT_BUDGET_MS if budget_ms is None else budget_ms
    connection = connections[using]
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{max(1, int(budget_ms))}ms"])
            result = read()
            transaction.set_rollback(True, using=using)  # nothing was written; this resets statement_timeout
            return result
    except OperationalError:  # QueryCanceled: the budget ran out
        return None
