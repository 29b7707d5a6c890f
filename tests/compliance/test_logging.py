"""Personal data kept out of logs."""

import logging

from django.conf import settings

from compliance.logging import PIIRedactingFilter, redact


def test_personal_data_is_masked_in_log_records():
    text = "lead maria.silva@example.com cpf 529.982.247-25 phone +5511988887777 and (11) 98888-7777 id=42"
    assert redact(text) == "lead <email> cpf <cpf> phone <phone> and <phone> id=42"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent to %s", ("+5511988887777",), None)
    PIIRedactingFilter().filter(record)
    assert record.getMessage() == "sent to <phone>"
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["pii"]
