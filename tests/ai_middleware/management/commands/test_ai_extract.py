"""The ai_extract command: one message read by the local engine, printed as JSON."""

import json

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_ai_extract_prints_the_object_for_one_message(capsys):
    call_command("ai_extract", "--provider", "local", "--text", "qto custa o ap em floripa? tenho uns 600k", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["intent"] == "price_question"
    assert (result["budget_min"], result["budget_max"], result["city"]) == (600000, 600000, "Florianópolis")
