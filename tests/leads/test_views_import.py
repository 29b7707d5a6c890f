"""The supervisor's import flow in the browser's terms: upload, check columns, watch progress, review duplicates."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads.models import DuplicateReview, ImportJob, ImportStatus, Lead, ReviewStatus

CSV = "Nome;Zap;E-mail\nJosé Lima;21999991111;jose@lima.com\nAna Lima;21999991111;ana@lima.com\nBruno;123;\n"


@pytest.mark.django_db(transaction=True)
def test_upload_map_run_on_the_worker_and_review(client, world):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    client.force_login(world["sup_a"])
    upload = SimpleUploadedFile("feira.csv", CSV.encode(), content_type="text/csv")
    response = client.post(reverse("leads:import_upload"), {"file": upload, "source_name": "Feira"})
    job = ImportJob.objects.get()
    assert response.url == reverse("leads:import_detail", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert 'name="map::Zap"' in page  # "Zap" is not a known header: the supervisor maps it

    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        client.post(response.url, {"map::Nome": "full_name", "map::Zap": "phone", "map::E-mail": "email"})
        deadline = time.monotonic() + 30
        while ImportJob.objects.get().status != ImportStatus.DONE and time.monotonic() < deadline:
            time.sleep(0.2)

    job.refresh_from_db()
    assert (job.status, job.created, job.review, job.rejected) == (ImportStatus.DONE, 1, 1, 1)
    progress = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "3 / 3" in progress and "<html" not in progress
    assert client.get(reverse("leads:import_report", args=[job.pk])).status_code == 200

    review = DuplicateReview.objects.get()
    queue = client.get(reverse("leads:review_queue")).content.decode()
    assert "Ana Lima" in queue and "José Lima" in queue
    decided = client.post(
        reverse("leads:review_decide", args=[review.pk]), {"decision": "merge"}, headers={"HX-Request": "true"}
    )
    assert decided.status_code == 200
    review.refresh_from_db()
    assert review.status == ReviewStatus.MERGED
    assert Lead.objects.get(full_name="Ana Lima").merged_into.full_name == "José Lima"


@pytest.mark.django_db
def test_consultants_cannot_import_or_review(client, world):
    client.force_login(world["ana"])
    assert client.get(reverse("leads:import_upload")).status_code == 404
    assert client.get(reverse("leads:review_queue")).status_code == 404


@pytest.mark.django_db
def test_a_bad_upload_says_why(client, world):
    client.force_login(world["sup_a"])
    picture = SimpleUploadedFile("leads.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    page = client.post(reverse("leads:import_upload"), {"file": picture, "source_name": "X"}).content.decode()
    assert 'role="alert"' in page and "png" in page
    assert not ImportJob.objects.exists()
