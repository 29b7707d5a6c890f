"""Reading the property budget a lead states in a message, knowing whose amount each one is. Pure functions, no ORM.

A message is folded (``common.text.fold``), phones, CEPs, CPFs and CNPJs are masked, slang thousands are spelled out
("700 conto", "400 pau", "300 pila" → "mil"; "trezentão" → "trezentos mil"), and every amount is found by the
one amount parser the product has (``leads.normalization.amounts_find``: ``R$ 350.000,00``, ``350 mil reais``,
``400k``, ``1,2 mi``, ``1.2mi``, ``um milhão e meio``, ``meio milhão``, ``quatrocentos mil``, ``2 milhões e 300
mil``, ranges sharing a scale as ``entre 300 e 400 mil`` / ``300-400k``). Then each amount is tagged with a role,
from the cue words in its own clause (clauses end at ``. ! ? ; ,`` and at "mas"/"porém"), looking only at the words
since the previous amount (so "tenho 80 de entrada e financio até 500" gives "entrada" to 80 and "até" to 500).

Is it money? (``_brl``)
  * with a scale (mil, k, mi, milhão, "1kk"…) or "R$"/"reais": yes ("80m", "80m²" are metres; "1M" and "1,5M"
    after a budget cue are millions);
  * a bare number of 5+ digits: only with thousands separators or when it is a round thousand (phones, CEPs and
    codes are not);
  * a bare 50-999 is thousands and a bare 1,2 is millions when the message talks in thousands/millions elsewhere or a
    budget cue stands right before it ("meu teto é 850", "uns 400", "financio até 500"), a limit or floor right
    after it ("800 pra mais") or the kind of home wanted ("casa de 400"); a bare "250 a 300" standing alone as a
    clause is a range in thousands;
  * never a number followed by a thing ("3 quartos", "80 m²", "2 vagas", "30 anos", "14h", "15º", "360x", "10%")
    or preceded by one ("apto 302", "dia 15", "às 14", "bloco 2"); never under R$ 10,000 (rent, fees) or over a
    billion.

What is it for? (first rule that applies)
  1. ``not``: a down payment, instalment, income, rent or fee — a cue before it in its clause ("entrada de 50 mil",
     "parcela de até 3 mil", "ganho 12 mil", "minha renda é", "aluguel", "condomínio", "iptu", "fgts") or right
     after it ("80 mil de entrada", "3 mil por mês", "mensais", "/mês", "de fgts"). "meu limite era 200 mil" (a
     budget in the past tense) is not one either, nor the parts after "sendo" ("700, sendo 200 à vista e 500
     financiado").
  2. ``max``: a limit right before it ("até", "no máximo", "teto", "limite", "abaixo de", "menos de", "não passa de",
     "chego a", "não consigo mais de", "não passo de", "não quero passar de", "nada acima de") or after it ("ou
     menos", "no máximo", "pra baixo"); also "limitado a", "o máximo que dá pra mim é". A limit ruled out below
     ("nada abaixo de 2 milhões", "não quero menos de") is a ``min``.
  3. ``min``: a floor right before it ("a partir de", "acima de", "mais de", "no mínimo", "pelo menos", "partindo
     de") or after it ("pra cima", "ou mais", "em diante", "pra lá"); a floor ruled out ("acima de 500 mil nem
     olho") is ``not``.
  4. ``not`` again: a budget the lead says they do not have or will not pay ("não tenho 500 mil não", "não vou
     pagar 600 mil").
  5. ``quoted``: a price the lead quotes back, not their budget — the price of a listing ("custa", "pedindo",
     "sai por", "o corretor falou em", "vi outro por", "na outra tá", "na época era", "do anúncio", "que vi no
     site", "no olx", "no zap", "na placa"; a sale or what was paid: "quero vender meu apto de", "vendi minha casa
     por", "fechei num de", "meu irmão comprou por"; "o studio de 480 mil", "esse apto de" unless "meu orçamento"
     claims it; shown by someone else: "vcs postaram uma cobertura de", "vc me mandou um de"; referred to with an
     article: "se eu pagar os 350"; "o apê é 380 mil"); or, when no budget cue ("tenho", "meu orçamento", "uns",
     "procuro", "tem algo"…) precedes it, an amount in a question ("R$ 1,1 mi??") or next to incredulity ("tá
     maluco", "caro", "absurdo", "não dá", "sem condições", "não é pra mim", "foge do que posso").
  6. ``not`` once more: a sum under 150 thousand in a message that talks about the down payment ("qual a entrada
     mínima? eu teria uns 35 mil"), unless "orçamento"/"teto" claims it.
  7. ``plain``: anything else, a stated amount.

Numbers that are not the lead's money (dev set 2): the unit after a range's second end counts for the first ("70 a
80 metros"), a unit after "mil" ("12 mil BTUs", "40 mil habitantes"), vague sizes ("50 e poucos metros"); the price
of a car, a motorbike, a boat or a consórcio, an amount offered "como parte do pagamento"/"na permuta"; a sum under
50 thousand when the price per m² is talked about; a bare number after a fee named in the clause before ("condomínio
baixo, uns 400 no máximo"); a daily rate; a discount asked ("tiram uns 20 mil"). Quoted too: a floor or limit an ad
states ("o anúncio diz 'a partir de 389 mil'"), a price already on the table ("aquela proposta de", "os 530 mil que
a corretora passou"), one of two units compared ("e o outro 1,25 mi"), a valuation ("avaliada em"), what was paid or
seen by someone ("arrematei por", "dei 720 mil numa", "minha sogra viu uma casa de"). A limit said in the next
clause ("dois milhões, nem um centavo a mais") is a max; a total after a down payment ("consigo até 500 mil no
total") is the budget; a colon ends a clause but not the cue before it ("teto: 750 mil").

Putting them together: two budget amounts joined by "e", "a", "até", "ou", "-" or "/" make a range (min, max); else
a floor gives min and a limit gives max (the last limit wins: "R$ 1,1 mi?? não dá, meu teto é 850" → max 850,000);
plain amounts give min = max (several: their lowest and highest; with a higher limit, the plain one is the min);
plain amounts the lead claims ("tenho", "consigo", "uns"…) win over unclaimed ones ("hmm 380k... consigo 350k").
Quoted prices and down payments never become a budget.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from common.text import fold
from leads.normalization import Amount, amounts_find

_MIN_BRL = Decimal(10_000)
_MAX_BRL = Decimal(1_000_000_000)

# Phones ("(11) 98765-4321", "+55 11 987654321"), CEPs ("01310-100"), CPFs and CNPJs are masked first.
_MASK = re.compile(
    r"(?:\+?55\s*)?\(?\b\d{2}\)?\s*9?\s?\d{4}[-\s.]?\d{4}\b|\b\d{5}-\d{3}\b|\bcep:?\s*\d{5}-?\d{3}\b"
    r"|\b\d{4,5}-\d{4}\b|\b\d{3}\.\d{3}\.\d{3}-\d{2}\b|\b\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}\b"
)
_CLAUSE_END = re.compile(r"[.!?;\n]+(?!\d)|[,:](?!\d)|\b(?:mas|porem|so que)\b")

_FILLER = (
    r"(?:\s+(?:e|eh|de|do|da|dos|das|uns|umas|r\$|ser|seria|fica|em|o|a|meu|minha|tipo|mais ou menos|so|"
    r"dela|dele|deles|delas|nosso|nossa))*\s*$"  # "o teto dela é 300 mil", "o teto nosso é 280"
)
_WORDS = r"(?:\s+\w+){0,3}"

_NOT_BEFORE = re.compile(
    r"\b(entrada|sinal|parcela|parcelas|parcelinha|prestacao|prestacoes|mensalidade|(?<!pra )(?<!para )(?<!de )renda|"
    r"salario|ganho|ganha|"
    r"ganhamos|recebo|recebe|(?<!pra )(?<!para )aluguel|alugo|(?<!pra )(?<!para )alugar|"
    r"(?<!em )(?<!num )(?<!de )condominio(?! fechado)|iptu|fgts|quitad[oa]|"
    r"comissao|taxa|taxas|juros|itbi|cartorio|"
    r"escritura|reforma|mobiliar|por mes|ao mes|mensais|mensal|paguei|pagamos|quitei|falta|faltam|devo|divida|"
    r"desconto|abatimento|diferenca|multa|honorarios|"
    r"tiram|tirar|tira|abate|abater|abatem|descontam|descontar|diaria|diarias|pernoite|por noite|"
    # a deal already done, and numbers that are references, not money ("comprei por 390 mil", "matrícula 45.771")
    r"comprei|compramos|assinei|assinamos|arrematei|matricula|protocolo|processo|codigo|referencia|saldo|"
    r"fundo de garantia|subsidio|der|"
    r"inscricao|chamado)\b"
)
# The person turns the amount down somewhere after it ("… 380 mil num terreno no meio do nada, passo", "520k nesse
# apto tá acima do que eu pago"): a price quoted back, not a budget — unless they claim it as theirs.
_REJECTED_LATER = re.compile(
    r"\b(?:passo|dispenso|nao compensa|nao vale|nao obrigad\w*|nao, obrigad\w*|deixar passar|vou passar|"
    r"acima do que|mais do que eu|nao quero|roubo|nao rola|nao da pra mim|esse nao|essa nao|"
    r"nao e (?:pra|para) (?:mim|nos|a gente|gente como)|nao e (?:o )?(?:nosso|meu) (?:perfil|caso|momento))\b"
)
# A deal done in the clause before ("acabei de assinar, 620 mil"), and an age ("tenho 52").
_PAST_DEAL = re.compile(r"\b(?:assinei|assinar|assinamos|comprei|compramos|fechei|fechamos|quitei|paguei)\b")
_AGE_BEFORE = re.compile(r"\b(?:tenho|idade|idade de|com)\s*$")
_NOT_AFTER = re.compile(
    r"^\s*(?:reais\s*)?(?:\w+\s+){0,2}?(?:de|como|pra|para|na|no)\s+(?:a\s+|o\s+)?(?:entrada|sinal)\b"
    r"|^\s*(?:reais\s*)?(?:\w+\s+)?(?:pra|para|pro)\s+(?:a\s+|o\s+)?(?:entrada|sinal|parcela|aluguel|condominio|vender|"
    r"venda|quitar|pagar (?:as |minhas )?dividas)\b"
    r"|^\s*(?:reais\s*)?(?!(?:em|num|no)\s+condominio)(?:(?:de|da|do|na|no|como|por|ao|em|p/|a|livres?)\s+)?"
    r"(?:entrada|sinal|renda|salario|parcela|parcelas|prestacao|prestacoes|condominio|iptu|fgts|aluguel|mes|"
    r"mensais|mensal|mensalmente|ano|anuais|mensalidade|liquido|bruto|limpo|saldo|fundo de garantia|assinatura|"
    r"ato|fatura)\b|^\s*(?:reais\s*)?/\s*(?:mes|m)\b"
)
# A want or a sum of one's own said after a fee or a down payment, in the same words before the amount ("200 mil de
# entrada + FGTS e queremos casa entre 900 mil e 1 milhão", "pago 1.800 de aluguel e tenho 420 mil"): the cue
# before is not this amount's.
_WANT_AFTER_CUE = re.compile(
    r"\b(?:quer\w*|procur\w*|busc\w*|tenho|temos|orcamento|teto|limite|comprar|casa|apto|apartamento|ape|imovel)\b"
)


def _not_cue(near: str) -> bool:
    cues = list(_NOT_BEFORE.finditer(near))
    if not cues:
        return False
    later = near[cues[-1].end() :]
    if cues[-1].group(0) in ("fgts", "entrada", "sinal"):  # "o fgts (tenho uns 18 mil)" is the FGTS
        later = re.sub(r"\b(?:tenho|temos)\b", " ", later)
    return not _WANT_AFTER_CUE.search(later)


# Size talked about in the clause before a bare number: "o apê tem quantos m²? preciso de uns 80".
_SIZE_TALK = re.compile(r"\bquant[oa]s? (?:m2|metros?)\b|\b(?:metragem|tamanho)\b")
# A purchase named right before a bare number: "…aluguel hoje, quero comprar até 380".
_PURCHASE = re.compile(
    r"\b(?:comprar|compra|adquirir|financiar|orcamento|teto|limite|tem que ser|precisa ser|teria que ser)\b"
    r"|\b(?:valor|preco) do (?:imovel|ape|apto|apartamento|casa)\b|\bvalor total\b"
    r"|\b(?:quero|procuro|busco) (?:um |uma )?(?:ape|apto|apartamento|casa|imovel|terreno|lote|sobrado|cobertura)\b"
    r"|\b(?:ape|apto|apartamento|casa|imovel)\s+(?:ate|de ate|no maximo)\b"
)
# A home the person owns, by its price: "peguei as chaves do meu ap de 1,1 mi".
_OWNED = re.compile(
    r"\b(?:meu|minha|nosso|nossa)\s+" + r"(?:apto|apartamento|ap|apt|ape|casa|cobertura|sobrado|imovel|terreno|lote)"
    r"\s+(?:de|por)\s*(?:r\$\s*)?$"
)
# A purchase already made ("já compramos um apartamento em agosto, por 730 mil", "fechamos com a outra agência,
# 2 quartos por 415 mil", "peguei um lote de 70 mil"): its amounts are not a budget, unless the person is still
# buying ("já comprei um com vocês, agora quero outro até 400 mil").
_DONE_DEAL = re.compile(
    r"\b(?:ja (?:comprei|compramos|fechei|fechamos|peguei|pegamos|assinei|assinamos)"
    r"|acab(?:ei|amos) (?:de )?(?:comprar|comprando|fechar|fechando|quitar|pegar|assinar)"
    r"|comprad[oa] (?:em|por|ha)|(?:comprou|compraram|comprei|compramos) (?:o|a|um|uma)\b"
    r"|(?:fechamos|fechou|fechei) (?:com|em|na|no)\b|(?:ja )?encontramos o imovel"
    r"|peguei (?:um|uma) (?:ap|apto|ape|apartamento|casa|lote|terreno)\b)"
)
# "não tenho interesse em imóvel de 200 mil nem de 2 milhões": amounts refused, not a budget.
_NO_INTEREST = re.compile(
    r"\b(?:nao tenho|sem|perdi o|perdemos o) interesse\b|\bparem de (?:me )?mandar\b"
    r"|\bnao quero (?:ape|apto|apartamento|casa|imovel|terreno|lote)\w* de\b"
)
# A price accepted as stated ("780 mil tá ótimo, vamos marcar pra assinar"): the listing's, not a budget.
_ACCEPTED_AFTER = re.compile(
    r"^\s*(?:reais\s*)?(?:ta|esta|e|fica|ficou|seria)\s+"
    r"(?:otimo|otima|bom|boa|perfeito|justo|razoavel|de boa|show|top)\b"
    r"(?!\s+(?:pra|para)\s+(?:um|uma|comprar|pegar|achar|algum|alguma)\b)"  # "80 mil tá bom pra um lote?": asked
)
# An ad's words in quotation marks ('"Studio a partir de R$ 199 mil" quantos m²?').
_QUOTATION = re.compile(r"[\"“”«»]([^\"“”«»]{3,})[\"“”«»]")
# What the amount buys, said right after it: "com 300 mil consigo apê com elevador?" is the lead's own.
_OWN_AFTER = re.compile(
    r"^\s*(?:reais\s*)?(?:eu\s+|a gente\s+)?(?:consigo|conseguimos|compro|compramos|da pra comprar)\b"
    r"|^\s*(?:mil\s*)?(?:reais\s*)?(?:no bolso|na mao|na conta|guardad\w*|cash)\b"
)
# "com 400 mil qual casa vcs têm?", "e com 450 à vista?": what the person has, opening the clause.
_WITH_AMOUNT = re.compile(r"(?:^|[,.!?]\s*|\b(?:e|mas|so)\s+)com(?:\s+uns|\s+umas)?\s*(?:r\$\s*)?$")
_STILL_BUYING = re.compile(
    r"\b(?:quero|queremos|procuro|procurando|busco|buscando|orcamento|teto|limite|mais um|mais uma)\b"
    r"|\b(?:um|uma|outro) outr[oa]\b|\boutr[oa] (?:pra|para) (?:investir|alugar|morar)\b"
)
# A price repeated back after an acknowledgement that opens the message: "Certo, 560 mil.", "Ok, 640 mil me parece…".
_ACKNOWLEDGED = re.compile(
    r"^\s*(?:certo|ok|okay|entendido|entendi|beleza|blz|perfeito|combinado|anotado)\b[\s,:.!-]*(?:r\$\s*)?$"
)
_PAST_BUDGET = re.compile(r"\b(?:limite|teto|orcamento|budget)\s+(?:era|foi|seria)\b")
_MAX_BEFORE = re.compile(
    r"\b(?:ate|no maximo|maximo|max|teto|limite|abaixo de|abaixo dos|menos de|nao pass(?:a|ar|o|amos|e) d(?:e|os)|"
    r"nao pode passar de|nao ultrapasse|chego a|chego ate|chegar a|chegar ate|estico ate|esticar ate|"
    r"(?:n|num) pass(?:a|o|amos) d(?:e|os)|se passar d(?:e|os)|no talo|"
    r"posso ir ate|por ate|no max|limitad[oa] a|limitad[oa] em|ir alem de|ir alem dos|limiti|topo|"
    r"(?:eu\s+|a gente\s+)paro (?:em|no|nos)|paramos (?:em|no|nos)|dentro de|dentro dos|dentro do)"
    + _FILLER
    # "o máximo que dá pra mim é 700k", "o máximo que a gente consegue seria 500"
    + r"|\bmaximo\s+(?:que|q)\b(?:\s+\w+){0,5}?\s+(?:e|eh|seria|sera|fica)\s*(?:de\s+|uns\s+|umas\s+)?(?:r\$\s*)?$"
    + r"|\b(?:meu|nosso|o)\s+(?:teto|limite)\s+(?:para|pra|pro|no|na|do|da)\b(?:\s+\w+){1,3}?\s+(?:e|eh|seria|fica)"
    r"\s*(?:de\s+)?(?:r\$\s*)?$"
)
_NEG_MORE = re.compile(
    r"\b(?:nao|nada|nenhum|nenhuma|sem)\b" + _WORDS + r"\s+(?:mais de|mais dos|acima de|acima dos|mais que|passar de|"
    r"passar dos|passa de|passa dos|passe de|passe dos|ultrapassar|ultrapassa|ultrapasse|mais q|superior a|"
    r"superior aos)" + _FILLER
)
# A floor said as a limit ruled out: "nada abaixo de 2 milhões", "não quero menos de 500".
_NEG_LESS = re.compile(
    r"\b(?:nao|nada|nenhum|nenhuma|sem)\b"
    + _WORDS
    + r"\s+(?:abaixo de|abaixo dos|menos de|menos que|inferior a)"
    + _FILLER
)
_MAX_AFTER = re.compile(
    r"^\s*(?:reais\s*)?(?:no maximo|ou menos|pra baixo|para baixo|max\b|no max\b|e olhe la|no talo\b|no teto\b|"
    r"de teto\b|de limite\b|(?:e|eh) o que (?:da|dá)\b"
    r"|(?:e|eh|seria|sera)\s+(?:o\s+|meu\s+|o meu\s+)?(?:maximo|teto|limite))"
)
_MIN_BEFORE = re.compile(
    r"\b(?:a partir de|a partir dos|acima de|acima dos|mais de|no minimo|minimo de|minimo|pelo menos|partindo de|"
    r"partindo dos|comecando em|comecando de|comecando por)" + _FILLER
)
_MIN_AFTER = re.compile(
    r"^\s*(?:reais\s*)?(?:pra cima|para cima|ou mais|no minimo|pra mais|para mais|em diante|pra la|para la|"
    r"ou acima|e acima)\b"
)
_PROPERTY = (
    r"(?:apto|apartamento|ap|apt|ape|casa|casinha|studio|estudio|cobertura|terreno|lote|sobrado|imovel|unidade|sala|"
    r"loja|kitnet|kit|flat|loft|duplex|chacara|sitio|galpao|predio|empreendimento|lancamento|garden)"
)
# A price someone else asks, says or paid, right before the amount ("custa 720 mil", "o corretor falou em 600").
_PRICE_CUE = re.compile(
    r"\b(?:custa|custam|custava|custavam|custando|custaria|custar|sai por|sai a|saiu por|saindo por|saindo a|vale|"
    r"valendo|"
    r"pedem|pedindo|pede|pediram|pediu|pediam|cobraram|cobrou|"
    r"cobram|cobrando|anunciad[oa]|anuncio|preco|precinho|tabela|vendendo por|vendem por|"
    r"falou|falaram|disse|disseram|passou|passaram|informou|informaram|fala|diz|dizem|dizendo|falando|vi por|vi a|"
    r"vi ele por|"
    r"vi ela por|ta por|esta por|tava por|estava por|anunciaram|ofertado|ofertada|baixou pra|baixaram pra|subiu pra|"
    r"comentou|comentaram|mencionou|mencionaram|citou|"
    r"avaliad[oa] em|avaliou em|cotou|cotaram|orcou|orcaram|lance inicial (?:e|eh|de)|lance minimo (?:e|eh|de)|"
    r"lance de)\b"
)
# Selling, or what a third party paid: anywhere in the clause before the amount.
_SALE = re.compile(
    r"\b(?:vender|vendo|vendendo|venda|vendi|vendemos|comprou|compraram|comprei|compramos|fechei|fechou|"
    r"fecharam|vendeu|venderam|pagou|pagaram|dei|demos|arrematei|arrematamos|arrematou|arremataram|adquiri|adquirimos|"
    # a valuation of a property the lead owns: "tenho uma casa avaliada em 550 mil", "o banco avaliou meu apê em"
    r"avaliou|avaliaram|avaliado|avaliada|avaliacao)\b"
)
# Shown to the lead by someone else: "vcs postaram uma cobertura de 2,2 milhões", "vc me mandou um de 560".
_PRESENTED = re.compile(
    r"\b(?:postaram|postou|postado|postada|publicaram|publicou|anunciaram|anunciou|mandaram|mandou|enviaram|enviou|ofereceram|"
    r"ofereceu|mostraram|mostrou|indicaram|indicou|sugeriram|sugeriu|apresentaram|apresentou)\b"
)
# What the lead will have in hand, said right before the amount: "vendendo meu ap consigo 580 mil" is theirs.
_OWN_RIGHT_BEFORE = re.compile(
    r"\b(?:tenho|temos|consigo|conseguimos|fico com|ficamos com|fiquei com|ficamos com|sobrou|sobraram|vou ter|"
    r"vamos ter|teria|teremos|terei|dispoe de|dispomos de)"
    r"(?:\s+(?:uns|umas|r\$))?\s*$"
)
# A price the message already named, referred to with an article: "se eu pagar os 350 à vista".
_DEFINITE = re.compile(r"\b(?:os|pelos|esses|nesses|desses)\s*(?:r\$\s*)?$")
# Parts of a total just stated: "meu orçamento é 700, sendo 200 à vista e 500 financiado".
_PARTS = re.compile(r"\b(?:sendo|dos quais|das quais|divididos em|dividido em)\b")
# The down payment talked about in the message: a sum under 150 thousand next to it is that, not the budget.
_DOWN_PAYMENT_TALK = re.compile(r"\b(?:entrada|sinal)\b")
_DOWN_PAYMENT_SIZE = Decimal(150_000)
# A definite listing described by its price: "o studio de 480 mil", "esse apto por 650", "aquele de 1 mi".
_LISTING = re.compile(
    r"\b(?:o|a|os|as|esse|essa|esses|essas|este|esta|aquele|aquela|do|da|no|na|nesse|nessa|desse|dessa|"
    r"daquele|daquela|naquele|naquela)\s+(?:" + _PROPERTY + r"(?:\s+(?!e\b|eh\b|fica\b|seria\b)\w+)?\s+)?"
    r"(?:de|por)\s*(?:r\$\s*)?$"
)
_NEG_OWN = re.compile(
    r"\b(?:nao|nem|sem|num)\s+(?:\w+\s+)?(?:tenho|temos|consigo|conseguimos|posso|podemos|chego|pago|pagaria|pagar|"
    r"compro|compraria|alcanco)\b"
)
_STRONG_OWN = re.compile(r"\b(?:orcamento|budget|verba|meu teto|meu limite|disponho|dispoe de|dispomos de)\b")
_QUOTE_AFTER = re.compile(
    r"^\s*(?:reais\s*)?(?:que\s+(?:\w+\s+){0,2}?(?:passou|passaram|mandou|mandaram|falou|falaram|disse|disseram|"
    r"comentou|comentaram|ofereceu|ofereceram|informou|informaram|cotou|orcou|mostrou|postou|anunciou)\b"
    r"|(?:\w+\s+){0,3}?(?:do anuncio|no anuncio|que vi\b|(?<!\bo )que voces|(?<!\bo )que vcs|anunciad|"
    r"da propaganda|do site|no site|do insta|no insta|do post|no post|de tabela|na tabela|do folder|no folder|no olx|"
    r"na olx|do olx|no zap\b|no zapimoveis|no vivareal|no viva real|no quintoandar|no quinto andar|no portal|no face|"
    r"do story|dos stories|do stories|no story|nos stories|do reels|no reels|do tiktok|no tiktok|do jornal|no jornal|"
    r"do feirao|no feirao|"
    r"no facebook|no marketplace|na placa|da placa))"
)
_OWN = re.compile(
    r"\b(?:tenho|temos|tinha|consigo|conseguimos|conseguiria|posso|podemos|pago|pagaria|pagamos|pagar|invisto|"
    r"investir|investimento|orcamento|budget|verba|teto|limite|disponivel|disponiveis|juntei|juntamos|guardado|"
    r"guardei|economizei|financio|financiar|aprovado|credito|procuro|procurando|busco|buscando|quero|queria|"
    r"preciso|algo|alguma|algum|opcao|opcoes|tem|teria|faixa|volta|torno|uns|umas|entre|cabe|fecho|fechamos|"
    r"vista|dinheiro|grana|bolso|gastar|gasto|faco|fazemos|ofereco|oferecemos|oferta|proposta|dou|daria|faria|"
    r"fecharia|levo|levaria)\b"
)
_INCREDULITY = re.compile(
    r"\b(?:maluco|maluca|malucos|doido|doida|doidos|louco|louca|loucos|loucura|absurdo|absurda|caro|carissimo|"
    r"carissima|ta cara|muito cara|salgado|salgada|puxado|puxada|surreal|piada|brincadeira|viagem|viajando|"
    r"nem pensar|nem a pau|nem fudendo|nem fodendo|fora da realidade|sacanagem|exagero|exagerado|roubo|assalto|"
    r"nao da|nao rola|nossa|eita|vixe|credo|socorro|jesus|misericordia|serio|e muito|demais|pesado|caramba|putz|"
    r"aff|affs|mds|meu deus|doideira|insano|surtaram|surtou|sem condicoes|sem condicao|nao e pra mim|"
    r"nao e para mim|nao compro|nao levo|nao pago|nao alcanco|foge|fora da minha realidade|acima do mercado|nao cabe|"
    r"sem chance|nao mesmo|sai fora|to fora|pirou|piraram|viajou|viajaram|inviavel|"
    r"de jeito nenhum|deixa pra la|deixa para la|esquece|(?:muito|bem|bastante|mt|mto) acima|deus me livre|"
    r"nem em sonho|nem sonhando|vish|fora de cogitacao|fora de questao|"
    r"nao se justifica|nao justifica|declinar|declino|fora da realidade|"
    r"nao quero (?:esse|essa|este|esta|isso|nao))\b"
)
_THING_AFTER = re.compile(
    r"^\s*(?:quartos?|qtos?|qts|dorms?|dormitorios?|suites?|banheiros?|vagas?|m2|m|mts?|metros?|km|anos?|meses|"
    r"mes|dias?|semanas?|h|hs|hrs?|horas?|min|minutos?|andar|andares|x|vezes|parcelas|pessoas|filhos|unidades|"
    r"lotes|pavimentos|salas|ambientes|apartamentos|casas|%|de\s+(?:janeiro|fevereiro|marco|abril|maio|"
    r"junho|julho|agosto|setembro|outubro|novembro|dezembro))(?:\b|$|(?=\W))"
)
_THING_BEFORE = re.compile(
    r"\b(?:dia|dias|as|apto|ap|apt|apartamento|unidade|unidades|aptos|numero|n|no|nr|bloco|lote|sala|andar|rua|cep|"
    r"casa|torre|ver o|ver a|visitar o|visitar a|conhecer o|conhecer a|lei|"
    r"quadra|km|ano|tel|fone|whats|zap|cel|celular|codigo|cod|ref|referencia|protocolo|pedido|nota|linha|"
    r"onibus|br|rg|cpf|cnpj|boleto)\s*$"
)
_BUDGET_CUE = re.compile(_OWN.pattern + "|" + _MAX_BEFORE.pattern + "|" + _MIN_BEFORE.pattern)
# The kind of home wanted, then its price in thousands: "casa de 400", "apê de 350" (not a lot: "lote de 360" is m²).
_WANTED_KIND = re.compile(
    r"\b(?:apto|apartamento|ap|apt|ape|casa|casinha|cobertura|sobrado|imovel|studio|kitnet)\s+(?:de|por)\s*$"
)
_RANGE_JOIN = re.compile(r"\s*(?:mil\s*)?(?:e|a|ate|ou|-|/|~)\s*(?:r\$\s*)?")
# "50 e poucos metros", "30 e tantos anos": the thing counted comes after the vagueness.
_ABOUT = re.compile(r"^\s*e\s+(?:poucos|poucas|pouco|tantos|tantas|tanto)\b")
# A fee talked about in the clause before a bare number: "condomínio baixo, uns 400 no máximo" is the fee.
_FEE_TALK = re.compile(r"\b(?:condominio|iptu|aluguel|parcela|parcelas|prestacao|mensalidade|taxa|diaria)\b")
# The first end of a range whose unit follows the second end: "de 70 a 80 metros", "35 a 50 m²".
_RANGE_TO = re.compile(r"^\s*(?:e|a|ate|ou|-|/|~)\s*\d+(?:[.,]\d+)?\s*")
# A unit after a scaled number: "12 mil BTUs", "30 mil habitantes", "2 mil m²" are not money.
_UNIT_AFTER_SCALED = re.compile(
    r"^\s*(?:btus?|km|kms|quilometros|habitantes|pessoas|moradores|seguidores|visualizacoes|views|curtidas|litros|"
    r"kg|quilos|m2|metros?|mts?|hectares?|ha|alqueires?|unidades|lotes|acessos|clientes|votos|pes|milhas)\b"
)
# The price of something that is not the home wanted: "tenho um carro de 60 mil", "consórcio de uns 80 mil".
_ASSET = re.compile(
    r"\b(?:carro|carros|carrinho|moto|motos|motocicleta|veiculo|caminhonete|caminhao|barco|lancha|jet ski|"
    r"consorcio|celular|iphone|trator|ar condicionado)\b"
)
# "um de uns 80 mil": one of the things just named.
_ELLIPSIS = re.compile(r"^\s*(?:\w+\s+)?(?:um|uma)\s+de\b")
# Offered in part payment: "60 mil pra dar como parte do pagamento", "entra na permuta".
_PART_PAYMENT_AFTER = re.compile(
    r"\b(?:parte do pagamento|como parte|na permuta|de permuta|em permuta|na troca|e o resto|e o restante)\b"
)
# A limit said after the amount, in the next clause: "dois milhões, nem um centavo a mais", "500, não passo disso".
_MAX_NEXT = re.compile(
    r"^\s*(?:e\s+)?(?:nem|nada|nenhum)\s+(?:um\s+|uma\s+)?(?:centavo|real|tostao|pila|conto|mil)?\s*a\s+mais\b"
    r"|^\s*(?:e\s+)?(?:nao|num|n)\s+(?:passo|passa|passamos|vou passar|posso passar|pago mais|dou mais)\s*"
    r"(?:disso|dai|daqui|que isso)\b"
    r"|^\s*(?:mais|acima)\s+(?:que|do que|disso)\s+(?:isso\s+)?nao\b"
    r"|^\s*(?:e\s+)?no max(?:imo)?\b(?!\s+(?:\w+\s+){0,2}\d)"  # "por 520, no máximo"
    r"|^\s*(?:esse|isso|este)\s+(?:e|eh|seria)\s+(?:o\s+|meu\s+|o meu\s+|nosso\s+|o nosso\s+)?(?:maximo|teto|limite)\b"
)
_SEEN_VERB = re.compile(r"\b(?:vi|vimos|viu|vendo|olhei|olhando|achei|encontrei)\b")
# A limit said later about the amount just named, with nothing else in between: "tenho 180 mil guardados e não passo
# disso", "uns 300 mil… um apartamento pequeno, no máximo isso", "trezentão pra gastar, não mais que isso".
_LIMIT_BACK = re.compile(
    r"\b(?:no maximo|no max|(?:nao|num|n)\s+(?:passo|passa|passamos|posso passar|vou passar|pago mais|dou mais)|"
    r"(?:nao|num|n)\s+mais\s+(?:que|do que|q)|nada\s+(?:alem|acima|mais))\s+(?:d)?isso\b"
    r"|\b(?:ate|dentro d)(?:e)?\s+(?:esse|este|desse|deste)\s+(?:valor|preco|teto|limite)\b"  # "… até esse valor"
    # "setecentos mil é o que posso pagar, no máximo"
    r"|^\s*(?:e|eh)\s+o\s+que\s+(?:eu\s+|a gente\s+)?"
    r"(?:posso|podemos|pode|consigo|conseguimos|consegue|tenho|temos)\b[^\d.;!?]{0,24}?\bno max(?:imo)?\b"
)
# The amount just named claimed afterwards: "um imóvel de 1,4 mi? é o que a gente pode pagar".
_OWN_BACK = re.compile(
    r"[^\w\d]*(?:\w+[^\w\d]+){0,4}?(?:e|eh|isso e|isso eh)\s+o\s+que\s+(?:eu\s+|a gente\s+|nos\s+)?"
    r"(?:posso|pode|podemos|consigo|consegue|conseguimos|vou|vamos|tenho|temos)\s+"
    r"(?:pagar|gastar|investir|dar|ter|financiar)\b"
)
# An ad or a price table quoting a floor or a limit: "o anúncio diz 'a partir de 389 mil'", "no site tá até 500".
_AD_SOURCE = re.compile(
    r"\b(?:anuncio|anunciado|anunciada|anunciam|anunciaram|site|propaganda|tabela|folder|panfleto|outdoor|placa|"
    r"post|insta|instagram|portal|olx|stand|plantao|corretor|corretora|vendedor|vendedora|construtora|lancamento|"
    r"feirao|story|stories|reels|face|facebook|tiktok|youtube|kwai|google)\b"
)
# A price already on the table: "aquela proposta de 690 mil", "com aquele valor de 1,35 mi".
_THAT_PRICE = re.compile(
    r"\b(?:aquele|aquela|esse|essa|este|esta|daquele|daquela|desse|dessa|nesse|nessa|naquele|naquela|pelo|pela|"
    r"a|o|sua|seu|minha|nossa)\s+(?:proposta|valor|preco|oferta|condicao|cotacao|contraproposta)\s*(?:de|por|em)?\s*(?:r\$\s*)?$"
)
# One of two units compared: "um tá 1,1 mi e o outro 1,25 mi", "a de cima por 480".
_OTHER_UNIT = re.compile(
    r"\b(?:o|a|um|uma)\s+(?:outro|outra|primeiro|primeira|segundo|segunda|terceiro|terceira|maior|menor|"
    r"de cima|de baixo|debaixo|da frente|dos fundos|mais novo|mais nova|mais velho|mais velha)\s*"
    r"(?:(?:ta|esta|e|eh|fica|sai|custa|por|de|com|a)\s*)?(?:r\$\s*)?$"
)
# The price per square metre talked about: any sum under 50 thousand is that, never the budget.
_PER_SQM = re.compile(r"\b(?:o|do|por|cada|no|valor do|preco do)\s+(?:m2|metro quadrado|metro)\b|/\s*m2\b")
_PER_SQM_SIZE = Decimal(50_000)
# A total after a down payment: "com 30% de entrada consigo até 500 mil no total".
_TOTAL_AFTER = re.compile(r"^\s*(?:reais\s*)?(?:no total|ao todo|de total|total|no geral|com tudo|tudo incluso)\b")


@dataclass(frozen=True)
class Read:
    """One amount with the value it stands for in BRL and its role: plain / max / min / quoted / not."""

    amount: Amount
    brl: Decimal
    role: str
    own: bool
    listing: bool = False  # quoted as the price of a listing ("custa", "o studio de", "do anúncio")


def _last_words(text: str, count: int = 6) -> str:
    return " ".join(text.split()[-count:])


# What follows a number that is a code: a check digit ("-9", "-00") or a group of five digits (a boleto's line).
_CODE_TAIL = re.compile(r"-\d{1,2}\b|\d{5}\.\d{5}\b")


def _limit_back(folded: str, end: int) -> bool:
    later = _LIMIT_BACK.search(folded[end:])
    return bool(later) and not any(ch.isdigit() for ch in folded[end : end + later.start()])


def _brl(amount: Amount, folded: str, before: str, after: str, cued: bool) -> Decimal | None:
    """The amount in BRL if it is money at all, else None (see the module docstring)."""
    if amount.scale > 1:
        if _UNIT_AFTER_SCALED.match(after):
            return None  # "12 mil BTUs", "2 mil m²"
        if amount.unit == "m" and not (amount.money or amount.decimals):
            # "1M" after a budget cue is a million; "80m", "80m²", "200 m" are metres
            cued = amount.number < 20 and _BUDGET_CUE.search(_last_words(before, 4))
            if not cued or folded[amount.end : amount.end + 1].isdigit():
                return None
        value = amount.value
    elif amount.money:
        value = amount.value
    else:
        following = folded[amount.end : amount.end + 1]
        after = _ABOUT.sub("", after, count=1)  # "50 e poucos metros"
        if following.isalpha() or _THING_AFTER.match(after) or _THING_BEFORE.search(before):
            return None
        if _CODE_TAIL.match(folded, amount.end) or _CODE_TAIL.match(folded, amount.start):
            return None  # "12.345.678-9", "34191.79001": a document or a boleto line, not money
        to = _RANGE_TO.match(after)
        if to and _THING_AFTER.match(after[to.end() :]):
            return None  # "de 70 a 80 metros": the unit after the second end is the first end's too
        cue = (
            cued
            or bool(_BUDGET_CUE.search(_last_words(before, 4)))
            or bool(_MIN_AFTER.match(after) or _MAX_AFTER.match(after))  # "de 800 pra mais", "400 no máximo"
            or bool(_OWN_AFTER.match(after))  # "750 no bolso"
            or bool(_WANTED_KIND.search(before))  # "casa de 400, dou 80 de entrada"
        )
        if amount.number >= _MIN_BRL:
            separated = amount.digits < len(folded[amount.start : amount.end].strip())
            round_thousand = amount.number % 1000 == 0 and amount.digits <= 8
            if not (separated or round_thousand) or folded[amount.start] == "0":
                return None
            value = amount.value
        elif amount.decimals and amount.number < 20 and cue:
            value = (amount.number * 1_000_000).quantize(Decimal(1))
        elif not amount.decimals and 50 <= amount.number < 1000 and cue:
            value = amount.number * 1000
        else:
            return None
    if not _MIN_BRL <= value <= _MAX_BRL:
        return None
    return value


_RANGE_OPEN = re.compile(r"\b(?:entre|de|dos|das|faixa)\s*(?:r\$\s*)?$")
# A range standing alone as a clause, as a reply to "qual a faixa de valor?": "250 a 300", "Londrina, 600 a 900".
_RANGE_ALONE_BEFORE = re.compile(r"(?:^|[,.:;\n]|\b(?:e|uns|umas|tipo))\s*$")
_RANGE_ALONE_AFTER = re.compile(r"\s*(?:$|[,.;!\n]|(?:mil|reais)\b)")


def _bare_ranges(amounts: list[Amount], folded: str) -> set[int]:
    """Indexes of bare numbers written as a range with no scale: "de 300 a 400", "entre 350 e 450"."""
    found: set[int] = set()
    for index, (first, second) in enumerate(itertools.pairwise(amounts)):
        if (
            first.scale == second.scale == 1
            and _RANGE_JOIN.fullmatch(folded[first.end : second.start])
            and not _THING_AFTER.match(folded[second.end : second.end + 24])
            and (
                _RANGE_OPEN.search(folded[max(0, first.start - 12) : first.start])
                or (
                    50 <= first.number < second.number < 1000
                    and _RANGE_ALONE_BEFORE.search(folded[max(0, first.start - 12) : first.start])
                    and _RANGE_ALONE_AFTER.match(folded[second.end : second.end + 12])
                )
            )
        ):
            found |= {index, index + 1}
    return found


# What something is or was priced at, said by nobody claiming it: "na outra tá 380 mil", "na época era 420".
_PRICED_AT = re.compile(
    r"\b(?:ta|esta|tao|estao|tava|estava|era|eram)\s*(?:r\$\s*)?$"
    r"|\b(?:o|a|esse|essa|este|esta)\s+" + _PROPERTY + r"\s+(?:e|eh|fica|sai)\s*(?:r\$\s*)?$"  # "o apê é 380 mil"
)
# Seen elsewhere: "vi outro ap por 420 mil", "vi um de 380 no bairro".
_SEEN = re.compile(
    r"\b(?:vi|vimos|viu|viram|achei|achamos|achou|acharam|encontrei|encontramos|encontrou)\b"
    r"(?:\s+\w+){0,5}\s+(?:por|de|a)\s*(?:r\$\s*)?$"
)
# A floor the lead rules out: "acima de 500 mil nem olho".
_RULED_OUT_AFTER = re.compile(r"^\s*(?:reais\s*)?(?:eu\s+)?(?:nem|nao)\b")


_SIZED_LISTING = re.compile(
    r"\b" + _PROPERTY + r"s?\s+(?:de\s+)?\d[\d.,]*\s*(?:m2|m|metros|mts)\s+(?:\w+\s+)?(?:por|a)\s*(?:r\$\s*)?$"
)


def _listed(near: str, after: str) -> bool:
    """The price of a listing: "custa 720 mil", "o studio de 480 mil", "480 mil do anúncio"."""
    return bool(
        _PRICE_CUE.search(_last_words(near, 3))
        or _SEEN.search(near)
        or (_PRICED_AT.search(near) and not _OWN.search(near))
        or (_SALE.search(near) and not _OWN_RIGHT_BEFORE.search(near))
        or _PRESENTED.search(near)
        or (_DEFINITE.search(near) and not _STRONG_OWN.search(near))
        or _QUOTE_AFTER.match(after)
        or (_LISTING.search(near) and not _STRONG_OWN.search(near))
        or _THAT_PRICE.search(near)
        or (_OTHER_UNIT.search(near) and not _OWN.search(near))
    )


def _clauses(folded: str) -> list[tuple[int, int, str]]:
    """(start, end, terminator) of each clause."""
    clauses, start = [], 0
    for match in _CLAUSE_END.finditer(folded):
        clauses.append((start, match.start(), match.group(0)))
        start = match.end()
    clauses.append((start, len(folded), ""))
    return clauses


# Slang for thousands in a property budget: "700 conto", "500 paus", "300 pila" (a sum under 50 is pocket money).
_SLANG_THOUSANDS = re.compile(r"\b([5-9]\d|[1-9]\d\d)\s*(?:contos?|paus?|pilas?)\b")
# Common misspellings of the words that give an amount its role or its scale ("no maximu", "500 mil pra sima",
# "entri 300 e 380 mill", "450 ml na mão").
_TYPO_WORDS = {
    "mill": "mil",
    "maximu": "maximo",
    "maxmo": "maximo",
    "macimo": "maximo",
    "minimu": "minimo",
    "minmo": "minimo",
    "sima": "cima",
    "entri": "entre",
    "apartir": "a partir",
    "apatir": "a partir",
}
_TYPOS = re.compile(r"\b(?:" + "|".join(_TYPO_WORDS) + r")\b")
_DIGITS_ML = re.compile(r"\b(\d{2,3}) ml\b")
# Augmentatives of the hundreds: "trezentão" is 300 thousand, "quinhentão" 500 thousand.
_SLANG_HUNDREDS = re.compile(r"\b(duzent|trezent|quatrocent|quinhent|seiscent|setecent|oitocent|novecent)(?:ao|inho)\b")
# The same in words: "novecentos paus", "quinhentos contos".
_SLANG_WORDS = re.compile(
    r"\b((?:duzent|trezent|quatrocent|quinhent|seiscent|setecent|oitocent|novecent)os|cem)\s+(?:contos?|paus?|pilas?)\b"
)


def _prepared(text: str) -> str:
    """The folded message with phones and documents masked and slang thousands spelled "mil"."""
    folded = _MASK.sub(lambda m: "#" * len(m.group(0)), fold(text or ""))
    folded = _SLANG_HUNDREDS.sub(r"\1os mil", folded)
    folded = _SLANG_WORDS.sub(r"\1 mil", folded)
    folded = _TYPOS.sub(lambda m: _TYPO_WORDS[m.group(0)], folded)
    folded = _DIGITS_ML.sub(r"\1 mil", folded)
    return _SLANG_THOUSANDS.sub(r"\1 mil", folded)


def amounts_read(text: str) -> list[Read]:
    """Every money amount in a message with its role (see the module docstring)."""
    folded = _prepared(text)
    amounts = amounts_find(folded)
    if not amounts:
        return []
    clauses = _clauses(folded)
    talks_in_scale = any(a.scale >= 1000 and not (a.unit == "m" and not a.money) for a in amounts)
    bare_ranges = _bare_ranges(amounts, folded)
    down_payment_talk = bool(_DOWN_PAYMENT_TALK.search(folded))
    done_deal = bool(_DONE_DEAL.search(folded)) and not _STILL_BUYING.search(folded)
    no_interest = bool(_NO_INTEREST.search(folded))
    quoted_spans = [m.span() for m in _QUOTATION.finditer(folded) if re.search(rf"\b{_PROPERTY}s?\b", m.group(1))]
    per_sqm_talk = bool(_PER_SQM.search(folded))
    reads: list[Read] = []
    consumed = 0
    for index, amount in enumerate(amounts):
        number = next(i for i, c in enumerate(clauses) if c[0] <= amount.start <= c[1] or i == len(clauses) - 1)
        clause_start, clause_end, terminator = clauses[number]
        next_clause = folded[clauses[number + 1][0] : clauses[number + 1][1]] if number + 1 < len(clauses) else ""
        last_clause = folded[clauses[number - 1][0] : clauses[number - 1][1]] if number else ""
        upto = amounts[index + 1].start if index + 1 < len(amounts) else len(folded)
        # a colon ends a clause for what follows the amount, not for the cue before it ("meu teto: 850")
        cue_start = clauses[number - 1][0] if number and clauses[number - 1][2].strip() == ":" else clause_start
        before = folded[max(cue_start, consumed) : amount.start].replace(":", " ")
        after = folded[amount.end : min(max(clause_end, amount.end), upto)]
        raw_before = folded[max(0, amount.start - 40) : amount.start]
        cued = talks_in_scale or index in bare_ranges
        brl = _brl(amount, folded, raw_before, folded[amount.end : amount.end + 24], cued)
        consumed = amount.end
        if brl is None:
            continue
        near = _last_words(before)
        # (not "por 1,6 mi eu compro na praia": what that price would buy elsewhere)
        claimed_back = bool(_OWN_BACK.match(folded, amount.end)) and not any(c.isdigit() for c in after)
        own = bool(
            claimed_back
            or _OWN.search(near)
            or _WITH_AMOUNT.search(before)
            or (_OWN_AFTER.match(after) and not re.search(r"\bpor\s*(?:r\$\s*)?$", near))
        )
        in_quotes = any(span[0] <= amount.start < span[1] for span in quoted_spans)  # an ad's line, quoted
        claims = claimed_back or bool(_OWN_RIGHT_BEFORE.search(near) or _STRONG_OWN.search(near))
        # A question or incredulity around an amount nobody claimed: "R$ 1,1 mi??", "2 milhões nessa casa, tá maluco"
        disbelieved = (
            "?" in terminator
            or bool(_INCREDULITY.search(after))
            or ("?" not in terminator and bool(_INCREDULITY.search(next_clause)))
            or bool(_INCREDULITY.search(_last_words(last_clause, 3)))  # "tá doido, 1,3 mi num apê de 70 m²"
            or bool(_INCREDULITY.search(folded[amount.end : max(clause_end, amount.end)]))  # past a size in between
            or bool(_ACKNOWLEDGED.match(folded[: amount.start]) and not _MAX_AFTER.match(after))  # "Certo, 560 mil."
        )
        listing = False
        not_after = _NOT_AFTER.match(after)
        if not_after:
            consumed = amount.end + not_after.end()
        if (
            not_after
            or (_not_cue(near) and not _TOTAL_AFTER.match(after))
            or _PAST_BUDGET.search(near)
            or _PARTS.search(folded[clause_start : amount.start])
            or (_ASSET.search(_last_words(near, 4)) and not claims)
            or (_ELLIPSIS.search(near) and _ASSET.search(_last_words(last_clause, 3)))  # "consórcio de carro? um de 80"
            or _PART_PAYMENT_AFTER.search(after)
            or (per_sqm_talk and brl < _PER_SQM_SIZE)
            or (
                amount.scale == 1
                and not amount.money
                and not talks_in_scale
                and (_FEE_TALK.search(last_clause) or _SIZE_TALK.search(last_clause))
                and not _PURCHASE.search(folded[clause_start : amount.start])
            )
            or (_OWNED.search(near) and not own and not claims)
            or (
                not before.strip(" ,uns")
                and _NOT_BEFORE.search(_last_words(last_clause, 2))
                and not claims
                and not _MAX_AFTER.match(after)
            )
            or (done_deal and not claims)
            or (no_interest and not claims and not _OWN.search(re.sub(r"\b(?:tenho interesse|nao quero)\b", " ", near)))
            or (in_quotes and not own and not claims)
            or (
                _ACCEPTED_AFTER.match(after)
                and not claims
                and not _BUDGET_CUE.search(_last_words(folded[clause_start : amount.start]))
            )
            or (not claims and not own and _PAST_DEAL.search(_last_words(last_clause, 4)) and not before.strip())
            or (not claims and not own and _PAST_DEAL.search(folded[clause_start : amount.start]))
            or (amount.scale == 1 and not amount.money and amount.number < 120 and _AGE_BEFORE.search(near))
        ):
            role = "not"
        elif (
            (
                _AD_SOURCE.search(near)
                or _AD_SOURCE.search(folded[clause_start : amount.start])
                # "vi o studio a partir de 219 mil no outdoor": seen, then where
                or (_SEEN_VERB.search(folded[clause_start : amount.start]) and _AD_SOURCE.search(after))
            )
            and not own
            and not claims
            and (_MIN_BEFORE.search(near) or _MAX_BEFORE.search(near))
        ):
            role, listing = "quoted", True  # "o anúncio diz 'a partir de 389 mil'"
        elif _NEG_LESS.search(near):
            role = "min"  # "nada abaixo de 2 milhões"
        elif (
            _MAX_BEFORE.search(near)
            or _NEG_MORE.search(near)
            # a floor said right before wins over "e máximo…" after it: "mínimo 900 mil e máximo 1 milhão"
            or (
                not _MIN_BEFORE.search(near)
                and (
                    _MAX_AFTER.match(after)
                    or _MAX_NEXT.match(after)
                    or (not after.strip() and _MAX_NEXT.match(next_clause))
                    or _limit_back(folded, amount.end)
                )
            )
        ):
            role = "max"
        elif _MIN_BEFORE.search(near) and _RULED_OUT_AFTER.match(after):
            role = "not"  # "acima de 500 mil nem olho"
        elif _MIN_BEFORE.search(near) or _MIN_AFTER.match(after):
            role = "min"
        elif _NEG_OWN.search(near):
            role = "not"  # "não tenho 500 mil não"
        elif (listing := _listed(near, after) or bool(_SIZED_LISTING.search(folded[clause_start : amount.start]))) or (
            not own and disbelieved
        ):
            role = "quoted"
        elif (
            not own
            and not claims
            and (
                _AD_SOURCE.search(folded[clause_start : amount.start])
                or re.match(r"^\s*(?:reais\s*)?(?:\w+\s+){0,2}(?:do|da|no|na)\s+" + _AD_SOURCE.pattern, after)
                or _REJECTED_LATER.search(folded[amount.end :])
            )
        ):
            role = "quoted"  # a price seen in an ad, or one the person turns down
        elif brl < _DOWN_PAYMENT_SIZE and down_payment_talk and not _STRONG_OWN.search(near):
            role = "not"  # "qual a entrada mínima? eu teria uns 35 mil"
        else:
            role = "plain"
        reads.append(Read(amount, brl, role, own, listing))
    return reads


# Two amounts after "uns"/"tipo" separated by a comma are a range said aloud: "uma casa de uns 500, 600 mil".
_COMMA_JOIN = re.compile(r"\s*(?:mil\s*)?,\s*(?:r\$\s*)?")
_ABOUT_BEFORE = re.compile(r"\b(?:uns|umas|tipo|coisa de|por volta de|na faixa de)\s*(?:r\$\s*)?$")


# A sum said as the whole: "… então uns 550 no total", "600 mil ao todo".
_TOTAL_AFTER = re.compile(r"\s*(?:mil\s*)?(?:reais\s*)?(?:no total|ao todo|somando tudo|total)\b")


def _ranged(reads: list[Read], folded: str) -> tuple[Decimal, Decimal] | None:
    for first, second in itertools.pairwise(reads):
        # The range takes its role from its first end: "na faixa de 400 a 450?" is the lead's range, and so is
        # "kitnet de 90 até 130 mil tem?" (asked, not quoted: no listing names it).
        asked = first.role == "quoted" and not first.listing and second.role == "max"
        if (first.role in ("not", "quoted") and not asked) or second.role == "not" or second.listing:
            continue
        joined = _RANGE_JOIN.fullmatch(folded[first.amount.end : second.amount.start]) or (
            _COMMA_JOIN.fullmatch(folded[first.amount.end : second.amount.start])
            and _ABOUT_BEFORE.search(folded[max(0, first.amount.start - 12) : first.amount.start])
            and second.brl <= first.brl * Decimal("1.5")
            and second.role in ("plain", "max")
        )
        if joined and first.brl < second.brl:
            return first.brl, second.brl
    return None


def budget_read(text: str, reads: list[Read] | None = None) -> tuple[Decimal | None, Decimal | None]:
    """The lead's own budget in a message, (min, max) in BRL; (None, None) when they state none. ``reads``: the
    message's ``amounts_read`` when the caller has them already."""
    reads = amounts_read(text) if reads is None else reads
    if not reads:
        return None, None
    folded = _prepared(text)
    # (a plain amount only: "até 600 mil no total" is a limit, "entre 300 e 350 no total" a range)
    totals = [
        second.brl
        for first, second in itertools.pairwise([None, *reads])
        if second.role == "plain"
        and _TOTAL_AFTER.match(folded, second.amount.end)
        and not (first and _RANGE_JOIN.fullmatch(folded[first.amount.end : second.amount.start]))
    ]
    if totals:
        return totals[-1], totals[-1]
    ranged = _ranged(reads, folded)
    if ranged:
        return ranged
    floors = [r.brl for r in reads if r.role == "min"]
    limits = [r.brl for r in reads if r.role == "max"]
    claimed = any(r.own for r in reads if r.role == "plain")
    plain = [r.brl for r in reads if r.role == "plain" and (r.own or not claimed)]
    low = floors[0] if floors else None
    high = limits[-1] if limits else None
    if plain:
        if high is None and low is None:
            return min(plain), max(plain)
        if low is None and high is not None and high * Decimal("0.3") <= min(plain) < high:
            low = min(plain)
    if low is not None and high is not None and low > high:
        # a floor above the limit is someone else's price read as a floor ("'a partir de 499 mil'… até 400 eu
        # consigo"): the person's own limit is what they said of themselves
        low = None
    return low, high


def budget_extract(text: str) -> tuple[float | None, float | None]:
    """``budget_read`` as floats, the shape the extraction schema takes."""
    low, high = budget_read(text)
    return (float(low) if low is not None else None, float(high) if high is not None else None)
