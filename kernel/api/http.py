"""The API's HTTP edges: CORS for browser callers, the request language, and the JSON 404."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from kernel.api.errors import error_body

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, X-API-Key, X-API-Extra, Idempotency-Key, X-Request-ID",
    "Access-Control-Expose-Headers": "X-Request-ID, Retry-After, Idempotent-Replayed",
    "Access-Control-Max-Age": "86400",
}


class ApiCorsMiddleware:
    """CORS for /api/: any origin may call it; preflights are answered here, before any authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        else:
            response = self.get_response(request)
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response


class ApiLanguageMiddleware:
    """Partner systems get English error messages unless they ask for another language with
    Accept-Language (the bots and the admin default to the clinic's LANGUAGE_CODE instead)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and not request.headers.get("Accept-Language"):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)


@csrf_exempt  # a key-authenticated API: an unknown path is a JSON 404 whatever the method, never a CSRF page
def api_not_found(request, *args, **kwargs):
    return JsonResponse(error_body(message=_("No such endpoint."), code="not_found"), status=404)
