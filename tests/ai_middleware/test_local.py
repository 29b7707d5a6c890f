"""The local engine on a group-aware split (whole message families held out), and the rules it leans on (money,
places, opt-out) on WhatsApp spelling."""

import pytest

from ai_middleware.evaluation import evaluate
from ai_middleware.local import (
    LocalEngine,
    budget_extract,
    dataset,
    dataset_folds,
    dataset_split,
    local_engine,
    normalize,
    place_extract,
)


def test_the_dataset_has_families_and_group_aware_folds_never_split_a_family():
    examples = dataset()
    assert len(examples) >= 1300
    assert all(e.family for e in examples)
    assert len({e.family for e in examples}) >= 300
    folds = dataset_folds()
    assert len(folds) == 5
    for train, test in folds:
        assert 0.1 < len(test) / len(examples) < 0.3
        assert not {e.family for e in train} & {e.family for e in test}
        assert not {e.text for e in train} & {e.text for e in test}
    assert dataset_split()[1] == dataset_folds()[0][1]  # the same messages every run


def test_the_local_engine_meets_its_targets_on_families_it_never_saw():
    """An engine trained without a fifth of the families, scored on them (the dev signal; the challenge set is only
    read by ai_eval)."""
    train, test = dataset_split()
    engine = LocalEngine(train).warm()
    report = evaluate(engine.extract, test)
    assert report["fields"]["intent"]["macro_f1"] >= 0.85
    assert report["fields"]["budget"]["exact_match"] >= 0.90
    assert report["fields"]["budget"]["invented_rate"] <= 0.05
    assert report["failures"] == 0


# Written after the model was chosen, none of them in the training data: the kinds the issue saw misread (a price asked
# without "quanto", a visit or a call asked for without "agendar", a refusal naming the price).
UNSEEN = [
    ("e quanto fica o sobrado de esquina?", "price_question"),
    ("me passa os valores do térreo com quintal", "price_question"),
    ("a tabela de vocês já saiu?", "price_question"),
    ("tem como ver o imóvel no domingo de manhã?", "schedule_meeting"),
    ("queria que o corretor me ligasse hoje à noite", "schedule_meeting"),
    ("posso levar minha noiva pra conhecer o decorado?", "schedule_meeting"),
    ("R$ 700 mil? muito caro, não quero", "not_interested"),
    ("achei salgado demais, vou procurar outro", "not_interested"),
    ("curti muito o projeto, me interessa", "interested"),
    ("o prédio tem bicicletário?", "wants_info"),
    ("já fechei com outra incorporadora", "already_bought"),
    # The conventions a third writer's dev set showed the engine missing (issue #20): a listing named by its price
    # asked about (not its price), a short reply to the bot, a visit mentioned aside while the fee is asked, a limit
    # said with refusal words or after a quoted price, "send me again", "text, not calls", how FGTS works.
    ("o sobrado de 640 mil tem churrasqueira?", "wants_info"),
    ("o terreno de 90 mil é plano?", "wants_info"),
    ("Piracicaba", "interested"),
    ("3 dorms", "interested"),
    ("antes de agendar a visita, qual o valor do condomínio?", "price_question"),
    ("não consigo passar de 400 mil, qualquer coisa assim serve", "interested"),
    ("a casa de 950 mil? muito cara, meu limite é 700", "interested"),
    ("pode voltar a me mandar os lançamentos?", "wants_info"),
    ("só por mensagem, ligação eu não atendo", "wants_info"),
    ("como funciona o uso do FGTS na entrada?", "wants_info"),
    ("parem com isso", "opt_out"),
]


@pytest.mark.parametrize(("text", "intent"), UNSEEN, ids=[t for t, _i in UNSEEN])
def test_messages_unlike_the_training_data_are_read_by_what_they_ask(text, intent):
    assert text not in {example.text for example in dataset()}
    assert local_engine().extract(text).intent == intent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tenho uns 400 mil", (400000, 400000)),
        ("procuro algo até 500k", (None, 500000)),
        ("entre 300 e 400 mil", (300000, 400000)),
        ("de 250 a 300k", (250000, 300000)),
        ("a partir de 2 milhões", (2000000, None)),
        ("uns 1,5 mi", (1500000, 1500000)),
        ("tenho meio milhão", (500000, 500000)),
        ("valor de R$ 350.000", (350000, 350000)),
        ("tenho 80 mil de entrada", (None, None)),
        ("parcela de até 3 mil", (None, None)),
        ("apto de 2 quartos no 15º andar, visita às 14h", (None, None)),
    ],
)
def test_budgets_are_read_from_brazilian_whatsapp_spelling(text, expected):
    assert budget_extract(text) == expected


def test_places_come_from_aliases_and_ibge_names_after_a_preposition():
    assert place_extract("quero apto em bh") == ("Belo Horizonte", "MG")
    assert place_extract("eu tenho interesse em apto em poa") == ("Porto Alegre", "RS")
    assert place_extract("casa em goiania") == ("Goiânia", "GO")
    assert place_extract("algo em Minas") == (None, "MG")
    assert place_extract("feliz natal pra vc") == (None, None)


def test_whatsapp_spelling_is_normalized_before_classifying():
    assert normalize("Qto ta o apto??? 😍 kkkk") == "quanto esta o apartamento ? ? ? emojiamor risos"


def test_every_field_comes_with_a_confidence_and_rules_win_on_opt_out():
    result = local_engine().extract("para de me mandar msg, vou bloquear")
    assert result.intent == "opt_out" and result.confidence["intent"] >= 0.9
    assert set(result.confidence) >= {"intent", "sentiment", "urgency", "budget_min", "city", "objections"}
