"""Partner API authentication: the key in the Authorization header, scopes, and the partner as the request's user."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from accounts.models import Partner
from accounts.services import partner_authenticate

READ_ITEMS = Partner.Scope.READ_ITEMS.value


READ_AVAILABILITY = Partner.Scope.READ_AVAILABILITY.value


WRITE_BOOKINGS = Partner.Scope.WRITE_BOOKINGS.value


LAST_USED_RESOLUTION = timedelta(minutes=1)


QUERY_KEY_NAMES = frozenset({"api_key", "apikey", "api-key", "key", "x-api-key", "x_api_key", "x-api-extra",
                             "api_extra", "access_token", "token"})


_KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{12,128}$")


class KeyInQueryString(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Send the API key in the X-API-Key header, never in the URL.")
    default_code = "api_key_in_query"


class MissingScope(exceptions.PermissionDenied):
    default_code = "missing_scope"

    def __init__(self, scope: str):
        super().__init__(_("This API key lacks the %(scope)s scope.") % {"scope": scope})
        self.details = {"required_scope": scope}


class PartnerPrincipal:
    """What request.user is for a partner: authenticated, never staff."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_active = True
    pk = None

    def __init__(self, partner: Partner):
        self.partner = partner

    def __str__(self) -> str:
        return f"partner:{self.partner.name}"


def partner_touch(partner: Partner, now: datetime) -> None:
    """Record when the key was last used, at most once a minute, so reads stay reads."""
    if partner.last_used_at is None or now - partner.last_used_at >= LAST_USED_RESOLUTION:
        Partner.objects.filter(pk=partner.pk).update(last_used_at=now)
        partner.last_used_at = now


def partner_for_key(key: str, extra: str, *, now: datetime) -> Partner | None:
    """The active partner of an X-API-Key (and its X-API-Extra), its last use recorded; None when not valid.
    The REST API and the gRPC service check keys here."""
    key = key.strip()
    if not _KEY_SHAPE.match(key):
        return None
    partner = partner_authenticate(key=key, extra=extra.strip())
    if partner is not None:
        partner_touch(partner, now)
    return partner


class PartnerKeyAuthentication(BaseAuthentication):
    """X-API-Key (plus X-API-Extra for partners that have an extra secret)."""

    def authenticate(self, request):
        key = request.headers.get("X-API-Key", "").strip()
        if not key:
            return None
        partner = partner_for_key(key, request.headers.get("X-API-Extra", ""), now=timezone.now())
        if partner is None:
            raise exceptions.AuthenticationFailed(_("Invalid API key."), code="invalid_api_key")
        return PartnerPrincipal(partner), partner

    def authenticate_header(self, request) -> str:
        return 'ApiKey realm="partner-api", header="X-API-Key"'


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "kernel.api.auth.PartnerKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-API-Key",
                "description": "The partner's key, shown once when it is created. Partners that were given an "
                               "extra secret also send it in the X-API-Extra header."}


class HasScope(BasePermission):
    """The key carries the view's `required_scope`. No key is 401, a key without the scope is 403."""

    def has_permission(self, request, view) -> bool:
        partner = request.auth
        if not isinstance(partner, Partner):
            return False
        if not partner.has_scope(view.required_scope):
            raise MissingScope(view.required_scope)
        return True
