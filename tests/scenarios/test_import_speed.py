"""Issue #21 ("numbers that contradict each other"): the import page said "5 linhas/s" for a 2,030-row file done in
under a second. A supervisor uploads a file through the import page (real HTTP, the mapping step, the import task)
and opens the page again an hour later: the speed is the file's rows over the import's real elapsed time, not over
the time since it started."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import F

from leads.models import ImportJob, ImportStatus
from tests.factories import supervisor
from tests.scenarios.test_import_names import _csv, _upload

ROWS = [[f"Pessoa {i}", f"(11) 99222-{i:04d}", f"pessoa{i}@exemplo.com.br"] for i in range(40)]


@pytest.mark.django_db
def test_the_import_speed_is_rows_over_the_real_elapsed_time(login, celery_eager):
    browser = login(supervisor(username="sup_speed"))
    job = _upload(browser, "feira.csv", _csv(ROWS))
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ImportStatus.DONE, 40)

    # The supervisor comes back an hour later: the import's own times are an hour in the past.
    ImportJob.objects.filter(pk=job.pk).update(
        started_at=F("started_at") - timedelta(hours=1), finished_at=F("finished_at") - timedelta(hours=1)
    )
    job.refresh_from_db()
    elapsed = (job.finished_at - job.started_at).total_seconds()
    page = browser.get(f"/leads/imports/{job.pk}/").content.decode()

    shown = re.search(r"· ([\d.]+) linhas/s", page)  # pt-BR thousands: "2.500 linhas/s"
    assert shown is not None, page
    rate = int(shown.group(1).replace(".", ""))
    assert rate == round(40 / elapsed)
    assert rate > 1  # not 40 rows over the hour since it started (0.01 rows/s)
