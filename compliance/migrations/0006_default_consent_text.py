from django.db import migrations

TEXT = (
    "Aceito receber ofertas e novidades por WhatsApp e e-mail. Posso cancelar a qualquer momento respondendo SAIR "
    "ou pela página /privacidade/."
)


def forward(apps, schema_editor):
    apps.get_model("compliance", "ConsentText").objects.get_or_create(
        purpose="marketing", version=1, defaults={"text": TEXT}
    )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0005_default_policies_and_records")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
