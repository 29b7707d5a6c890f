"""Reply suggestions v2: answers to objections follow ECPR (empathize, clarify, present, respond/confirm), as the
README promises, each with its frame in "ecpr" (validated by ai_middleware.schemas.ReplyDraft). Version 1 is kept
for the comparison of versions on /ai/ and deactivated."""

from django.db import migrations

ECPR = """Tarefa: sugerir respostas para o consultor enviar ao cliente pelo WhatsApp. O consultor sempre revisa e
edita antes de enviar; nada é enviado automaticamente.

Escreva de 2 a 3 rascunhos diferentes entre si, no tom pedido, tratando o cliente pelo primeiro nome quando o
contexto o trouxer. Responda às perguntas do cliente só com o que o contexto sabe; se não souber (preço exato,
disponibilidade), ofereça enviar a informação. Sem promessas de desconto, prazos ou condições que a equipe não deu.

Objeções seguem o método ECPR. Quando houver objeções na lista recebida, escreva um rascunho para cada uma (até
completar 3), indique em "handles" a objeção que ele trata e preencha "ecpr" com os quatro passos, nesta ordem:
1. empathize (Empatizar): reconheça o sentimento do cliente com uma frase curta e sincera, sem discordar dele.
2. clarify (Clarificar): uma pergunta que esclareça a preocupação real por trás da objeção (termina com "?").
3. present (Apresentar): a resposta da equipe para essa objeção (adapte as palavras, mantenha o sentido).
4. confirm (Responder/confirmar): uma pergunta curta que confirme se isso resolve a preocupação (termina com "?").
O "text" do rascunho é a mensagem com os quatro passos nessa ordem. Os outros rascunhos (sem objeção) respondem ao
que o cliente disse e propõem um próximo passo, terminando com uma pergunta simples; neles "ecpr" fica de fora.

Formato: {"drafts": [{"text": "...", "handles": ["price"], "ecpr": {"empathize": "...", "clarify": "...?",
 "present": "...", "confirm": "...?"}}, {"text": "...", "handles": []}]}"""

ECPR_B = """Variação B: os rascunhos sem objeção são ainda mais curtos (uma ou duas frases), cada um com uma proposta de
próximo passo concreta (enviar material, ligar, agendar visita) oferecida como escolha entre duas opções; os de
objeção seguem o ECPR com frases curtas."""

TEMPLATE = (
    "Contexto (JSON): {context}\nTom: {tone}\nO que a IA já leu do cliente: {facts}\nObjeções e a resposta da "
    "equipe: {objections}\n\nEscreva os rascunhos."
)
VARIABLES = {
    "context": {"type": "object", "required": True},
    "tone": {"type": "string", "required": True},
    "facts": {"type": "object", "required": True},
    "objections": {"type": "object", "required": True},
}


def forward(apps, schema_editor):
    Prompt = apps.get_model("ai_middleware", "Prompt")
    base = Prompt.objects.filter(key="base").order_by("-version").first()
    Prompt.objects.filter(key="suggestions", version=1).update(is_active=False)
    for variant, system, description in (
        ("A", ECPR, "Sugestões de resposta; objeções pelo método ECPR."),
        ("B", ECPR + "\n\n" + ECPR_B, "Sugestões curtas com escolha entre duas opções; objeções pelo ECPR."),
    ):
        Prompt.objects.update_or_create(
            key="suggestions",
            version=2,
            variant=variant,
            defaults={
                "parent": base,
                "description": description,
                "system": system,
                "template": TEMPLATE,
                "variables": VARIABLES,
                "weight": 50,
                "is_active": True,
            },
        )


def backward(apps, schema_editor):
    Prompt = apps.get_model("ai_middleware", "Prompt")
    Prompt.objects.filter(key="suggestions", version=2).delete()
    Prompt.objects.filter(key="suggestions", version=1).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [("ai_middleware", "0002_seed_prompts_prices_objections")]

    operations = [migrations.RunPython(forward, backward)]
