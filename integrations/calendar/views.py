"""The calendar feeds: GET /calendar/<token>.ics and GET /calendar/cabinets/<id>/<token>.ics. An unknown or
revoked token is a plain 404, never an error page of ours."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from integrations.calendar.services import cabinet_feed, calendar_token_resolve, personal_feed


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def personal(request, token: str):
    now = timezone.now()
    found = calendar_token_resolve(token, cabinet_id=None, now=now)
    if found is None:
        raise Http404("unknown calendar link")
    return _ics(personal_feed(account=found.account, now=now), "bookings.ics")


@require_safe
def cabinet(request, cabinet_id: int, token: str):
    now = timezone.now()
    found = calendar_token_resolve(token, cabinet_id=cabinet_id, now=now)
    if found is None:
        raise Http404("unknown calendar link")
    return _ics(cabinet_feed(token=found, now=now), f"cabinet-{cabinet_id}.ics")
