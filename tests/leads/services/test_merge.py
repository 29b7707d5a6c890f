"""The review queue (merge / keep separate) and undoing merges, from the timeline's point of view."""

from pathlib import Path

import pytest

from leads.ingest.pipeline import import_job_create, import_job_run
from leads.models import DuplicateReview, EventKind, Lead, LeadEvent, LeadMerge, LeadSource, ReviewStatus
from leads.selectors import lead_list
from leads.services.merge import MergeError, lead_merge_undo, review_decide
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _import(tmp_path, text: str):
    source = LeadSource.objects.get_or_create(name="Planilha", defaults={"kind": "manual_import"})[0]
    path = Path(tmp_path / "f.csv")
    path.write_text(text, encoding="utf-8")
    return import_job_run(
        job_id=import_job_create(path=path, original_name="f.csv", source=source, allow_repeat=True).pk
    )


def test_merging_a_reviewed_pair_and_undoing_it(tmp_path):
    from compliance.roles import Role

    boss = UserFactory(username="boss", role=Role.ADMIN)
    _import(tmp_path, "Nome;Celular;Email\nJosé Lima;21999991111;jose@lima.com\nAna Lima;21999991111;ana@lima.com\n")
    review = DuplicateReview.objects.get()
    jose, ana = review.lead, review.candidate

    review_decide(review=review, actor=boss, merge=True)

    ana.refresh_from_db()
    assert ana.merged_into == jose
    assert set(jose.contact_points.values_list("value", flat=True)) == {
        "+5521999991111",
        "jose@lima.com",
        "ana@lima.com",
    }
    assert ana.pk not in {lead.pk for lead in lead_list(user=boss)}
    assert LeadEvent.objects.filter(lead=jose, kind=EventKind.MERGED).exists()
    with pytest.raises(MergeError):
        review_decide(review=review, actor=boss, merge=False)

    restored = lead_merge_undo(merge=LeadMerge.objects.get(merged_lead_id=ana.pk), actor=boss)

    assert restored.pk == ana.pk
    ana.refresh_from_db()
    assert ana.merged_into is None
    assert set(ana.contact_points.values_list("value", flat=True)) == {"+5521999991111", "ana@lima.com"}
    assert LeadEvent.objects.filter(lead=jose, kind=EventKind.CORRECTION, payload__restored_lead=ana.pk).exists()


def test_keeping_a_pair_separate(tmp_path):
    _import(tmp_path, "Nome;Celular\nJosé Lima;21999991111\nAna Lima;21999991111\n")
    review = review_decide(review=DuplicateReview.objects.get(), actor=None, merge=False)
    assert review.status == ReviewStatus.KEPT_SEPARATE
    assert Lead.objects.filter(merged_into__isnull=True).count() == 2


def test_undoing_an_imported_row_merge_gives_the_row_its_own_lead(tmp_path):
    _import(tmp_path, "Nome;Celular;Email\nMaria Souza;11988887777;\nMaria Souza;11988887777;maria@souza.com\n")
    maria = Lead.objects.get()
    assert maria.recurrence_count == 2
    merge = LeadMerge.objects.get(into=maria)

    restored = lead_merge_undo(merge=merge, actor=None)

    maria.refresh_from_db()
    assert maria.recurrence_count == 1
    assert list(maria.contact_points.values_list("value", flat=True)) == ["+5511988887777"]
    assert list(restored.contact_points.values_list("value", flat=True)) == ["maria@souza.com"]
    with pytest.raises(MergeError):
        lead_merge_undo(merge=merge, actor=None)


def test_a_row_that_links_two_existing_leads_merges_them(tmp_path):
    from leads.services import lead_create

    source = LeadSource.objects.create(name="Base", kind="historical")
    by_phone = lead_create(actor=None, source=source, full_name="Maria Souza", phones=["11988887777"])
    by_email = lead_create(actor=None, source=source, full_name="Maria Souza", emails=["maria@souza.com"])

    job = _import(tmp_path, "Nome;Celular;Email\nMaria Souza;11988887777;maria@souza.com\n")

    assert job.merged == 1
    by_email.refresh_from_db()
    assert by_email.merged_into_id == by_phone.pk
    assert set(by_phone.contact_points.values_list("value", flat=True)) == {"+5511988887777", "maria@souza.com"}
