"""Domain signals of compliance: what it tells the apps above without importing them. The table of every signal,
its senders and receivers is docs/events.md (``python manage.py events_table``)."""

from django.dispatch import Signal

# A contact went on the do-not-contact list for the first time (a new SuppressionEntry).
# kwargs: entry (SuppressionEntry), contact (the normalized phone or e-mail), kind ("phone" | "email").
# Sent on commit, by compliance.services.consent.suppression_add. The e-mail side confirms once
# (compliance.receivers._confirm_email_opt_out, then suppression_confirmation_mark); WhatsApp's belongs to the gateway.
contact_suppressed = Signal()

# A data-subject request's verification code was issued, for channels Fluxo does not send through itself.
# kwargs: request (SubjectRequest), code (str, the plain code: never log it).
# Sent NOT on commit, inside the request's transaction, by compliance.services.subject_requests._deliver_code
# (after the e-mail, when the contact is an e-mail); a receiver that raises is audited as "code not sent".
verification_code_issued = Signal()
