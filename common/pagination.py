"""Pagination that never counts a whole base: past ``FLUXO_LIST_COUNT_CAP`` rows the count says "more than 10.000"
instead of scanning a million leads for an exact figure nobody reads. The count query stops at ``cap + 1`` rows (a
bounded index scan); pages reach the first ``cap`` rows — beyond that, people refine the filter (and OFFSET would be
slow anyway)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """``count`` up to ``settings.FLUXO_LIST_COUNT_CAP`` (10,000 by default)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = settings.FLUXO_LIST_COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        """Rows up to ``cap + 1``: one bounded COUNT over a LIMIT subquery."""
        rows = self.object_list
        return rows[: self.cap + 1].count() if hasattr(rows, "query") else len(rows)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def count_capped(self) -> bool:
        """True when there are more rows than ``count`` says (show "10.000+")."""
        return self._counted > self.cap
