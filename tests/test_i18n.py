"""pt-BR is the default language and its catalogue is complete and compiled."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "pt_BR" / "LC_MESSAGES"


def test_pt_br_catalogue_has_every_string_translated_and_compiled():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries() + po.fuzzy_entries()]
    assert untranslated == [], "translate these in locale/pt_BR, then run compilemessages"
    mo = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(CATALOGUE / "django.mo"))}
    stale = [e.msgid for e in po.translated_entries() if mo.get((e.msgctxt, e.msgid)) != (e.msgstr or e.msgstr_plural)]
    assert stale == [], "django.mo is out of date: run `manage.py compilemessages -l pt_BR --ignore .venv`"


@pytest.mark.django_db
def test_pages_speak_portuguese_by_default_and_english_on_request(client):
    assert "Entrar no Fluxo" in client.get("/accounts/login/").content.decode()
    english = client.get("/accounts/login/", headers={"Accept-Language": "en"}).content.decode()
    assert "Log in to Fluxo" in english
