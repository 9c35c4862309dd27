"""The API docs pages in a real browser fetch nothing from another site (Redoc's stock bundle draws the
Redocly logo from its CDN)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("path", "rendered"), [("/api/redoc/", "text=API docs by Redocly"),
                                                ("/api/docs/", ".swagger-ui .info")])
def test_the_docs_pages_render_from_this_site_alone(page, live_server, path, rendered):
    hosts = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).netloc)
            if urlsplit(request.url).scheme not in ("data", "blob") else None)
    page.goto(live_server.url + path)
    page.wait_for_selector(rendered)
    page.wait_for_load_state("networkidle")
    assert hosts and set(hosts) == {urlsplit(live_server.url).netloc}, hosts
