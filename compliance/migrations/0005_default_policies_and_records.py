from django.db import migrations

POLICIES = [("inactive_leads", 24), ("message_bodies", 12), ("subject_request_exports", 1)]

RECORDS = [
    {
        "name": "Gestão de leads e atendimento comercial",
        "purpose": "Registrar pessoas que demonstraram interesse em imóveis e atendê-las.",
        "legal_basis": "contract",
        "data_categories": "Nome, telefone, e-mail, cidade/UF, orçamento, interesse, histórico de interações; CPF cifrado.",
        "subject_categories": "Interessados (leads) e clientes.",
        "recipients": "Consultores e supervisores da equipe responsável; provedores de infraestrutura.",
        "retention": "24 meses sem interação; depois anonimizado.",
        "security_measures": "CPF cifrado (Fernet) com índice cego; acesso por papel; registro de auditoria encadeado.",
    },
    {
        "name": "Mensagens de marketing por WhatsApp",
        "purpose": "Enviar ofertas de lançamentos e oportunidades de investimento.",
        "legal_basis": "consent",
        "data_categories": "Telefone, nome, interesse, histórico de consentimento.",
        "subject_categories": "Leads que consentiram.",
        "recipients": "Meta Platforms (WhatsApp Cloud API), como operadora.",
        "international_transfer": "Meta Platforms — cláusulas contratuais padrão.",
        "retention": "Enquanto o consentimento vigorar; opt-out imediato e permanente.",
        "security_measures": "Lista de supressão por índice cego; filtros antibanimento; auditoria.",
    },
    {
        "name": "Qualificação e distribuição de leads",
        "purpose": "Pontuar leads e distribuí-los ao consultor mais adequado.",
        "legal_basis": "legitimate_interest",
        "data_categories": "Dados do lead, interações e fatos extraídos das mensagens.",
        "subject_categories": "Leads.",
        "recipients": "Equipe comercial; provedor de IA quando configurado (sem identificadores).",
        "retention": "Acompanha o lead.",
        "legitimate_interest_assessment": "Atender primeiro quem tem mais urgência; explicação por dimensão; sem decisão"
        " automatizada com efeito jurídico.",
    },
    {
        "name": "Segurança e auditoria",
        "purpose": "Registrar acessos e alterações para prevenir fraudes e atender o Art. 46.",
        "legal_basis": "legal_obligation",
        "data_categories": "Usuário, IP, ação, objeto (sem conteúdo pessoal).",
        "subject_categories": "Usuários do sistema.",
        "retention": "5 anos.",
    },
]


def forward(apps, schema_editor):
    policy = apps.get_model("compliance", "RetentionPolicy")
    for category, months in POLICIES:
        policy.objects.get_or_create(category=category, defaults={"months": months})
    activity = apps.get_model("compliance", "ProcessingActivity")
    for record in RECORDS:
        activity.objects.get_or_create(name=record["name"], defaults=record)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0004_subject_rights_retention_records")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
