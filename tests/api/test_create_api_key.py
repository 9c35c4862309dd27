"""manage.py create_api_key: the key alone on stdout, shown once, stored as a hash."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Partner
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_only_the_key_and_the_key_works(frozen):
    out, err = run("Hospital IS", "--scopes", "read:items,read:availability", "--rate-limit", "30")
    key = out.strip()
    assert out == key + "\n" and len(key) >= 22  # 32 random bytes, URL-safe
    assert "Hospital IS" in err and key not in err
    partner = Partner.objects.get(name="Hospital IS")
    assert partner.scopes == ["read:availability", "read:items"] and partner.rate_limit_per_minute == 30
    assert key not in (partner.key_hash, partner.key_prefix)
    assert ApiClient(key).get("/api/v1/items").status_code == 200
    assert ApiClient(key).post("/api/book-device", {}).status_code == 403


def test_an_extra_secret_is_required_afterwards(frozen):
    key = run("Old CRM", "--scopes", "read:items", "--extra", "s3cret")[0].strip()
    assert ApiClient(key).get("/api/v1/items").status_code == 401
    assert ApiClient(key, **{"X-API-Extra": "s3cret"}).get("/api/v1/items").status_code == 200


@pytest.mark.parametrize("args", [
    ("X", "--scopes", "read:everything"),
    ("X", "--scopes", ","),
    ("X", "--scopes", "read:items", "--rate-limit", "0"),
])
def test_it_refuses_bad_arguments_without_creating_anything(args):
    with pytest.raises(CommandError):
        run(*args)
    assert not Partner.objects.exists()


def test_a_duplicate_name_is_a_clear_error():
    run("Twice", "--scopes", "read:items")
    with pytest.raises(CommandError, match="Twice"):
        run("Twice", "--scopes", "read:items")
