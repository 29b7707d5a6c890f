"""Templates, people and sends the anti-ban tests build (shared by the test modules of each part)."""

from antiban.models import Priority
from antiban.services import outbox_enqueue
from compliance.services.consent import (
    ConsentChannel,
    ConsentPurpose,
    ConsentSource,
    ConsentStatus,
    ConsentText,
    LegalBasis,
    consent_record,
)
from whatsapp import payloads
from whatsapp.models import Template

PEOPLE = [f"+55119876500{i:02d}" for i in range(12)]
OPT_OUT_FOOTER = {"type": "FOOTER", "text": "Responda SAIR para não receber mais mensagens."}


def _template(number, name="lembrete", category="UTILITY", footer=True):
    components = [{"type": "BODY", "text": "Olá {{1}}, sua visita é amanhã."}]
    if footer:
        components.append(OPT_OUT_FOOTER)
    return Template.objects.create(
        account=number.account, name=name, language="pt_BR", category=category, status="APPROVED", components=components
    )


def _utility(contact, template):
    params = {"body": ["Bia"]}
    return outbox_enqueue(
        contact=contact,
        priority=Priority.UTILITY,
        payload=payloads.template_payload(
            contact, name=template.name, language="pt_BR", components=template.components, params=params
        ),
        text=payloads.template_preview(template.components, params),
        template_name=template.name,
    )


def _marketing_consent(contact):
    text = ConsentText.objects.get_or_create(purpose=ConsentPurpose.MARKETING, version=1, defaults={"text": "Aceito"})[
        0
    ]
    consent_record(
        contact=contact,
        kind="phone",
        purpose=ConsentPurpose.MARKETING,
        channel=ConsentChannel.WHATSAPP,
        legal_basis=LegalBasis.CONSENT,
        status=ConsentStatus.GRANTED,
        source=ConsentSource.FORM,
        text=text,
    )
