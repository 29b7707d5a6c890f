"""Records of processing are data, listed in the admin."""

import pytest
from django.urls import reverse

from compliance.models import ProcessingActivity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_records_of_processing_are_kept_as_data_and_listed_in_the_admin(client):
    assert ProcessingActivity.objects.filter(legal_basis="consent").exists()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:compliance_processingactivity_changelist"))
    assert page.status_code == 200
    assert "Mensagens de marketing por WhatsApp" in page.content.decode()
