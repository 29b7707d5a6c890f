"""Issue #19, break 7 — "Deadlock on an ordinary stage change": consultants move leads through the pipeline over HTTP
while tasks take their locks in the other order (an audited write first, then the lead's row), and nobody gets a 500
or a deadlock; afterwards the sealer chains the audit log and ``manage.py audit_verify`` passes, and an edited,
deleted or inserted entry is named by ``audit_verify`` (README: "Audit log: append-only (PostgreSQL trigger),
hash-chained … manage.py audit_verify")."""

from __future__ import annotations

import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from compliance.models import AuditEntry
from compliance.services.audit import audit_change, audit_record
from compliance.tasks import audit_seal_task
from leads.services import lead_lock

DEADLINE_S = 60
STAGES = ("contacted", "qualified")


def _until(condition, *, deadline_s: float = DEADLINE_S) -> bool:
    """Poll ``condition`` until it holds or the deadline passes (no fixed sleep: it returns as soon as it holds)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if condition():
            return True
        threading.Event().wait(0.01)
    return False


def _backends_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _browser(login, user):
    """A logged-in browser that shows the server's answer (a 500 included) instead of raising in the test."""
    browser = login(user)
    browser.raise_request_exception = False
    return browser


def _task_path(lead_id: int) -> None:
    """What a task does: an audited write first, then the lead's row lock, in one transaction."""
    with transaction.atomic():
        audit_record(action="task.step", category="system", object_type="leads.lead", object_id=lead_id)
        lead_lock(lead_id=lead_id)
        audit_record(action="task.locked", category="system", object_type="leads.lead", object_id=lead_id)


@pytest.mark.django_db(transaction=True)
def test_a_stage_change_while_a_task_holds_an_audited_write_and_wants_the_lead_answers_without_deadlock(world, login):
    """The issue's interleaving, forced: the task has written an audit entry and is still in its transaction; the
    consultant changes the lead's stage (the request locks the lead and writes audit entries); only then does the
    task lock the lead. Before the fix the request waited on the audit chain's lock the task held while the task
    waited on the lead: PostgreSQL killed one (``DeadlockDetected … advisory lock``, a 500). Now the request
    answers at once and the task then gets its lock."""
    lead = world["leads"]["ana"][0]
    browser = _browser(login, world["ana"])
    audited, proceed, answered = threading.Event(), threading.Event(), threading.Event()
    outcome: dict = {}

    def task() -> None:
        try:
            with transaction.atomic():
                audit_change(action="task.step", obj=lead)
                audited.set()
                proceed.wait(DEADLINE_S)
                outcome["locked"] = lead_lock(lead_id=lead.pk).pk
        except Exception as exc:  # a deadlock would surface here or as the request's 500
            outcome["task_error"] = exc
        finally:
            connection.close()

    def stage_change() -> None:
        try:
            response = browser.post(f"/leads/{lead.pk}/stage/", {"stage": "contacted", "reason": "ligou de volta"})
            outcome["status"] = response.status_code
        finally:
            answered.set()
            connection.close()

    worker = threading.Thread(target=task)
    worker.start()
    assert audited.wait(DEADLINE_S)
    request = threading.Thread(target=stage_change)
    request.start()
    # The task goes on once the request has answered, or is stuck waiting on a lock (the old design).
    assert _until(lambda: answered.is_set() or _backends_waiting_on_a_lock() > 0)
    proceed.set()
    request.join(DEADLINE_S)
    worker.join(DEADLINE_S)

    assert "task_error" not in outcome, outcome.get("task_error")
    assert outcome["status"] == 302
    assert outcome["locked"] == lead.pk
    lead.refresh_from_db()
    assert lead.stage == "contacted"


@pytest.mark.django_db(transaction=True)
def test_many_consultants_change_stages_and_read_leads_while_tasks_lock_in_the_other_order(world, login):
    """Consultants and supervisors of both teams change stages and open lead 360° pages concurrently (each browser
    on its own thread and database connection), while task-like threads take an audited write then the same leads'
    rows and seal the log as the worker does after commit. Every answer is a redirect or a page (no 500), no task
    fails, every read and change is in the log, and once sealed ``audit_verify`` passes with every entry chained."""
    people = ["ana", "bruno", "carla", "diego", "sup_a", "sup_b"]
    browsers = {name: _browser(login, world[name]) for name in people}
    team_leads = {
        "sup_a": world["leads"]["ana"] + world["leads"]["bruno"],
        "sup_b": world["leads"]["carla"] + world["leads"]["diego"],
    }
    rounds = 4
    statuses: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(people) + 2)

    def person(name: str) -> None:
        try:
            leads = team_leads.get(name) or world["leads"][name]
            start.wait(DEADLINE_S)
            for i in range(rounds):
                for lead in leads:
                    browser = browsers[name]
                    statuses.append(browser.get(f"/leads/{lead.pk}/").status_code)
                    stage = STAGES[(i + lead.pk) % 2]
                    statuses.append(browser.post(f"/leads/{lead.pk}/stage/", {"stage": stage}).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    every_lead = [lead for leads in world["leads"].values() for lead in leads]

    def task(order: list) -> None:
        try:
            start.wait(DEADLINE_S)
            for _ in range(rounds):
                for lead in order:
                    _task_path(lead.pk)
                    audit_seal_task()  # what the on-commit kick has a worker do
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=person, args=(name,)) for name in people]
    threads += [threading.Thread(target=task, args=(order,)) for order in (every_lead, every_lead[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE_S * 3)

    assert errors == []
    reads = sum(len(team_leads.get(name) or world["leads"][name]) for name in people) * rounds
    assert len(statuses) == 2 * reads
    assert set(statuses) <= {200, 302}, sorted(set(statuses))
    assert AuditEntry.objects.filter(action="lead.viewed").count() == reads
    assert AuditEntry.objects.filter(action="task.locked").count() == 2 * rounds * len(every_lead)

    call_command("audit_seal", stdout=StringIO())
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert '"ok": true' in out.getvalue()
    assert '"unsealed": 0' in out.getvalue()
    assert AuditEntry.objects.filter(seal_seq__isnull=True).count() == 0


def _sealed_log(login, world) -> list[AuditEntry]:
    """A log as production leaves it: a consultant's stage changes and reads over HTTP, then the sealer's pass."""
    browser = login(world["ana"])
    for lead in world["leads"]["ana"]:
        browser.get(f"/leads/{lead.pk}/")
        browser.post(f"/leads/{lead.pk}/stage/", {"stage": "contacted"})
    call_command("audit_seal", stdout=StringIO())
    call_command("audit_verify", stdout=StringIO())  # intact
    return list(AuditEntry.objects.order_by("seal_seq"))


def _tamper(sql: str, params) -> None:
    """A DBA-level attacker: disables the append-only trigger, edits, re-enables."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE compliance_auditentry DISABLE TRIGGER compliance_auditentry_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE compliance_auditentry ENABLE TRIGGER compliance_auditentry_append_only")


@pytest.mark.django_db
def test_audit_verify_names_an_edited_entry(login, world):
    """Someone rewrites who read a lead: audit_verify exits 1 naming that entry as edited."""
    entries = _sealed_log(login, world)
    read = next(e for e in entries if e.action == "lead.viewed")
    _tamper("UPDATE compliance_auditentry SET actor_label = 'ninguem' WHERE id = %s", [read.pk])
    with pytest.raises(CommandError, match=rf"#{read.pk}: content does not match its hash: the entry was edited"):
        call_command("audit_verify", stdout=StringIO())


@pytest.mark.django_db
def test_audit_verify_names_the_entry_after_a_deleted_one(login, world):
    """Someone deletes the record of a read: the entry sealed after it no longer links, and audit_verify names it
    (a deleted sealed entry is not mistaken for a rolled-back id)."""
    entries = _sealed_log(login, world)
    index = next(i for i, e in enumerate(entries) if e.action == "lead.viewed")
    _tamper("DELETE FROM compliance_auditentry WHERE id = %s", [entries[index].pk])
    with pytest.raises(CommandError, match=rf"#{entries[index + 1].pk}: link broken"):
        call_command("audit_verify", stdout=StringIO())


@pytest.mark.django_db
def test_audit_verify_names_an_inserted_entry(login, world):
    """Someone inserts an entry by hand: audit_verify names it, before and after the sealer has chained it."""
    _sealed_log(login, world)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO compliance_auditentry (occurred_at, category, action, object_type, object_id, details,"
            " prev_hash, actor_label) VALUES (now(), 'system', 'forged', '', '', '{}', '', 'x') RETURNING id"
        )
        forged = cursor.fetchone()[0]
    with pytest.raises(CommandError, match=rf"#{forged}: content does not match its hash"):
        call_command("audit_verify", stdout=StringIO())
    # Sealing it does not launder it: the sealer chains it, verify still names it.
    call_command("audit_seal", stdout=StringIO())
    with pytest.raises(CommandError, match=rf"#{forged}: content does not match its hash"):
        call_command("audit_verify", stdout=StringIO())


@pytest.mark.django_db
def test_audit_verify_names_an_inserted_entry_that_claims_a_place_in_the_chain(login, world):
    """A copy of the newest entry inserted by hand, claiming the next place in the chain with a made-up seal: the
    attacker has no key, so audit_verify names it."""
    last = _sealed_log(login, world)[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO compliance_auditentry (occurred_at, actor_id, actor_label, category, action, object_type,"
            " object_id, ip_address, details, content_hash, seal_seq, prev_id, prev_hash, hash)"
            " SELECT occurred_at, actor_id, actor_label, category, action, object_type, object_id, ip_address,"
            " details, content_hash, seal_seq + 1, id, hash, %s FROM compliance_auditentry WHERE id = %s RETURNING id",
            ["f" * 64, last.pk],
        )
        forged = cursor.fetchone()[0]
    with pytest.raises(CommandError, match=rf"#{forged}: seal does not match"):
        call_command("audit_verify", stdout=StringIO())


@pytest.mark.django_db
def test_audit_verify_reports_unsealed_entries_and_rolled_back_gaps(login, world, settings):
    """Entries not sealed yet are reported (with a warning once they are older than AUDIT_SEAL_STALE_MINUTES: the
    sealer is not running), and ids of a transaction that rolled back are reported as gaps, not as tampering."""
    browser = login(world["ana"])
    lead = world["leads"]["ana"][0]
    browser.get(f"/leads/{lead.pk}/")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="task.step", category="system")
        raise RuntimeError("the task failed: its transaction rolls back")
    browser.get(f"/leads/{lead.pk}/")
    settings.AUDIT_SEAL_STALE_MINUTES = 0  # every unsealed entry counts as stale
    out, err = StringIO(), StringIO()
    call_command("audit_verify", stdout=out, stderr=err)
    assert '"ok": true' in out.getvalue()
    assert '"gap_ids": 1' in out.getvalue()
    assert "unsealed after 0 minutes" in err.getvalue()
    assert "manage.py audit_seal" in err.getvalue()

    call_command("audit_seal", stdout=StringIO())
    out, err = StringIO(), StringIO()
    call_command("audit_verify", stdout=out, stderr=err)
    assert '"unsealed": 0' in out.getvalue()
    assert '"gap_ids": 1' in out.getvalue()
    assert err.getvalue() == ""
