"""The API's own documents (schema, Swagger, Redoc). The apps' endpoints are composed in booking_site/urls.py."""

from __future__ import annotations

import functools

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.urls import path, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView


class SchemaView(SpectacularAPIView):
    """The OpenAPI document; public, like the docs pages."""


class RedocView(SpectacularRedocView):
    """Redoc from the local sidecar assets, without the stock page's web fonts, so it renders offline."""

    template_name = "api/redoc.html"

    @staticmethod
    def _redoc_standalone() -> str:
        return reverse("api-redoc-bundle")


REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"


# Redoc's side menu draws the Redocly logo from Redocly's CDN; the docs fetch nothing from another site.
REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


EMPTY_IMAGE = "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E"


@functools.cache
def _redoc_bundle() -> bytes:
    with open(finders.find(REDOC_BUNDLE), encoding="utf-8") as bundle:
        return bundle.read().replace(REDOC_CDN_LOGO, EMPTY_IMAGE).encode()


def redoc_bundle(request) -> HttpResponse:
    """The sidecar's Redoc bundle with its one external image replaced by an empty inline one."""
    response = HttpResponse(_redoc_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns = [
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/redoc/redoc.standalone.js", redoc_bundle, name="api-redoc-bundle"),
]
