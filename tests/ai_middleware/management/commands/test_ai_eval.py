"""The ai_eval command: the local engine's group-aware evaluation, printed as JSON."""

import json

import pytest
from django.core.management import call_command

from ai_middleware.local import dataset


@pytest.mark.django_db
def test_ai_eval_prints_json_with_each_field_and_the_targets(capsys):
    call_command("ai_eval", "--provider", "local", "--json", "--folds", "2")
    report = json.loads(capsys.readouterr().out)
    split = report["group_split"]
    assert set(split["targets"]) == {"intent_macro_f1", "budget_exact_match", "budget_not_invented"}
    assert set(split["fields"]) >= {"intent", "sentiment", "urgency", "buying_stage", "budget", "city", "objections"}
    assert split["examples"] == len(dataset())  # every message scored once, out of fold
