from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, credentials=None, *args, **kwargs):
    """django-axes calls this for a locked-out attempt: JSON for the API, a page for people. 429 either way."""
    hours = settings.AXES_COOLOFF_TIME
    minutes = int(hours * 60)
    message = _("Too many failed attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": message, "details": {}}, status=429)
    return render(request, "compliance/locked_out.html", {"message": message}, status=429)
