"""The OpenAPI document is public, valid, committed, and its docs pages work offline."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_the_committed_schema_matches_the_code():
    """When this fails, run `make schema` and commit docs/openapi.yaml, so the change shows in review."""
    generated = io.StringIO()
    call_command("spectacular", "--lang", "en", "--validate", "--fail-on-warn", stdout=generated)
    assert generated.getvalue() == COMMITTED.read_text(encoding="utf-8")


def test_the_schema_is_served_without_a_key():
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "openapi: 3" in text and "/api/book-device" in text and "ApiKeyAuth" in text


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_reference_no_external_url(path):
    response = Client().get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page, flags=re.I) == []
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(asset.startswith("/") for asset in assets)
    for asset in assets:
        if asset.startswith("/static/"):
            assert Client().get(asset).status_code == 200, asset


def test_swagger_ui_calls_no_validator_service():
    page = Client().get("/api/docs/").content.decode()
    assert '"validatorUrl": null' in page


def test_every_component_is_named_once():
    """COMPONENT_SPLIT_REQUEST adds "Request" to request components; a `…Request` serializer keeps one."""
    import yaml

    names = set(yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))["components"]["schemas"])
    assert {"BookDeviceRequest", "EquipmentBookingRequest", "CabinetBookingRequest"} <= names
    assert [name for name in names if "RequestRequest" in name] == []


class _Assets(HTMLParser):
    """Every src and href of script, link and img tags."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img"):
            self.urls += [value for name, value in attrs if name in ("src", "href") and value]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_and_what_they_load_fetch_nothing_from_another_site(path):
    parser = _Assets()
    parser.feed(Client().get(path).content.decode())
    assert parser.urls and [url for url in parser.urls if urlsplit(url).scheme or urlsplit(url).netloc] == []
    for url in parser.urls:
        response = Client().get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        # An image, script or stylesheet the page would draw from elsewhere (links people click are fine).
        assert re.findall(rb'\bsrc:\s*"(?:https?:)?//|url\(\s*["\']?(?:https?:)?//', body) == [], url
