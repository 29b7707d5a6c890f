"""Columns and sort orders of the lead list that apps above ``leads`` contribute (qualification: score and class;
assignment: next task) without ``leads`` importing them: each registers an extension in its ``AppConfig.ready``,
the way compliance's data providers are registered. An extension annotates the list's queryset and may be sorted
on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class ListExtension:
    key: str  # the column and sort key in the URL (?sort=score, ?cols=score)
    label: str  # translated lazily
    annotate: Callable[[QuerySet], QuerySet]  # adds the annotations the column shows and the sort uses
    order_by: tuple[str, ...]  # e.g. ("-score_value",) — nulls go last
    template: str = ""  # a small template rendering the cell for ``lead`` (none: a sort order only)
    column_label: str = ""  # the column's name in the column picker (default: ``label``)


_EXTENSIONS: dict[str, ListExtension] = {}


def list_extension_register(extension: ListExtension) -> None:
    _EXTENSIONS[extension.key] = extension


def list_extensions() -> dict[str, ListExtension]:
    return dict(_EXTENSIONS)
