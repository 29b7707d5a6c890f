"""Column mapping: headers in Portuguese, Spanish or English → lead fields. Unknown columns go to ``attributes``."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from common.text import fold

FIELDS = {
    "full_name": (
        "nome",
        "nome completo",
        "name",
        "full name",
        "nombre",
        "nombre completo",
        "cliente",
        "lead",
        "contato",
        "razao social",
    ),
    "first_name": ("primeiro nome", "first name", "nome proprio"),
    "last_name": ("sobrenome", "ultimo nome", "last name", "apellido", "apellidos"),
    "phone": (
        "telefone",
        "celular",
        "whatsapp",
        "whats",
        "fone",
        "tel",
        "phone",
        "mobile",
        "telefono",
        "movil",
        "numero",
        "cel",
        "telefone celular",
        "phone number",
    ),
    "phone2": (
        "telefone 2",
        "telefone2",
        "telefone secundario",
        "outro telefone",
        "fone 2",
        "tel 2",
        "phone 2",
        "telefone fixo",
        "fixo",
        "residencial",
        "comercial telefone",
    ),
    "email": ("email", "e mail", "mail", "correo", "correo electronico", "endereco de email"),
    "document": ("cpf", "documento", "cpf cnpj", "document", "documento identidad", "rut", "dni"),
    "city": ("cidade", "city", "ciudad", "municipio", "localidade"),
    "state": ("uf", "estado", "state", "provincia"),
    "budget": (
        "orcamento",
        "presupuesto",
        "budget",
        "valor",
        "faixa de valor",
        "renda",
        "investimento",
        "valor disponivel",
        "capacidade de investimento",
        "ticket",
    ),
    "interest": ("interesse", "interes", "interest", "produto", "imovel", "tipo de imovel", "tipo"),
    "origin": ("origem", "origen", "source", "canal", "midia", "campanha origem"),
    "notes": ("observacoes", "observacao", "obs", "notas", "notes", "comentarios", "comentario", "descricao"),
    "campaign_ref": ("campanha", "campaign", "campaign id", "campaign name"),
    "ad_ref": ("anuncio", "ad", "ad id", "ad name", "criativo"),
    "external_ref": ("id", "codigo", "external id", "id externo", "lead id"),
}
TARGETS = [*FIELDS, "attribute", "ignore"]


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(text or "")).strip()


_LOOKUP = {_fold(synonym): field for field, synonyms in FIELDS.items() for synonym in synonyms}


# What a person reads for each target of the column mapping (the keys stay the stored, stable values).
FIELD_LABELS = {
    "full_name": _("Full name"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "phone": _("Phone"),
    "phone2": _("Second phone"),
    "email": _("E-mail"),
    "document": _("Document (CPF)"),
    "city": _("City"),
    "state": _("State (UF)"),
    "budget": _("Budget"),
    "interest": _("Interest"),
    "origin": _("Origin"),
    "notes": _("Notes"),
    "campaign_ref": _("Campaign"),
    "ad_ref": _("Ad"),
    "external_ref": _("Id in the source system"),
    "attribute": _("Other data (kept on the lead)"),
    "ignore": _("Ignore this column"),
}


def field_label(target: str) -> str:
    """``"phone2"`` → "Segundo telefone"."""
    return str(FIELD_LABELS.get(target, target))


def mapping_suggest(headers: list[str], saved: dict | None = None) -> dict[str, str]:
    """Header → field. A mapping saved for the source wins; then exact synonyms; then a synonym inside the header
    (``Telefone do cliente`` → phone). Everything else becomes an attribute named after the header."""
    saved = saved or {}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        if header in saved:
            mapping[header] = saved[header]
            taken.add(saved[header])
    for header in headers:
        if header in mapping or not header:
            continue
        folded = _fold(header)
        field = _LOOKUP.get(folded)
        if field is None:
            field = next(
                (
                    f
                    for syn, f in sorted(_LOOKUP.items(), key=lambda kv: -len(kv[0]))
                    if len(syn) > 3 and re.search(rf"\b{re.escape(syn)}\b", folded)
                ),
                None,
            )
        if field == "phone" and "phone" in taken:
            field = "phone2"
        if field and field not in taken:
            mapping[header] = field
            taken.add(field)
        else:
            mapping[header] = "attribute"
    return mapping


def mapping_recognizes_anything(mapping: dict[str, str]) -> bool:
    fields = set(mapping.values())
    return bool(fields & {"phone", "phone2", "email"}) and bool(fields & {"full_name", "first_name", "phone", "email"})
