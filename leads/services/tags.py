from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from leads.models import Tag


@transaction.atomic
def tag_get_or_create_path(path: str) -> Tag:
    """``interesse/apartamento/alto-padrão`` → the leaf Tag, creating the missing ancestors."""
    parent = None
    parts = [p.strip() for p in path.strip("/").split("/") if p.strip()]
    if not parts:
        raise ValueError("empty tag path")
    for part in parts:
        slug = slugify(part, allow_unicode=True)
        full = f"{parent.path}/{slug}" if parent else slug
        tag, _created = Tag.objects.get_or_create(path=full, defaults={"name": part, "slug": slug, "parent": parent})
        parent = tag
    return parent
