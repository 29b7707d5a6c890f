"""Issue #21, Chromium user test — domain rules the pages contradicted: the undo of a "Redistribuir" un-paused a
consultant who was paused before; a stage that needs a reason was enforced on the board only; the lead page of a
consultant's own new lead said it was in nobody's queue; the supervisor's "aguardando a roleta" counts disagreed and
a supervisor's move ate the receiver's daily cap; an out-of-range page of the lead list was empty."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from assignment.models import ConsultantProfile, OwnerMove
from leads.models import Lead

pytestmark = pytest.mark.django_db


def _profiles():
    call_command("reconcile_assignment", stdout=StringIO())  # as beat does: every consultant has a profile


def test_undoing_a_rebalance_leaves_a_paused_consultant_paused(
    world, login, celery_eager, django_capture_on_commit_callbacks
):
    """Desfazer restores the consultant's availability as it was before the move: paused stays paused (with the
    supervisor's reason); a consultant who was available is available again."""
    _profiles()
    ana, bruno, sup = world["ana"], world["bruno"], login(world["sup_a"])
    sup.post(f"/supervisor/consultants/{ana.pk}/pause/", {"paused": "1", "reason": "férias"})
    assert ConsultantProfile.objects.get(user=ana).is_paused

    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/supervisor/consultants/{ana.pk}/rebalance/")
    move = OwnerMove.objects.get(kind="rebalance", consultant=ana)
    assert move.finished_at is not None and not Lead.objects.filter(owner=ana).exists()
    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/atribuicao/desfazer/{move.pk}/")
    assert Lead.objects.filter(owner=ana).count() == 2  # the leads came back…
    profile = ConsultantProfile.objects.get(user=ana)
    assert profile.is_paused and profile.paused_reason == "férias"  # …and she is still on holiday

    # Bruno was working: rebalanced, then undone, he is available again.
    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/supervisor/consultants/{bruno.pk}/rebalance/")
    move = OwnerMove.objects.get(kind="rebalance", consultant=bruno)
    assert ConsultantProfile.objects.get(user=bruno).is_paused
    with django_capture_on_commit_callbacks(execute=True):
        sup.post(f"/atribuicao/desfazer/{move.pk}/")
    assert not ConsultantProfile.objects.get(user=bruno).is_paused
