"""The booking page opens inside Telegram's web clients, which show a Mini App in an iframe: /app/ may be
framed by them and by nobody else, and every other page still refuses any frame."""

import pytest

pytestmark = pytest.mark.django_db

TELEGRAM_ONLY = ("frame-ancestors https://web.telegram.org https://webk.telegram.org https://weba.telegram.org "
                 "https://webz.telegram.org")


@pytest.mark.parametrize("path", ["/app/", "/app/?lang=en"])
def test_the_booking_page_may_be_framed_by_telegram_web_clients_only(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == TELEGRAM_ONLY
    assert "X-Frame-Options" not in response


@pytest.mark.parametrize("path", ["/app/api/catalogue", "/admin/login/", "/healthz"])
def test_every_other_page_refuses_any_frame(client, path):
    response = client.get(path)

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors" not in response.get("Content-Security-Policy", "")
