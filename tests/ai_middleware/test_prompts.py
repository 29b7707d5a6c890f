"""The prompt library: inheritance, variants by weight, variables schema."""

from collections import Counter

import pytest

from ai_middleware.errors import PromptError
from ai_middleware.models import Prompt
from ai_middleware.prompts import prompt_active, prompt_messages, prompt_system

pytestmark = pytest.mark.django_db


def test_the_system_text_is_the_parent_chain_root_first_and_identical_across_calls():
    prompt = Prompt.objects.get(key="extraction", variant="A")
    one = prompt_messages(prompt, {"context": {"language": "pt-BR"}, "message": "oi"})
    two = prompt_messages(prompt, {"context": {"stage": "new"}, "message": "qto custa?"})
    assert one[0]["content"] == two[0]["content"] == prompt_system(prompt)
    assert one[0]["content"].startswith(Prompt.objects.get(key="base").system.strip())
    assert one[0]["content"].endswith(prompt.system.strip())
    assert '"""qto custa?"""' in two[1]["content"]


def test_variants_are_drawn_by_weight_and_stay_stable_per_lead():
    Prompt.objects.filter(key="suggestions", variant="B").update(weight=300)  # A 50, B 300
    draws = Counter(prompt_active("suggestions", seed=lead_id).variant for lead_id in range(2000))
    assert 0.80 < draws["B"] / 2000 < 0.92
    assert {prompt_active("suggestions", seed=7).pk for _ in range(20)} == {prompt_active("suggestions", seed=7).pk}


def test_inactive_prompts_are_never_drawn_and_no_active_prompt_is_a_clear_error():
    Prompt.objects.filter(key="suggestions", variant="A").update(is_active=False)
    assert {prompt_active("suggestions", seed=n).variant for n in range(200)} == {"B"}
    Prompt.objects.filter(key="suggestions").update(is_active=False)
    with pytest.raises(PromptError, match="suggestions") as failure:
        prompt_active("suggestions")
    assert failure.value.code == "ai_prompt_error"


def test_variables_are_checked_against_the_schema():
    prompt = Prompt.objects.get(key="extraction")
    with pytest.raises(PromptError, match=r"\bmessage\b"):
        prompt_messages(prompt, {"context": {}})
    with pytest.raises(PromptError, match=r"context.*object"):
        prompt_messages(prompt, {"context": "texto", "message": "oi"})
    child = Prompt.objects.create(key="custom", parent=prompt, template="{message} {secret}", variables={"message": {}})
    with pytest.raises(PromptError, match=": secret"):
        prompt_messages(child, {"message": "oi"})
