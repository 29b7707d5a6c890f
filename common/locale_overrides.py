"""Messages of Django and third-party apps that Fluxo translates itself (locale/pt_BR), kept here so
``makemessages`` keeps them in the catalogue.

* The admin's save/delete messages: Django's pt_BR says "O {name} … foi alterado", masculine whatever the model
  ("O origem de leads … foi alterado"); ours are worded without gender.
* django-axes ships no pt_BR: its model names.
"""

from django.utils.translation import gettext_noop

ADMIN_MESSAGES = (
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
)

AXES_MODELS = (
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)
