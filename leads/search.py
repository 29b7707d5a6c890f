"""Finding leads by what a person types: a phone (its last or middle digits), a name or words of any field, a
CPF (through its blind index), a tag path. Used by the list filter (``leads.filters``) and the selectors; imports
neither."""

from __future__ import annotations

import re
import time

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Reverse

from common.db import Fold
from common.pagination import rows_estimate_scaled
from common.text import fold
from leads.models import ContactKind, ContactPoint, Lead, Tag
from leads.normalization import cpf_digits, document_index
from leads.visibility import lead_visible_to

PHONE_DIGITS_MIN = 4  # fewer digits than this are not a phone search (a house number, a year)
PHONE_CONTAINS_MIN = 5  # from this many digits a number is also found by its middle part ("98765", "98765-43")


def lead_search(leads: QuerySet[Lead], text: str) -> QuerySet[Lead]:
    """Free text, the way people type it into one box, accent- and case-insensitive:

    - ``#tag`` (or a tag path): leads with that tag or one of its sub-tags;
    - digits only, however formatted ("(11) 98765-4321", "4321"): phones ending in those digits; five digits or
      more also match inside a number (the first half people remember, "98765");
    - something with ``@``: e-mails containing it;
    - words: every word appears in the name or the city ("joao", "sao paulo", "maria conceicao").

    Each branch is served by an index (trigram on ``search_text``, the folded name and city stored with the lead; the
    reversed phone; the e-mail trigram), so it stays fast over a million leads."""
    text = text.strip()
    if not text:
        return leads
    if text.startswith("#"):
        return lead_filter_tag(leads, text)
    digits = re.sub(r"\D", "", text)
    if len(digits) >= PHONE_DIGITS_MIN and not re.search(r"[^\W\d_]", text):
        return leads.filter(pk__in=_lead_ids_of(_phones_matching(digits)))
    if "@" in text:
        emails = ContactPoint.objects.filter(kind=ContactKind.EMAIL, value__contains=text.lower())
        return leads.filter(pk__in=_lead_ids_of(emails))
    words = [w for w in re.split(r"[\s,;]+", fold(text)) if w]
    if not words:
        return leads.none()
    for word in words:
        leads = leads.filter(search_text__contains=word)  # name and city, folded at write time
    return rows_estimate_scaled(leads, _words_estimate_factor(words))


SEARCH_SAMPLE_SECONDS = 600  # how long a process keeps PostgreSQL's sample of ``search_text``
SEARCH_SAMPLE_HITS_MIN = 3  # sampled rows holding every word from which the words count as correlated
_search_sample: dict = {}


def _search_text_sample() -> list[tuple[str, float]]:
    """PostgreSQL's own sample of ``leads_lead.search_text`` (``pg_stats``: the most common values with their
    frequencies and the histogram's bounds, each standing for an equal share of the rest), as (text, share of the
    rows); read at most every ``SEARCH_SAMPLE_SECONDS`` per process. Empty before the table's first ANALYZE."""
    now = time.monotonic()
    cached = _search_sample.get(connection.alias)
    if cached and now - cached[0] < SEARCH_SAMPLE_SECONDS:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT null_frac, most_common_vals::text::text[], most_common_freqs, histogram_bounds::text::text[]
            FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s AND attname = 'search_text'
            """,
            [Lead._meta.db_table],
        )
        row = cursor.fetchone()
    sample: list[tuple[str, float]] = []
    if row:
        null_frac, common, freqs, bounds = row
        sample = list(zip(common or [], freqs or [], strict=False))
        if bounds:
            share = max(0.0, 1 - (null_frac or 0) - sum(freqs or [])) / len(bounds)
            sample += [(text, share) for text in bounds]
    _search_sample[connection.alias] = (now, sample)
    return sample


def _words_estimate_factor(words: list[str]) -> float:
    """How far PostgreSQL underestimates rows holding every one of ``words``: it multiplies each word's share as
    if they were independent, but the words people type together come together ("sao paulo": 0.8 % estimated,
    4.4 % of the base). From its own sample: the share of sampled rows holding all the words over the product of
    each word's share, when at least ``SEARCH_SAMPLE_HITS_MIN`` sampled rows hold them all (rarer phrases: the
    planner's figure stands). Never below 1."""
    if len(words) < 2:
        return 1.0
    sample = _search_text_sample()
    together = [(text, share) for text, share in sample if all(word in text for word in words)]
    if len(together) < SEARCH_SAMPLE_HITS_MIN:
        return 1.0
    independent = 1.0
    for word in words:
        independent *= sum(share for text, share in sample if word in text)
    return max(1.0, sum(share for _text, share in together) / independent) if independent else 1.0


SEARCH_CONTACT_MATCHES_MAX = 2000


def _lead_ids_of(contacts: QuerySet[ContactPoint]) -> list[int]:
    """The leads of matching contacts, fetched first (one query on the contact index). As a subquery the planner
    walks the newest leads probing each one for a rare phone — seconds over a million leads. A search matching more
    than ``SEARCH_CONTACT_MATCHES_MAX`` contacts shows some of them: type more digits."""
    return list(contacts.values_list("lead_id", flat=True)[:SEARCH_CONTACT_MATCHES_MAX])


def _phones_matching(digits: str) -> QuerySet[ContactPoint]:
    phones = ContactPoint.objects.filter(kind=ContactKind.PHONE).alias(reversed_value=Reverse("value"))
    condition = Q(reversed_value__startswith=digits[::-1])
    if len(digits) >= PHONE_CONTAINS_MIN:
        condition |= Q(value__contains=digits)
    return phones.filter(condition)


def lead_filter_tag(leads: QuerySet[Lead], typed: str) -> QuerySet[Lead]:
    """Leads tagged with ``typed`` or one of its sub-tags; ``#interesse/casa``, ``interesse/casa`` and
    ``Interesse/Casa`` are the same tag, accents or not ("primeiro-imovel" finds "primeiro-imóvel"). A tag is also
    found by its own name, the last segment of its path: "investidor" finds "perfil/investidor" (and its sub-tags)."""
    path = fold(typed.strip().lstrip("#").strip().strip("/"))
    if not path:
        return leads
    wanted = Q(path_folded=path) | Q(path_folded__startswith=f"{path}/")
    if "/" not in path:
        wanted |= Q(path_folded__endswith=f"/{path}") | Q(path_folded__contains=f"/{path}/")
    tags = Tag.objects.alias(path_folded=Fold("path")).filter(wanted)
    # The ids as literals (the tag table is small): PostgreSQL then estimates from the links' statistics per tag.
    tag_ids = list(tags.values_list("id", flat=True))
    tagged = Lead.tags.through.objects.filter(lead_id=OuterRef("pk"), tag_id__in=tag_ids)
    return leads.filter(Exists(tagged))


def lead_find_by_document(*, user, document: str) -> QuerySet[Lead]:
    """Exact CPF lookup through the blind index (the column itself is encrypted)."""
    digits = cpf_digits(document)
    if not digits:
        return Lead.objects.none()
    return lead_visible_to(user).filter(document_index=document_index(digits))
