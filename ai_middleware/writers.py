"""The local engine's writers: reply drafts and campaign bodies from phrasing rules and the objection library,
so suggestions and drafts work offline. An LLM, when configured, writes richer ones through the prompt library."""

from __future__ import annotations

from django.conf import settings

from .schemas import CampaignDraft, EcprFrame, ReplyDraft, Suggestions

# The tone a lead's stage calls for (the prompts receive the same word).
STAGE_TONES = {
    "new": "acolhedor",
    "contacted": "acolhedor",
    "qualified": "consultivo",
    "meeting": "objetivo",
    "proposal": "objetivo",
    "won": "cordial",
    "lost": "cordial",
    "nurturing": "leve",
}

_BY_INTENT = {
    "interested": "Que ótimo, {name}! Posso te enviar as plantas e as condições e, se fizer sentido, marcamos uma "
    "visita ao decorado?",
    "wants_info": "Claro, {name}! Vou te mandar o material com fotos, plantas e localização. Você tem preferência de "
    "metragem ou de andar?",
    "price_question": "Oi, {name}! Os valores variam conforme a unidade e a forma de pagamento. Posso te mandar a "
    "tabela atualizada com as condições? Qual faixa de investimento você tem em mente?",
    "schedule_meeting": "Perfeito, {name}! Tenho horários amanhã às 10h ou às 16h. Qual fica melhor para você?",
    "not_interested": "Entendo, {name}, obrigado pelo retorno! Se quiser, te aviso só quando surgir algo no seu "
    "perfil. Pode ser?",
    "opt_out": "Tudo certo, {name}. Você não vai mais receber mensagens nossas. Obrigado pela atenção.",
    "already_bought": "Parabéns pela compra, {name}! Se precisar de algo no futuro, ou souber de alguém procurando "
    "imóvel, conte comigo.",
    "wrong_person": "Desculpe o engano! Vamos corrigir o nosso cadastro. Tenha um ótimo dia.",
    "other": "Oi, {name}! Estou por aqui. Posso te ajudar com alguma informação sobre o imóvel?",
}
_NEXT_STEP = {
    "acolhedor": "Oi, {name}! Fico à disposição para tirar qualquer dúvida. Quer que eu te ligue rapidinho para "
    "entender o que você procura?",
    "consultivo": "{name}, pelo que você me contou, separei opções que combinam com o seu perfil. Posso te mostrar "
    "em uma conversa de 15 minutos?",
    "objetivo": "{name}, para avançarmos, posso te enviar a proposta com a simulação de pagamento ainda hoje. "
    "Combinado?",
    "leve": "Oi, {name}! Passando só para saber se ainda faz sentido conversarmos sobre imóveis. Sem pressa!",
    "cordial": "Obrigado pela conversa, {name}! Qualquer coisa, é só me chamar.",
}
_CLOSED_INTENTS = ("opt_out", "wrong_person")

# ECPR for objections: Empathize, Clarify, Present (the team's answer from the objection library), Respond/confirm.
_EMPATHIZE = {
    "price": "Entendo, {name}, é um investimento importante e faz todo sentido querer que caiba no seu planejamento.",
    "timing": "Entendo, {name}, cada pessoa tem o seu momento e não precisa ter pressa.",
    "trust": "Você tem toda razão em querer segurança, {name}: comprar um imóvel exige confiança.",
    "financing": "Entendo, {name}, o financiamento pesa bastante na decisão.",
    "location": "Entendo, {name}, a localização muda a rotina de todo mundo.",
    "spouse_decision": "Faz todo sentido, {name}, uma decisão dessas é para ser tomada junto.",
    "already_has": "Que bom, {name}, fico feliz que você já tenha o seu imóvel.",
    "other": "Entendo, {name}, obrigado por me contar.",
}
_CLARIFY = {
    "price": "Para eu te ajudar melhor: o que pesa mais para você, o valor da entrada ou o das parcelas?",
    "timing": "Quando você imagina que seria um bom momento para retomarmos?",
    "trust": "O que te deixaria mais tranquilo: conhecer a construtora, ver documentos ou visitar uma obra entregue?",
    "financing": "Você já fez alguma simulação ou pensa em usar o FGTS?",
    "location": "Qual região ficaria melhor para o seu dia a dia?",
    "spouse_decision": "Qual costuma ser o melhor horário para vocês dois?",
    "already_has": "Você pensa em investir ou em trocar de imóvel mais para frente?",
    "other": "O que está te deixando em dúvida?",
}
_CONFIRM = {
    "price": "Isso ajudaria a fazer caber no seu orçamento?",
    "timing": "Pode ser assim?",
    "trust": "Isso te deixaria mais seguro?",
    "financing": "Faz sentido para você?",
    "location": "Isso ajuda na sua escolha?",
    "spouse_decision": "Combinado?",
    "already_has": "Posso contar com você para indicações?",
    "other": "Isso responde à sua dúvida?",
}


def objection_draft(*, objection: str, answer: str, name: str) -> ReplyDraft:
    """An answer to one objection in the ECPR frame: empathize, clarify, present the team's answer, confirm."""
    empathy = _EMPATHIZE.get(objection, _EMPATHIZE["other"])
    if not name:  # no first name known: leave the address out rather than guess one
        empathy = empathy.replace(", {name}", "").replace(" {name}", "")
    frame = EcprFrame(
        empathize=empathy.format(name=name),
        clarify=_CLARIFY.get(objection, _CLARIFY["other"]),
        present=answer.strip(),
        confirm=_CONFIRM.get(objection, _CONFIRM["other"]),
    )
    return ReplyDraft(text=frame.text(), handles=[objection], ecpr=frame)


def suggestions_local(*, facts: dict, stage: str, first_name: str, library: dict[str, str]) -> Suggestions:
    """Two or three drafts: an answer to what the person just said, one per objection the library can answer (in the
    ECPR frame: empathize, clarify, present the team's answer, confirm), and a next step in the tone of the stage.
    ``library``: objection → the team's answer."""
    name = first_name or "tudo bem"
    tone = STAGE_TONES.get(stage, "acolhedor")
    intent = facts.get("intent") or "other"
    drafts = [ReplyDraft(text=_BY_INTENT.get(intent, _BY_INTENT["other"]).format(name=name))]
    if intent not in _CLOSED_INTENTS:
        for objection in facts.get("objections") or []:
            answer = library.get(objection)
            if answer and len(drafts) < 3:
                drafts.append(objection_draft(objection=objection, answer=answer, name=first_name))
        if len(drafts) < 3:
            drafts.append(ReplyDraft(text=_NEXT_STEP[tone].format(name=name)))
    else:
        drafts.append(ReplyDraft(text="Obrigado pelo aviso! Não vamos mais incomodar."))
    return Suggestions(drafts=drafts[:3])


_DRAFT_OPENINGS = {
    "formal": "Olá, {{1}}. ",
    "amigavel": "Oi, {{1}}! Tudo bem? ",
    "direto": "{{1}}, ",
    "urgente": "{{1}}, última chamada: ",
}


def draft_local(*, goal: str, tone: str) -> CampaignDraft:
    """A template body: opening in the tone, the goal, a question that invites a reply (replies keep the number
    healthy), the business name and how to stop receiving messages."""
    opening = _DRAFT_OPENINGS.get(tone, _DRAFT_OPENINGS["amigavel"])
    goal = goal.strip().rstrip(".")
    goal = goal[0].upper() + goal[1:] if goal else goal
    body = (
        f"{opening}{goal}. Quer que eu te envie os detalhes por aqui?\n\n"
        f"Equipe {settings.FLUXO_BUSINESS_NAME}. Para não receber mais mensagens, responda SAIR."
    )
    return CampaignDraft(text=body)
