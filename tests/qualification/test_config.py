"""A scoring definition's errors say what and where; an invalid draft is refused."""

from __future__ import annotations

import pytest

from qualification import services
from qualification.config import ConfigInvalid, default_definition, definition_errors

pytestmark = pytest.mark.django_db


# --- versions -------------------------------------------------------------------------------------------------------
def test_definition_errors_say_what_and_where():
    bad = default_definition()
    bad["indicators"]["budget"]["curve"] = {"type": "saturation", "k": 0}
    bad["indicators"]["messages_in"]["normalize"] = {"type": "map", "values": {"a": 2}}
    bad["classes"] = {"hot": 30, "warm": 50}
    bad["actions"].append({"action": "celebrate"})
    errors = definition_errors(bad)
    assert any(e.startswith("indicators.budget.curve.k:") for e in errors)
    assert any(e.startswith("indicators.messages_in.normalize.values.a:") for e in errors)
    assert any(e.startswith("actions[5].action:") for e in errors)
    assert definition_errors(default_definition()) == []
    draft = services.config_draft_create(actor=None)
    with pytest.raises(ConfigInvalid):
        services.config_draft_update(config=draft, definition=bad)
