"""A person's saved lead lists (name → filters, sort and columns as the list's query string)."""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from common.errors import ApplicationError, NotFoundError
from leads.models import SavedView

KEPT_PARAMS = frozenset(
    {
        "q",
        "stage",
        "owner",
        "unassigned",
        "source",
        "tag",
        "city",
        "state",
        "created_after",
        "created_before",
        "sort",
        "cols",
    }
)


class SavedViewInvalid(ApplicationError):
    code = "saved_view_invalid"


def _clean_query(query: str) -> str:
    """Only the list's own parameters are kept (no page, no CSRF token), blanks dropped."""
    data = QueryDict(query, mutable=True)
    kept = QueryDict(mutable=True)
    for key in sorted(KEPT_PARAMS & set(data)):
        values = [v for v in data.getlist(key) if v.strip()]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


@transaction.atomic
def saved_view_save(*, user, name: str, query: str) -> SavedView:
    """Save (or overwrite, by name) the list as it is now."""
    name = " ".join(name.split())[:80]
    if not name:
        raise SavedViewInvalid(_("Give the view a name."), details={"name": [_("Required.")]})
    view, _created = SavedView.objects.update_or_create(user=user, name=name, defaults={"query": _clean_query(query)})
    return view


def saved_view_delete(*, user, view_id: int) -> None:
    deleted, _rows = SavedView.objects.filter(user=user, pk=view_id).delete()
    if not deleted:
        raise NotFoundError(_("This saved view does not exist."), code="saved_view_not_found")
