"""Subscriptions to the gateway's domain signals (connected in AntibanConfig.ready)."""

from antiban.health import number_react_to_message, number_react_to_quality
from antiban.services import outbox_reconcile


def on_message_status_changed(sender, *, message, **kwargs):
    number_react_to_message(message=message)


def on_number_quality_changed(sender, *, number, event="", previous="", **kwargs):
    number_react_to_quality(number=number, event=event, previous=previous)


def on_status_for_unsaved_send(sender, *, status, **kwargs) -> bool:
    return outbox_reconcile(status=status)
