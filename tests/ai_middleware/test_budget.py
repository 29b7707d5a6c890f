"""Budget reading that understands roles (issue #20, item 4): the lead's own budget, limits, floors and ranges, and
the amounts that are not a budget — a price quoted back, a down payment, an instalment, income, rent, and numbers
that are not money at all. Pure functions: no database."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ai_middleware.budget import amounts_read, budget_read
from ai_middleware.local import budget_extract
from leads.normalization import budget_parse

K = 1_000
M = 1_000_000

PHRASINGS = [
    # A single stated amount: min = max.
    ("tenho uns 400 mil", (400 * K, 400 * K)),
    ("meu orçamento é de 300 mil", (300 * K, 300 * K)),
    ("tenho R$ 350.000,00 pra dar", (350 * K, 350 * K)),
    ("350 mil reais à vista", (350 * K, 350 * K)),
    ("tenho 400k", (400 * K, 400 * K)),
    ("uns 400", (400 * K, 400 * K)),
    ("a gente tem mais ou menos uns trezentos e cinquenta mil reais guardado né", (350 * K, 350 * K)),
    ("dois milhões e meio", (2_500_000, 2_500_000)),
    ("tenho 1 milhão e 2 filhos pra criar", (1 * M, 1 * M)),
    ("entre 2 milhões e 3 milhões", (2 * M, 3 * M)),
    ("tenho uns quatrocentos mil guardado", (400 * K, 400 * K)),
    ("1,2 mi pra investir", (1_200_000, 1_200_000)),
    ("tenho 1.2mi", (1_200_000, 1_200_000)),
    ("um milhão e meio, mais ou menos", (1_500_000, 1_500_000)),
    ("tenho meio milhão pra investir", (500 * K, 500 * K)),
    ("Prezados, disponho de 2 milhões e 300 mil para a aquisição.", (2_300_000, 2_300_000)),
    ("Bom dia. Meu orçamento para o imóvel é de R$ 780.000.", (780 * K, 780 * K)),
    ("eae mano, to com 250k na mão, bora", (250 * K, 250 * K)),
    ("tipo assim, a gente juntou uns duzentos e cinquenta mil né", (250 * K, 250 * K)),
    ("orçamento 3 mi pra cobertura 😍", (3 * M, 3 * M)),
    ("por volta de 350 mil, em salvador", (350 * K, 350 * K)),
    ("fecho hj se for 280k o apto", (280 * K, 280 * K)),
    ("na faixa dos 750 mil", (750 * K, 750 * K)),
    ("tenho 1 milhão e 200 mil aprovado no banco", (1_200_000, 1_200_000)),
    ("meu budget é 1M", (1 * M, 1 * M)),
    ("1kk pra investir", (1 * M, 1 * M)),
    ("faço 700 à vista", (700 * K, 700 * K)),
    # Limits: max only.
    ("procuro algo até 500k", (None, 500 * K)),
    ("no máximo 600 mil", (None, 600 * K)),
    ("meu limite é 350 mil", (None, 350 * K)),
    ("não passa de 480 mil, ok?", (None, 480 * K)),
    ("teto de 1,2 milhão", (None, 1_200_000)),
    ("tem algo até 500 mil? qual o valor das unidades?", (None, 500 * K)),
    ("tem ap abaixo de 350 mil? qto custa?", (None, 350 * K)),
    ("posso pagar até uns 900 mil", (None, 900 * K)),
    ("não consigo pagar mais de 400 mil", (None, 400 * K)),
    ("algo em torno de 300 mil no máximo", (None, 300 * K)),
    ("500 mil ou menos", (None, 500 * K)),
    ("R$ 2.000.000,00 é o máximo que posso", (None, 2 * M)),
    ("preço de 380 mil está fora da minha realidade, meu máximo é 300", (None, 300 * K)),
    # Floors: min only.
    ("a partir de 2 milhões", (2 * M, None)),
    ("de 600 mil pra cima", (600 * K, None)),
    ("acima de 1 milhão", (1 * M, None)),
    ("no mínimo 800 mil, quero coisa boa", (800 * K, None)),
    ("quais imóveis vcs tem acima de 1 milhão?", (1 * M, None)),
    ("1,5 mi ou mais, pra alto padrão", (1_500_000, None)),
    # Ranges.
    ("entre 300 e 400 mil", (300 * K, 400 * K)),
    ("de 300 a 400", (300 * K, 400 * K)),
    ("300-400k", (300 * K, 400 * K)),
    ("de 250 a 300k", (250 * K, 300 * K)),
    ("valor entre R$ 300.000 e R$ 400.000", (300 * K, 400 * K)),
    ("tenho entre R$ 900 mil e R$ 1,1 milhão", (900 * K, 1_100_000)),
    ("casa de 1,2 a 1,5 mi me interessa", (1_200_000, 1_500_000)),
    ("uns 300 ou 350 mil", (300 * K, 350 * K)),
    ("tem alguma coisa na faixa de 400 a 450?", (400 * K, 450 * K)),
    ("Olá, sou investidor e busco imóveis entre 1 e 3 milhões para renda.", (1 * M, 3 * M)),
    # The quoted-price-then-own-limit pattern, and quoted prices alone.
    ("R$ 1,1 mi?? não dá, meu teto é 850", (None, 850 * K)),
    ("1,1 milhão?! nossa... meu limite é 900", (None, 900 * K)),
    ("o studio de 480 mil do anúncio ainda tá disponível?", (None, None)),
    ("2 milhões nessa casa?? tá maluco", (None, None)),
    ("esse apto de 650 mil ainda tem?", (None, None)),
    ("vi no site que custa 720 mil, é isso mesmo?", (None, None)),
    ("800 mil?? kkkk", (None, None)),
    ("950 mil num apê de 2 quartos, tá de brincadeira", (None, None)),
    ("tão pedindo 1,3 mi naquela casa, absurdo", (None, None)),
    ("achei que era uns 300 mil, 600 é muito caro pra mim", (300 * K, 300 * K)),
    ("tenho 400 mil, mas o apto custa 520 mil", (400 * K, 400 * K)),
    ("hmm 380k... consigo 350k", (350 * K, 350 * K)),
    ("o corretor falou em 600 mil, procede?", (None, None)),
    ("meu irmão comprou um ap ali por 300 mil ano passado, vcs tem algo parecido?", (None, None)),
    ("nao tenho 500 mil nao kkk, tem algo mais barato?", (None, None)),
    (
        "Prezados, venho manifestar interesse na unidade 1502, cujo valor anunciado é de R$ 1.350.000,00. "
        "Meu orçamento máximo é de R$ 1.200.000,00.",
        (None, 1_200_000),
    ),
    # Down payment vs total.
    ("tenho 80 mil de entrada", (None, None)),
    ("tenho 80 de entrada e financio até 500", (None, 500 * K)),
    ("a entrada de 50 mil pode parcelar?", (None, None)),
    ("dou 100 mil de entrada, imóvel até 450 mil", (None, 450 * K)),
    ("tenho 100 mil de fgts, da pra usar de entrada?", (None, None)),
    ("dá pra dar 30 mil de sinal?", (None, None)),
    ("tenho um terreno de 200 mil pra dar de entrada", (None, None)),
    ("me dá um desconto de 30 mil que eu fecho", (None, None)),
    ("quero vender meu apartamento de 500 mil", (None, None)),
    ("ja paguei 30 mil do lote, falta 20", (None, None)),
    # Instalments, income, rent, fees.
    ("parcela de 3 mil", (None, None)),
    ("parcela de até 3 mil", (None, None)),
    ("consigo pagar 3 mil por mês", (None, None)),
    ("pago 2.500 de aluguel hoje", (None, None)),
    ("ganho 12 mil", (None, None)),
    ("minha renda é de 15 mil líquido", (None, None)),
    ("o condomínio é uns 800 reais?", (None, None)),
    ("iptu de 3 mil por ano?", (None, None)),
    ("meu limite era 200 mil, não rola", (None, None)),
    # Numbers that are not money.
    ("apto de 80 m², 3 quartos e 2 vagas", (None, None)),
    ("quero comprar em 2025", (None, None)),
    ("meu cel é (11) 98765-4321", (None, None)),
    ("o cep é 01310-100", (None, None)),
    ("o apto 302 ainda ta disponivel?", (None, None)),
    ("visita dia 15 às 14h, no 12º andar", (None, None)),
    ("financiamento em 360x", (None, None)),
    ("quanto fica financiando em 30 anos?", (None, None)),
    ("pode ser 10% de desconto?", (None, None)),
    ("casa com 120 metros de área", (None, None)),
    ("tenho 80m de frente", (None, None)),
    ("Meu nome é Carlos, CPF 123.456.789-00, quero saber do apartamento", (None, None)),
    ("meu whats 11 9 8765 4321", (None, None)),
    # A second writer's phrasings (issue #20): slang amounts, ad portals, sales, negated ceilings, words.
    ("o de 480 mil ainda tá disponível?", (None, None)),
    ("1,1 mi??", (None, None)),
    ("o anúncio fala em 650 mil, é isso?", (None, None)),
    ("vi por 720k no olx, confere?", (None, None)),
    ("entrada de 90 mil e o resto financiado", (None, None)),
    ("consigo uma parcela de uns 3.500", (None, None)),
    ("pago 2 mil de aluguel", (None, None)),
    ("minha renda familiar é de 18 mil", (None, None)),
    ("ganho uns 12k por mês", (None, None)),
    ("tenho 100 mil de fgts", (None, None)),
    ("400k", (400 * K, 400 * K)),
    ("700 conto", (700 * K, 700 * K)),
    ("tenho uns 700 conto", (700 * K, 700 * K)),
    ("meio milhão", (500 * K, 500 * K)),
    ("um milhão e meio", (1500 * K, 1500 * K)),
    ("600 mil pra cima", (600 * K, None)),
    ("até 1 milhão", (None, 1 * M)),
    ("algo entre 500 e 650k", (500 * K, 650 * K)),
    ("de 300 a 350 mil", (300 * K, 350 * K)),
    ("tá pedindo 900 mil? consigo no máximo 750", (None, 750 * K)),
    ("o corretor disse 580, mas eu só tenho 500", (500 * K, 500 * K)),
    ("meu irmão pagou 400 mil no dele", (None, None)),
    ("vendi minha casa por 350 mil e quero comprar outra", (None, None)),
    ("tenho 200 mil e financio o resto, procuro até 600 mil", (200 * K, 600 * K)),
    ("quero gastar no máx 480k", (None, 480 * K)),
    ("não quero passar de 1,5 mi", (None, 1500 * K)),
    ("orçamento apertado, uns 280", (280 * K, 280 * K)),
    ("budget de 2 a 2,5 milhões", (2 * M, 2500 * K)),
    ("faço proposta de 450 mil", (450 * K, 450 * K)),
    ("o apto custa 520 mil né? tenho 480", (480 * K, 480 * K)),
    ("condomínio de 800 reais tá ok", (None, None)),
    ("IPTU de 3 mil por ano", (None, None)),
    ("são 360 parcelas de 2.800?", (None, None)),
    ("quanto fica com entrada de 10%?", (None, None)),
    ("tenho 50k pra entrada", (None, None)),
    ("mínimo 400 mil, máximo 550 mil", (400 * K, 550 * K)),
    ("pelo menos uns 800 mil", (800 * K, None)),
    ("acima de 2 milhões", (2 * M, None)),
    ("abaixo de 300 mil tem?", (None, 300 * K)),
    ("nada acima de 700 mil", (None, 700 * K)),
    ("trezentos mil", (300 * K, 300 * K)),
    ("seiscentos e cinquenta mil reais", (650 * K, 650 * K)),
    ("R$ 850.000", (850 * K, 850 * K)),
    ("850.000,00", (850 * K, 850 * K)),
    ("tenho 1 milhão e duzentos", (1200 * K, 1200 * K)),
    ("2kk", (2 * M, 2 * M)),
    ("a casa de 1,3 mi do post tem piscina?", (None, None)),
    ("esse de 590 tem vaga?", (None, None)),
    ("aquele ap de 410 mil é de frente?", (None, None)),
    ("vi a cobertura por 2,2 milhões no insta", (None, None)),
    ("1 mi e pouco eu consigo", (1 * M, 1 * M)),
    ("uns 350 mil mais ou menos, pode ser até 380", (350 * K, 380 * K)),
    ("900 mil é muito, tenho 600", (600 * K, 600 * K)),
    ("paguei 300 mil no meu antigo", (None, None)),
    ("meu orçamento é 250 mil mas a parcela tem que ser até 2 mil", (250 * K, 250 * K)),
    ("ligue no 11 98765-4321", (None, None)),
    ("moro no 1502, bloco B", (None, None)),
    ("tenho 3 filhos e 2 cachorros", (None, None)),
    ("o apto tem 120 m2 e 3 vagas", (None, None)),
    ("900k é caro demais, meu limite é 700k", (None, 700 * K)),
    ("quinhentos mil eu tenho", (500 * K, 500 * K)),
    ("entre 1 e 1,5 milhão", (1 * M, 1500 * K)),
    ("tem algo até uns 450?", (None, 450 * K)),
    ("o aluguel lá tá 4 mil, prefiro comprar com uns 400 mil", (400 * K, 400 * K)),
    ("consegui aprovação de 380 mil no banco", (380 * K, 380 * K)),
    ("carta de crédito de 300 mil", (300 * K, 300 * K)),
    ("salário de 9 mil, dá pra financiar 400 mil?", (400 * K, 400 * K)),
    ("vi um parecido por 410 mil no bairro, o de vocês sai por quanto?", (None, None)),
    ("na época tava 390 mil, subiu?", (None, None)),
    ("na outra construtora tá 380 mil", (None, None)),
    ("não passo de 450 mil", (None, 450 * K)),
    ("acima de 800 mil eu nem olho", (None, None)),
    ("fechei num de 1,1 milhão lá no centro", (None, None)),
    ("custava 600 mil, ainda tá nesse valor?", (None, None)),
    ("meu orçamento tá em 400 mil", (400 * K, 400 * K)),
    ("tá doido, 1,3 mi num apartamento de 70 metros", (None, None)),
    ("sério? 900 mil é muito", (None, None)),
    ("nossa, tenho 500 mil guardado", (500 * K, 500 * K)),
    ("putz, 2 milhões... meu limite é 1,5", (None, 1_500_000)),
    # A third writer's roles (issue #20 dev set, new wordings): floors said as ruled-out limits, "em diante",
    # "partindo de", augmentatives, bare ranges as a reply, totals split in parts, down payments by context.
    ("nenhum imóvel abaixo de 800 mil me interessa", (800 * K, None)),
    ("não quero nada menos de 1,2 mi", (1_200_000, None)),
    ("de 500 mil em diante", (500 * K, None)),
    ("casa partindo dos 900 mil", (900 * K, None)),
    ("uns 450 mil pra lá, sem problema", (450 * K, None)),
    ("de quinhentão pra cima", (500 * K, None)),
    ("quatrocentão no máximo", (None, 400 * K)),
    ("uns 350 pau", (350 * K, 350 * K)),
    ("o máximo que a gente consegue é 450 mil", (None, 450 * K)),
    ("verba limitada a R$ 2.000.000,00", (None, 2 * M)),
    ("100 a 150, depende do bairro", (100 * K, 150 * K)),
    ("Curitiba, 380 a 420", (380 * K, 420 * K)),
    ("atendo das 8 a 18", (None, None)),
    ("orçamento de 900 mil, sendo 300 de FGTS e 600 financiado", (900 * K, 900 * K)),
    ("entro com 150 mil de entrada num apartamento de 750 mil", (750 * K, 750 * K)),
    ("quero um apto de 350, tenho 60 de entrada", (350 * K, 350 * K)),
    ("quanto é o sinal? tenho uns 40 mil", (None, None)),
    ("guardei 90 mil pro sinal", (None, None)),
    ("vendendo a casa fico com uns 300 mil", (300 * K, 300 * K)),
    ("o corretor me mandou uma casa de 700 mil, meu limite é 600", (None, 600 * K)),
    ("publicaram um sobrado de 1,1 mi, ainda tem?", (None, None)),
    ("gostei do apê de 410 mil", (None, None)),
    ("a casa é 500 mil? quanto fica o ITBI?", (None, None)),
    ("pelos 400 mil dá pra tirar algum desconto?", (None, None)),
    ("1,3 mi numa casa sem garagem? sem condições", (None, None)),
    ("a 600 mil eu não compro", (None, None)),
    ("não vou pagar 600 mil nisso", (None, None)),
    ("a prestação de dois mil e quinhentos cabe no bolso", (None, None)),
    # Round 2 (dev set 2): numbers that are not the lead's money, and limits said after the amount.
    ("quero de 60 a 75 metros quadrados, 2 dormitórios", (None, None)),  # the unit of a range's second end
    ("cidade pequena, uns 40 mil habitantes, tem lote lá?", (None, None)),  # a unit after "mil"
    ("dou meu carro de 85 mil mais o FGTS", (None, None)),  # the price of a car, not of the home
    ("tenho um barco de 200 mil, aceita na troca?", (None, None)),
    ("uns 120 mil como parte do pagamento, pode ser?", (None, None)),
    ("tem financiamento de moto? uma de 30 mil", (None, None)),  # "uma de" refers back to the motorbike
    ("650 mil, nem um real a mais", (None, 650 * K)),  # a limit said in the next clause
    ("uns 480, não passo disso", (None, 480 * K)),
    ("900 mil. esse é o meu teto", (None, 900 * K)),
    ("no site tá a partir de 520 mil, é isso mesmo?", (None, None)),  # an ad's floor is a quoted price
    ("essa oferta de 455 mil vale até sexta?", (None, None)),  # a price already on the table
    ("os 530 mil que a corretora passou incluem a vaga?", (None, None)),
    ("a de cima sai 700 mil e a de baixo 640, qual tem mais sol?", (None, None)),  # two units compared
    ("o valor do m2 na região é uns 15 mil?", (None, None)),  # a price per square metre
    ("dou 20% de entrada e consigo até 400 mil no total", (None, 400 * K)),  # the total after a down payment
    ("teto: 750 mil", (None, 750 * K)),  # a colon does not cut the cue from its amount
    ("meu orçamento: 430 mil", (430 * K, 430 * K)),
    ("720 mil por um 2 quartos? de jeito nenhum", (None, None)),
    ("minha casa foi avaliada em 380 mil, posso usar na troca?", (None, None)),  # a valuation of their own home
    ("adquirimos um terreno por 150 mil ano passado", (None, None)),
    ("meu cunhado encontrou um sobrado de 600 mil em Osasco", (None, None)),  # seen by someone else
    ("a diária média é de 300 a 450?", (None, None)),  # a short-let daily rate
    ("tenho meio milhão e mais 80 mil do FGTS", (500 * K, 500 * K)),  # "meio milhão e 80 mil" is not 580 mil
    ("tenho 400 mil, não quero apê pequeno", (400 * K, 400 * K)),
]


@pytest.mark.parametrize(("text", "expected"), PHRASINGS, ids=[t for t, _e in PHRASINGS])
def test_the_lead_budget_is_read_with_the_role_of_each_amount(text, expected):
    assert budget_extract(text) == tuple(float(v) if v is not None else None for v in expected)


def test_the_table_covers_at_least_sixty_phrasings():
    assert len(PHRASINGS) >= 150


def test_each_amount_is_reported_with_its_role():
    roles = [(r.brl, r.role) for r in amounts_read("R$ 1,1 mi?? não dá, meu teto é 850")]
    assert roles == [(Decimal(1_100_000), "quoted"), (Decimal(850_000), "max")]
    roles = [(r.brl, r.role) for r in amounts_read("tenho 80 de entrada e financio até 500")]
    assert roles == [(Decimal(80_000), "not"), (Decimal(500_000), "max")]


# --- Properties -----------------------------------------------------------------------------------------------
def _br(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _spellings(amount: int) -> list[str]:
    """Ways people write an amount (a round thousand, 50 mil to 9,9 mi)."""
    thousands = amount // 1000
    out = [f"R$ {_br(amount)}", f"R$ {_br(amount)},00", f"{_br(amount)} reais", f"{thousands} mil", f"{thousands}k"]
    if amount % 100_000 == 0 and amount >= M:
        millions = Decimal(amount) / M
        text = f"{millions.normalize():f}"
        out += [f"{text.replace('.', ',')} mi", f"{text}mi", f"{text.replace('.', ',')} milhões"]
    return out


_AMOUNTS = st.one_of(
    st.integers(min_value=50, max_value=999).map(lambda t: t * 1000),
    st.integers(min_value=10, max_value=99).map(lambda t: t * 100_000),
)


@settings(max_examples=150, deadline=None)
@given(amount=_AMOUNTS, data=st.data())
def test_any_formatted_amount_as_my_budget_reads_back_the_same(amount, data):
    spelled = data.draw(st.sampled_from(_spellings(amount)))
    opening = data.draw(st.sampled_from(["meu orçamento é ", "meu orçamento é de ", "Orçamento: ", "tenho "]))
    assert budget_read(f"{opening}{spelled}") == (amount, amount)


@settings(max_examples=150, deadline=None)
@given(amount=_AMOUNTS, data=st.data())
def test_a_limit_or_a_floor_gives_one_side_only(amount, data):
    spelled = data.draw(st.sampled_from(_spellings(amount)))
    limit = data.draw(st.sampled_from(["até ", "no máximo ", "meu teto é ", "meu limite é de ", "não passa de "]))
    floor = data.draw(st.sampled_from(["a partir de ", "acima de ", "no mínimo "]))
    assert budget_read(f"procuro algo {limit}{spelled}") == (None, amount)
    assert budget_read(f"procuro algo {floor}{spelled}") == (amount, None)
    assert budget_read(f"procuro algo de {spelled} pra cima") == (amount, None)


@settings(max_examples=150, deadline=None)
@given(amount=_AMOUNTS, data=st.data())
def test_a_quoted_price_with_disbelief_after_it_is_never_a_budget(amount, data):
    spelled = data.draw(st.sampled_from(_spellings(amount)))
    quote = data.draw(
        st.sampled_from(["{} nesse apto", "o anúncio diz {}", "{}", "a casa de {}", "esse de {}", "custa {}"])
    )
    disbelief = data.draw(st.sampled_from(["?? tá caro", "?? tá maluco", "? absurdo", "?! nem pensar"]))
    assert budget_read(quote.format(spelled) + disbelief) == (None, None)


@settings(max_examples=150, deadline=None)
@given(amount=_AMOUNTS, limit=st.integers(min_value=100, max_value=999), data=st.data())
def test_a_limit_after_a_quoted_price_is_the_budget_in_the_same_scale(amount, limit, data):
    spelled = data.draw(st.sampled_from(_spellings(amount)))
    assert budget_read(f"{spelled}?? não dá, meu teto é {limit}") == (None, limit * 1000)


@settings(max_examples=150, deadline=None)
@given(amount=_AMOUNTS, data=st.data())
def test_down_payments_instalments_and_income_are_never_a_budget(amount, data):
    spelled = data.draw(st.sampled_from(_spellings(amount)))
    template = data.draw(
        st.sampled_from(
            ["tenho {} de entrada", "entrada de {}", "parcela de {}", "{} por mês", "ganho {}", "renda de {}"]
        )
    )
    assert budget_read(template.format(spelled)) == (None, None)


@settings(max_examples=100, deadline=None)
@given(
    rooms=st.integers(min_value=1, max_value=5),
    area=st.integers(min_value=30, max_value=400),
    year=st.integers(min_value=2024, max_value=2035),
    phone=st.integers(min_value=90_000_000, max_value=99_999_999),
)
def test_numbers_that_are_not_money_are_ignored(rooms, area, year, phone):
    text = f"apto {rooms} quartos, {area} m², {rooms} vagas, entrega em {year}, me liga 11 9{phone}"
    assert budget_read(text) == (None, None)


@settings(max_examples=100, deadline=None)
@given(low=st.integers(min_value=100, max_value=500), gap=st.integers(min_value=10, max_value=400))
def test_ranges_read_the_same_in_a_message_and_in_an_import_column(low, gap):
    """One amount parser: what an import column reads as a range, a message reads as the same range."""
    high = low + gap
    for text in (f"entre {low} e {high} mil", f"{low} a {high} mil", f"{low}-{high}k"):
        assert budget_read(text) == budget_parse(text) == (low * 1000, high * 1000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("um milhão e meio", (1_500_000, 1_500_000)),
        ("meio milhão", (500_000, 500_000)),
        ("2 milhões e 300 mil", (2_300_000, 2_300_000)),
        ("quatrocentos mil", (400_000, 400_000)),
        ("de 600 mil pra cima", (600_000, None)),
    ],
)
def test_import_columns_read_amounts_in_words_with_the_same_parser(text, expected):
    assert budget_parse(text) == tuple(Decimal(v) if v is not None else None for v in expected)
